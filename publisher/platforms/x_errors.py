"""How X's answers become the product's errors, each with what to do."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.platforms import _http

DISPLAY = "X"
#: Rate-limit header families: the 15-minute window and the 24-hour caps.
RATE_FAMILIES = ("x-rate-limit", "x-user-limit-24hour", "x-app-limit-24hour")


def x_error(
    response: requests.Response,
    *,
    action: str,
    creates: bool = False,
    secrets: tuple[str, ...] = (),
) -> PlatformError:
    """Sort a non-2xx X answer into the platform error classes."""
    status = response.status_code
    body = _http.json_body(response)
    name, detail = _problem(body, response.reason or "")
    code = f"{status}:{name}" if name else str(status)
    detail = _http.short(detail, secrets)
    kept: dict[str, Any] = {"platform": "x", "code": code, "detail": detail}

    if status == 429:
        retry_at = x_retry_at(response.headers)
        return TransientPlatformError(
            f"X is rate limiting this account, so the bot could not {action}. "
            f"It will try again {_when(retry_at)}.",
            retry_at=retry_at,
            **kept,
        )
    if status >= 500:
        if creates:
            return UnknownOutcomeError(
                f"X answered the request to {action} with server error {status}. "
                "The post may or may not exist: check the account's timeline "
                "before sending it again (a retry answered 'duplicate' means "
                "it was posted).",
                **kept,
            )
        return TransientPlatformError(
            f"X had a server error ({status}) on the request to {action}. "
            "It will be retried later.",
            **kept,
        )
    return _refusal(status, name, action, kept)


def _refusal(
    status: int, name: str, action: str, kept: dict[str, Any]
) -> PermanentPlatformError:
    if status == 401:
        return PermanentPlatformError(
            f"X refused the account's credentials on the request to {action}. "
            "The access token was revoked or regenerated: make new tokens in "
            "the developer console, update X_ACCESS_TOKEN and "
            "X_ACCESS_TOKEN_SECRET in .env, then run 'publisher doctor'.",
            reauth=True,
            **kept,
        )
    if status == 403 and name == "duplicate":
        return PermanentPlatformError(
            "X refused the post as a duplicate of an earlier one. If an earlier "
            "attempt ended with an unknown outcome, the post is probably live "
            "already: check the timeline. Otherwise change the text.",
            **kept,
        )
    if status == 403:
        return PermanentPlatformError(
            f"X does not let this app {action}. Give the app 'Read and write' "
            "permission and attach it to a project in the developer console, "
            "then regenerate the access token and update .env.",
            **kept,
        )
    if status == 402:
        return PermanentPlatformError(
            f"X refused to {action} because the API plan's credits are used up. "
            "Add credits or change the plan in the developer console.",
            **kept,
        )
    if status == 400:
        return PermanentPlatformError(
            f"X rejected the request to {action} as invalid; retrying will not "
            "help. Check the post against X's limits and see the detail.",
            **kept,
        )
    return PermanentPlatformError(
        f"X refused the request to {action} with status {status}; retrying "
        "will not help. See the detail.",
        **kept,
    )


def x_retry_at(headers: Any) -> datetime | None:
    """The latest reset among the exhausted rate-limit windows, if any.

    A 429 may come from the 15-minute window or from a 24-hour cap, each with
    its own ``-remaining`` and ``-reset`` headers. Waiting for the latest
    exhausted one is never too early; when none says it is exhausted, the
    latest reset given is used.
    """
    exhausted: list[datetime] = []
    given: list[datetime] = []
    for family in RATE_FAMILIES:
        reset = _http.epoch_to_utc(headers.get(f"{family}-reset"))
        if reset is None:
            continue
        given.append(reset)
        if (headers.get(f"{family}-remaining") or "").strip() == "0":
            exhausted.append(reset)
    candidates = exhausted or given
    return max(candidates) if candidates else None


def is_missing_post(response: requests.Response) -> bool:
    """True for X's "no such post", not for a 404 of the route itself.

    A wrong ``client_base`` also answers 404; counting that as "already
    gone" would report a takedown that never happened.
    """
    body = _http.json_body(response)
    if body is None:
        return False
    _, detail = _problem(body, "")
    return "page does not exist" not in detail.lower()


def _problem(body: dict[str, Any] | None, reason: str) -> tuple[str, str]:
    """X's name for the problem (may be empty) and its message."""
    if body is None:
        return "", reason
    detail = str(body.get("detail") or body.get("title") or "")
    errors = body.get("errors")
    first = errors[0] if isinstance(errors, list) and errors else None
    if isinstance(first, dict) and not detail:
        detail = str(first.get("message") or first.get("detail") or "")

    if "duplicate" in detail.lower():
        return "duplicate", detail
    problem_type = str(body.get("type") or "")
    if problem_type and problem_type != "about:blank":
        return problem_type.rstrip("/").rsplit("/", 1)[-1], detail
    if isinstance(first, dict) and first.get("code") is not None:
        return str(first["code"]), detail
    return "", detail or reason


def processing_failed(info: dict[str, Any], number: int) -> PermanentPlatformError:
    raw = info.get("error")
    error: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return PermanentPlatformError(
        f"X could not process image {number}; this image will not be accepted "
        "as it is. Re-export it as a JPEG or PNG and add it again.",
        platform="x",
        code=f"processing:{error.get('code') or error.get('name') or 'failed'}",
        detail=_http.short(str(error.get("message") or "")) or None,
    )


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "later, after a pause"
    return f"after {moment:%Y-%m-%d %H:%M:%S} UTC"
