"""Facebook Page: unpublished photos with alt text, then one feed post.

facebook-sdk 3.1 dates from 2018. Only ``GraphAPI.request`` is used, with the
Graph version written into every path: the SDK's own version check refuses
current versions and its helpers would call v2.8. The SDK also ignores the
HTTP status, crashes on a response without ``Content-Type`` and turns an HTML
error page into an error with no code. So its session carries a response
hook that stops every non-2xx or non-JSON answer before the SDK sees it, and
this module sorts those answers itself by Graph ``error.code``.

The SDK builds URLs from the module global ``facebook.FACEBOOK_GRAPH_URL``.
That global is never changed here; the session's adapter sends the request
to ``graph_base`` instead, so two clients with different hosts can coexist.

The Page token travels in the query string of GET and DELETE requests (the
SDK puts it there), so URLs are never logged.

Error codes kept in ``PlatformError.code`` are Graph's ``code`` or
``code/subcode`` (``190/463``), or ``http-<status>`` for answers without a
Graph error body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import facebook
import requests

from publisher.config import FacebookCredentials
from publisher.errors import (
    ConfigError,
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms import _http
from publisher.platforms.base import Platform
from publisher.platforms.textlength import plain_length

logger = logging.getLogger(__name__)

#: Recent Page posts read when looking for a post whose answer was lost.
FEED_LOOKBACK = 25

DISPLAY = "Facebook"
#: The host facebook-sdk writes into URLs unless its module global is changed.
SDK_DEFAULT_BASE = "https://graph.facebook.com/"
POST_URL = "https://www.facebook.com/{id}"
#: Photo formats the Page photo upload accepts (WebP is not among them).
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff")
_VERSION = re.compile(r"^v\d+\.\d+$")

#: Token expired, revoked or unusable: a person must make a new one.
REAUTH_CODES = frozenset({102, 104, 190})
#: Permission missing or removed (3 is a missing capability).
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
#: Throttling: app (4), user (17), Page (32), app limit (341), calls (613), BUC.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, 80001})
#: Temporary failures; 9007 is "media not available yet".
TRANSIENT_CODES = frozenset({1, 2, 9007})
DUPLICATE_CODE = 506
POLICY_BLOCK_CODE = 368
#: "Invalid parameter", which is also what deleting a missing object gives.
MISSING_OBJECT_CODE = 100
MISSING_OBJECT_SUBCODE = "33"


class _GraphFailure(Exception):
    """A Graph answer the SDK would misread: an HTTP error or a non-JSON body."""

    def __init__(
        self, status: int, headers: Mapping[str, str], body: dict[str, Any] | None
    ) -> None:
        super().__init__(f"Graph answered HTTP {status}")
        self.status = status
        self.headers = headers
        self.body = body


def _stop_bad_answers(response: requests.Response, **_: Any) -> None:
    """Response hook: raise on anything but a 2xx JSON answer."""
    content_type = response.headers.get("Content-Type", "")
    if response.ok and "json" in content_type.lower():
        return
    raise _GraphFailure(
        response.status_code, response.headers, _http.json_body(response)
    )


def _graph_rewrite(graph_base: str) -> _http.UrlRewrite:
    """Send a URL the SDK built to ``graph_base``, whatever base it used."""
    target = graph_base if graph_base.endswith("/") else graph_base + "/"

    def rewrite(url: str) -> str:
        for prefix in (facebook.FACEBOOK_GRAPH_URL, SDK_DEFAULT_BASE):
            if url.startswith(prefix):
                return target + url[len(prefix) :]
        return url

    return rewrite


def _utc_now() -> datetime:
    return datetime.now(UTC)


class FacebookPlatform(Platform):
    """One Facebook Page, posting with a long-lived Page access token."""

    name = "facebook"
    max_images = 4
    #: Photos must be under 10 MB.
    max_image_bytes = 10_000_000 - 1
    max_alt_chars = 1000
    max_text_chars = 63_206

    def __init__(
        self,
        creds: FacebookCredentials,
        *,
        timeout: float,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        if not _VERSION.match(creds.graph_version):
            raise ConfigError(
                f"FB_GRAPH_VERSION={creds.graph_version!r} is not a Graph API "
                "version. Set it to a version such as v26.0 in .env."
            )
        self._page_id = creds.page_id
        self._version = creds.graph_version
        self._now = now
        self._secrets = (creds.page_access_token, creds.app_secret or "")
        self._proof = (
            hmac.new(
                creds.app_secret.encode(),
                creds.page_access_token.encode(),
                hashlib.sha256,
            ).hexdigest()
            if creds.app_secret
            else None
        )

        self._session = _http.new_session(timeout, _graph_rewrite(creds.graph_base))
        self._session.hooks["response"].append(_stop_bad_answers)
        self._graph = facebook.GraphAPI(
            access_token=creds.page_access_token, timeout=timeout, session=self._session
        )

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def limit_problems(self, post: OutgoingPost) -> list[str]:
        """The base checks plus Facebook's photo formats and text length."""
        problems = super().limit_problems(post)
        for number, item in enumerate(post.images, start=1):
            if item.image.media_type not in ACCEPTED_TYPES:
                problems.append(
                    f"Image {number} is {item.image.media_type}; Facebook takes "
                    "JPEG, PNG or GIF photos."
                )
        length = plain_length(post.text)
        if length > self.max_text_chars:
            problems.append(
                f"The text is {length:,} characters; Facebook takes at most "
                f"{self.max_text_chars:,}. Shorten it."
            )
        if not post.text.strip() and not post.images:
            problems.append(
                "The post has no text and no images; Facebook needs one or the other."
            )
        return problems

    # Publishing -----------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        """Upload each photo unpublished, then attach them all to one post."""
        self.refuse_over_limits(post)

        photo_ids: list[str] = []
        try:
            for number, item in enumerate(post.images, start=1):
                photo_ids.append(self._upload_photo(item, number))
            post_id = self.create_or_find(
                lambda: self._create_post(post.text, photo_ids),
                self._find_post,
                photo_ids,
            )
        except UnknownOutcomeError:
            # The post may exist and use these photos: keep them, but leave
            # their ids where a person checking the Page can find them.
            if photo_ids:
                logger.warning(
                    "facebook: post %s outcome unknown; photos %s kept",
                    post.post_id,
                    ",".join(photo_ids),
                )
            raise
        except Exception:
            # The photos hold pupils' images and no post uses them: remove
            # them now rather than leave them on Meta's servers.
            self._remove_photos(photo_ids)
            raise

        logger.info(
            "facebook: post %s published as %s with %d photos",
            post.post_id,
            post_id,
            len(photo_ids),
        )
        return PublishReceipt(
            remote_id=post_id,
            url=POST_URL.format(id=post_id),
            extra={"photo_ids": photo_ids},
        )

    def _upload_photo(self, item: PostImage, number: int) -> str:
        data = _http.read_image_bytes(item.image, number)
        action = f"upload image {number}"
        result = self._call(
            f"{self._page_id}/photos",
            action=action,
            post_args={"published": "false", "alt_text_custom": item.alt_text},
            files={"source": ("photo", data, item.image.media_type)},
        )
        photo_id = result.get("id")
        if not photo_id:
            raise TransientPlatformError(
                f"Facebook answered the request to {action} without a photo id. "
                "It will be retried later.",
                platform=self.name,
                code="unreadable-response",
            )
        logger.info(
            "facebook: image %d uploaded as photo %s (%d bytes)",
            number,
            photo_id,
            len(data),
        )
        return str(photo_id)

    def _find_post(self, photo_ids: list[str]) -> str | None:
        result = self._call(
            f"{self._page_id}/feed",
            action="look for the post on the Page",
            args={"fields": "id,attachments", "limit": str(FEED_LOOKBACK)},
        )
        wanted = set(photo_ids)
        for entry in result.get("data") or []:
            if isinstance(entry, dict) and _attached_photos(entry) == wanted:
                return str(entry.get("id"))
        return None

    def _create_post(self, text: str, photo_ids: list[str]) -> str:
        post_args: dict[str, str] = {}
        if text.strip():
            post_args["message"] = text
        for index, photo_id in enumerate(photo_ids):
            post_args[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})

        result = self._call(
            f"{self._page_id}/feed",
            action="publish the post",
            creates=True,
            post_args=post_args,
        )
        post_id = result.get("id")
        if not post_id:
            raise UnknownOutcomeError(
                "Facebook answered the post without its id. The post may "
                "exist: check the Page before sending it again.",
                platform=self.name,
                code="unreadable-response",
            )
        return str(post_id)

    def _remove_photos(self, photo_ids: list[str]) -> None:
        """Delete unused photos; a failure is logged, never raised over the cause."""
        for photo_id in photo_ids:
            try:
                self._delete_object(photo_id, "delete an unused photo")
            except PlatformError as exc:
                logger.warning(
                    "facebook: unused photo %s could not be deleted (%s); "
                    "delete it on the Page by hand",
                    photo_id,
                    exc.code,
                )

    # Takedown and health check ---------------------------------------------

    def delete(self, receipt: PublishReceipt) -> None:
        """Delete the post, then each of its photos; gone counts as deleted.

        Every deletion is tried even if an earlier one fails, so as much as
        possible comes down at once; the first failure is then raised.
        """
        targets = [(receipt.remote_id, "delete the post")]
        targets += [
            (photo_id, "delete a photo of the post")
            for photo_id in receipt.extra.get("photo_ids", [])
        ]
        failures: list[PlatformError] = []
        for object_id, action in targets:
            try:
                self._delete_object(object_id, action)
            except PlatformError as exc:
                logger.warning(
                    "facebook: could not delete %s (%s)", object_id, exc.code
                )
                failures.append(exc)
        if failures:
            raise failures[0]

    def _delete_object(self, object_id: str, action: str) -> None:
        try:
            result = self._call(object_id, action=action, method="DELETE")
        except PermanentPlatformError as exc:
            if _is_missing_object(exc):
                # Also what a token that lost access to the object gets.
                logger.info("facebook: %s already gone or no longer visible", object_id)
                return
            raise
        if result.get("success") is not True:
            raise TransientPlatformError(
                f"Facebook did not confirm the request to {action}. "
                "It will be retried later.",
                platform=self.name,
                code="unconfirmed-delete",
            )
        logger.info("facebook: deleted %s", object_id)

    def check_credentials(self) -> str:
        """Read the Page's id and name; return them."""
        result = self._call(
            self._page_id, action="check the Page", args={"fields": "id,name"}
        )
        return f"{result.get('name') or 'Page'} ({result.get('id') or self._page_id})"

    # HTTP -----------------------------------------------------------------

    def _call(
        self,
        path: str,
        *,
        action: str,
        creates: bool = False,
        args: dict[str, str] | None = None,
        post_args: dict[str, str] | None = None,
        files: dict[str, Any] | None = None,
        method: str | None = None,
    ) -> dict[str, Any]:
        """One Graph request at ``{version}/{path}``, with errors sorted."""
        if self._proof is not None:
            # The SDK puts the token in post_args when there are any, else
            # in the query; the proof travels beside it.
            if post_args is not None:
                post_args["appsecret_proof"] = self._proof
            else:
                args = {**(args or {}), "appsecret_proof": self._proof}

        try:
            result = self._graph.request(
                f"{self._version}/{path}",
                args=args,
                post_args=post_args,
                files=files,
                method=method,
            )
        except _GraphFailure as failure:
            raise self._error(
                failure.status, failure.headers, failure.body, action, creates
            ) from None
        except facebook.GraphAPIError as exc:
            body = exc.result if isinstance(exc.result, dict) else None
            raise self._error(200, {}, body, action, creates) from None
        except KeyError:
            # facebook-sdk's crash on a missing Content-Type; the hook should
            # have caught it first, so this is only a second line of defence.
            raise self._error(200, {}, None, action, creates) from None
        except requests.RequestException as exc:
            # Not chained: the exception text can hold the URL and its token.
            raise _http.transport_error(
                exc, platform=self.name, display=DISPLAY, action=action, creates=creates
            ) from None

        if not isinstance(result, dict):
            raise self._error(200, {}, None, action, creates)
        return result

    def _error(
        self,
        status: int,
        headers: Mapping[str, str],
        body: dict[str, Any] | None,
        action: str,
        creates: bool,
    ) -> PlatformError:
        error = body.get("error") if body else None
        if not isinstance(error, dict):
            return self._bare_error(status, action, creates)

        code = _int_or_none(error.get("code"))
        subcode = _int_or_none(error.get("error_subcode"))
        code_text = f"{code}/{subcode}" if subcode is not None else str(code)
        message = str(error.get("message") or "")
        trace = error.get("fbtrace_id")
        if trace:
            message += f" (fbtrace_id {trace})"
        kept: dict[str, Any] = {
            "platform": self.name,
            "code": code_text,
            "detail": _http.short(message, self._secrets),
        }

        if status >= 500 and creates:
            return _unknown_post(status, kept)
        if code in REAUTH_CODES:
            return _reauth(action, subcode, kept)
        if code in THROTTLE_CODES:
            retry_at = self._buc_retry_at(headers)
            return TransientPlatformError(
                f"Facebook is limiting calls for this Page or app, so the bot "
                f"could not {action}. It will try again "
                f"{_when(retry_at)}.",
                retry_at=retry_at,
                **kept,
            )
        if code in TRANSIENT_CODES or error.get("is_transient") is True:
            return TransientPlatformError(
                f"Facebook reported a temporary problem on the request to "
                f"{action}. It will be retried later.",
                **kept,
            )
        return _refusal(code, action, kept)

    def _bare_error(self, status: int, action: str, creates: bool) -> PlatformError:
        """An answer with no Graph error body: HTML, empty or unlabelled."""
        kept: dict[str, Any] = {"platform": self.name, "code": f"http-{status}"}
        if creates and (status >= 500 or status < 400):
            return _unknown_post(status, kept)
        if status >= 500 or status < 400:
            return TransientPlatformError(
                f"Facebook gave an unreadable answer (HTTP {status}) to the "
                f"request to {action}. It will be retried later.",
                **kept,
            )
        return PermanentPlatformError(
            f"Facebook answered the request to {action} with HTTP {status} and "
            "no Graph error. Check FB_GRAPH_BASE and FB_PAGE_ID in .env.",
            **kept,
        )

    def _buc_retry_at(self, headers: Mapping[str, str]) -> datetime | None:
        """When Business Use Case throttling ends, from its usage header."""
        raw = headers.get("X-Business-Use-Case-Usage") or headers.get(
            "x-business-use-case-usage"
        )
        if not raw:
            return None
        try:
            usage = json.loads(raw)
        except ValueError:
            return None
        minutes = 0.0
        for entries in usage.values() if isinstance(usage, dict) else ():
            for entry in entries if isinstance(entries, list) else ():
                value = (
                    entry.get("estimated_time_to_regain_access")
                    if isinstance(entry, dict)
                    else None
                )
                if isinstance(value, int | float) and value > minutes:
                    minutes = float(value)
        if minutes <= 0:
            return None
        return self._now() + timedelta(minutes=math.ceil(minutes))


