"""HTTP plumbing shared by the platform clients that use ``requests``.

Three jobs live here: every request gets a timeout even when the library that
builds it passes none (tweepy, facebook-sdk); requests can be sent to another
base URL than the one a library hard-codes, so tests and staging reach a fake;
and transport failures are sorted into the platform error classes, keeping
"the request never left" apart from "the answer was lost".
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, NewConnectionError

from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
    UnverifiedImage,
)
from publisher.models import SanitisedImage

logger = logging.getLogger(__name__)

#: Longest platform message kept in ``PlatformError.detail``.
MAX_DETAIL_CHARS = 500

#: Query parameters whose values must never reach a log line or an error.
SECRET_PARAMS = ("access_token", "appsecret_proof", "input_token", "client_secret")

_SECRET_QUERY = re.compile(
    r"(?P<key>(?:" + "|".join(SECRET_PARAMS) + r")=)[^&\s#]*", re.IGNORECASE
)

#: Turns the URL a library built into the URL that is really called.
UrlRewrite = Callable[[str], str]


class RoutingAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that applies a default timeout and may reroute URLs.

    tweepy and facebook-sdk call ``session.request`` without a timeout and
    with a fixed host. Mounted on their session, this adapter fills in the
    timeout and, when ``rewrite`` is given, sends the request to another base
    URL. The OAuth1 signature was already computed for the original URL; a
    fake that checks signatures must check them against that URL.
    """

    def __init__(self, timeout: float, rewrite: UrlRewrite | None = None) -> None:
        super().__init__()
        self._timeout = timeout
        self._rewrite = rewrite

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send ``request`` with the default timeout, at its rewritten URL."""
        if self._rewrite is not None and request.url:
            request.url = self._rewrite(request.url)
        return super().send(
            request,
            stream=stream,
            timeout=self._timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )


def prefix_rewrite(original: str, replacement: str) -> UrlRewrite | None:
    """A rewrite from base URL ``original`` to ``replacement``, or None if equal."""
    original, replacement = original.rstrip("/"), replacement.rstrip("/")
    if original == replacement:
        return None

    def rewrite(url: str) -> str:
        if url == original or url.startswith(original + "/"):
            return replacement + url[len(original) :]
        return url

    return rewrite


def new_session(timeout: float, rewrite: UrlRewrite | None = None) -> requests.Session:
    """A ``requests.Session`` whose every request has a timeout."""
    session = requests.Session()
    adapter = RoutingAdapter(timeout, rewrite)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def redact(text: str) -> str:
    """``text`` with the values of secret query parameters removed."""
    return _SECRET_QUERY.sub(r"\g<key>[redacted]", text)


def short(text: str, secrets: tuple[str, ...] = ()) -> str:
    """A platform message cut to a loggable length, with secrets removed."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    text = redact(" ".join(text.split()))
    if len(text) > MAX_DETAIL_CHARS:
        return text[: MAX_DETAIL_CHARS - 1] + "…"
    return text


def json_body(response: requests.Response) -> dict[str, Any] | None:
    """The response body as a JSON object, or None when it is not one."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


#: The longest wait a platform may ask for; anything longer is taken as this.
MAX_WAIT = timedelta(days=1)


def wait_until(now: datetime, seconds: float | None) -> datetime | None:
    """``now`` plus a platform's wait in seconds, capped at ``MAX_WAIT``."""
    if seconds is None or not seconds >= 0:
        return None
    return now + timedelta(seconds=min(seconds, MAX_WAIT.total_seconds()))


def epoch_to_utc(value: str | None) -> datetime | None:
    """An epoch-seconds header value as an aware UTC datetime, or None."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(int(value.strip()), tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach the platform.

    Only failures to open the connection qualify. A reset, a read timeout or
    a dropped connection may come after the platform acted on the request.
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError):
        return True
    if isinstance(exc, requests.ConnectionError) and exc.args:
        cause = exc.args[0]
        if isinstance(cause, MaxRetryError):
            return isinstance(cause.reason, NewConnectionError)
    return False


def transport_error(
    exc: requests.RequestException,
    *,
    platform: str,
    display: str,
    action: str,
    creates: bool,
) -> PlatformError:
    """Sort a ``requests`` failure into the platform error classes.

    ``action`` completes "could not ..." (for example "publish the post").
    ``creates`` marks a call that makes a post: its lost answers are unknown
    outcomes, never plain retries.
    """
    kind = type(exc).__name__
    if isinstance(exc, requests.exceptions.InvalidJSONError):
        return _unreadable_answer(platform, display, action, creates)
    if never_sent(exc):
        return TransientPlatformError(
            f"Could not connect to {display} to {action}; nothing was sent. "
            "It will be retried later; check the network if this goes on.",
            platform=platform,
            code=kind,
        )
    if isinstance(
        exc, requests.exceptions.InvalidURL | requests.exceptions.URLRequired
    ):
        return PermanentPlatformError(
            f"The {display} address in the settings is not a valid URL, so "
            f"the bot could not {action}. Fix the base URL in .env.",
            platform=platform,
            code=kind,
        )
    if creates:
        return UnknownOutcomeError(
            f"The request to {action} reached {display} but no answer came back "
            f"({kind}). The post may or may not exist: check the account before "
            "sending it again.",
            platform=platform,
            code=kind,
        )
    return TransientPlatformError(
        f"{display} did not answer the request to {action} ({kind}). "
        "It will be retried later.",
        platform=platform,
        code=kind,
    )


def _unreadable_answer(
    platform: str, display: str, action: str, creates: bool
) -> PlatformError:
    if creates:
        return UnknownOutcomeError(
            f"{display} answered the request to {action} with a body the bot "
            "could not read. The post may exist: check the account before "
            "sending it again.",
            platform=platform,
            code="unreadable-response",
        )
    return TransientPlatformError(
        f"{display} answered the request to {action} with a body the bot could "
        "not read. It will be retried later.",
        platform=platform,
        code="unreadable-response",
    )


def read_image_bytes(image: SanitisedImage, number: int) -> bytes:
    """The bytes of a sanitised image, proven to be the ones that were checked.

    The file is read once and compared with the size and SHA-256 recorded by
    the sanitiser, so what is uploaded is exactly what was verified clean.
    """
    try:
        data = image.path.read_bytes()
    except OSError as exc:
        raise UnverifiedImage(
            f"Image {number} of the post could not be read from the media "
            "folder. Add the image again so it is sanitised afresh."
        ) from exc
    digest = hashlib.sha256(data).hexdigest()
    if len(data) != image.byte_size or digest != image.sha256:
        raise UnverifiedImage(
            f"Image {number} of the post changed on disk after it was "
            "sanitised, so it will not be uploaded. Add the image again."
        )
    return data