def _reauth(action: str, subcode: int | None, kept: dict[str, Any]) -> PlatformError:
    checkpoint = (
        " First log in to facebook.com as the Page admin to clear the security "
        "checkpoint."
        if subcode == 459
        else ""
    )
    return PermanentPlatformError(
        f"Facebook refused the Page access token on the request to {action}: "
        "it has expired or been revoked (a password change, a lost Page role "
        "or a removed app all do this)."
        + checkpoint
        + " Make a new long-lived Page token, set FB_PAGE_ACCESS_TOKEN in .env "
        "and run 'publisher doctor'.",
        reauth=True,
        **kept,
    )


def _refusal(code: int | None, action: str, kept: dict[str, Any]) -> PlatformError:
    if code == POLICY_BLOCK_CODE:
        message = (
            "Facebook has blocked this Page from posting for a while for a "
            "policy reason. Stop posting to it and have a person review the "
            "Page's notifications before trying again."
        )
    elif code in PERMISSION_CODES:
        message = (
            f"The Page token lacks a permission needed to {action}. Grant the "
            "app pages_manage_posts, pages_read_engagement and pages_show_list "
            "(the person granting them must be able to create content on the "
            "Page), make a new Page token and update .env."
        )
    elif code == DUPLICATE_CODE:
        message = (
            "Facebook refused the post as a duplicate of the Page's previous "
            "post. If an earlier attempt ended with an unknown outcome, the "
            "post is probably live already: check the Page. Otherwise change "
            "the text."
        )
    else:
        message = (
            f"Facebook rejected the request to {action}; retrying will not "
            "help as it is. See the detail."
        )
    return PermanentPlatformError(message, **kept)


def _unknown_post(status: int, kept: dict[str, Any]) -> UnknownOutcomeError:
    return UnknownOutcomeError(
        f"Facebook answered the post with HTTP {status} and no usable result. "
        "The post may or may not exist: look at the Page's recent posts before "
        "sending it again.",
        **kept,
    )


def _is_missing_object(exc: PlatformError) -> bool:
    """True for "object does not exist", not for other code-100 errors.

    Code 100 also means a bad parameter, such as a wrong appsecret_proof;
    counting that as "already gone" would report a takedown that never
    happened.
    """
    code, _, subcode = (exc.code or "").partition("/")
    if _int_or_none(code) != MISSING_OBJECT_CODE:
        return False
    return (
        subcode == MISSING_OBJECT_SUBCODE
        or "does not exist" in (exc.detail or "").lower()
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "later, after a pause"
    return f"after {moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def _attached_photos(entry: dict[str, Any]) -> set[str]:
    """The photo ids a feed entry carries, single or in a group."""
    found: set[str] = set()
    for attachment in (entry.get("attachments") or {}).get("data") or []:
        targets = [attachment]
        targets += (attachment.get("subattachments") or {}).get("data") or []
        for target in targets:
            photo_id = (target.get("target") or {}).get("id")
            if photo_id:
                found.add(str(photo_id))
    return found
