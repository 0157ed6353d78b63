"""Mastodon: media uploads with descriptions, then one status, via Mastodon.py.

Mastodon.py's defaults are unsafe for a bot: it sleeps up to five minutes on
a 429, its ``synchronous`` upload polls forever, and it asks the server for
its version before the first upload. This client throws on 429, polls media
itself with an injectable sleep and a deadline, and names the server version
so no discovery call is made.

Every limit is a server setting, so they are read once from
``/api/v2/instance`` (falling back to Mastodon's defaults). The status is
sent with an ``Idempotency-Key`` made from the post id: if an answer is lost,
sending the same post again returns the first status instead of a second one.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import requests
from mastodon import Mastodon
from mastodon.errors import (
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)

from publisher.config import MastodonCredentials
from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms._http import (
    never_sent,
    new_session,
    read_image_bytes,
    short,
    transport_error,
)
from publisher.platforms.base import Platform

log = logging.getLogger(__name__)

T = TypeVar("T")

#: The server version we claim, so that Mastodon.py skips its discovery calls
#: and picks ``/api/v2/media``.
ASSUMED_VERSION = "4.3.0"
NOT_PROCESSED = "not finished processing"
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}'\""


@dataclass(frozen=True)
class MastodonLimits:
    """The server's limits; the defaults are Mastodon's own."""

    max_characters: int = 500
    characters_per_url: int = 23
    max_media: int = 4
    image_size_limit: int = 16 * 1024 * 1024
    description_limit: int = 1500
    #: None when the server does not list its types.
    image_types: frozenset[str] | None = None

    @classmethod
    def from_instance(cls, instance: Mapping[str, Any]) -> MastodonLimits:
        """Read ``configuration`` of an ``/api/v2/instance`` answer."""
        config = instance.get("configuration") or {}
        statuses = config.get("statuses") or {}
        media = config.get("media_attachments") or {}
        types = media.get("supported_mime_types")
        return cls(
            max_characters=int(statuses.get("max_characters", cls.max_characters)),
            characters_per_url=int(
                statuses.get("characters_reserved_per_url", cls.characters_per_url)
            ),
            max_media=int(statuses.get("max_media_attachments", cls.max_media)),
            image_size_limit=int(media.get("image_size_limit", cls.image_size_limit)),
            description_limit=int(
                media.get("description_limit", cls.description_limit)
            ),
            image_types=frozenset(types) if types else None,
        )


def text_length(text: str, characters_per_url: int = 23) -> int:
    """Length as Mastodon counts it, never below the server's own count.

    Each http(s) URL counts ``characters_per_url``; everything else counts one
    per code point, which is at least the grapheme count newer servers use.
    Trailing punctuation is left out of a URL so that it still counts.
    """
    total = 0
    end = 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TAIL)
        total += match.start() - end + characters_per_url
        end = match.start() + len(url)
    return total + len(text) - end


def idempotency_key(post_id: str) -> str:
    """The same key for every attempt at the same post, and only that post."""
    return "publisher-" + hashlib.sha256(post_id.encode("utf-8")).hexdigest()[:40]


class MastodonPlatform(Platform):
    """One account on one Mastodon server, with a ready-made access token."""

    name = "mastodon"
    #: Class-level ceilings; the server's own limits may only lower them.
    max_images = 4
    max_image_bytes = 16 * 1024 * 1024
    max_alt_chars = 1500

    def __init__(
        self,
        creds: MastodonCredentials,
        *,
        timeout: float,
        language: str = "en",
        visibility: str = "public",
        poll_interval: float = 2.0,
        poll_deadline: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.creds = creds
        self.timeout = timeout
        self.language = language
        self.visibility = visibility
        self.poll_interval = poll_interval
        self.poll_deadline = poll_deadline
        self._sleep = sleep
        self._monotonic = monotonic
        self._limits: MastodonLimits | None = None
        self._limits_lock = threading.Lock()
        self._last_response: requests.Response | None = None
        session = new_session(timeout)
        session.hooks["response"].append(self._remember)
        self._session = session
        self._api = Mastodon(
            access_token=creds.access_token,
            api_base_url=creds.api_base_url,
            ratelimit_method="throw",
            request_timeout=timeout,
            mastodon_version=ASSUMED_VERSION,
            version_check_mode="created",
            session=session,
        )

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    # -- limits ---------------------------------------------------------------

    def limits(self) -> MastodonLimits:
        """The server's limits, read once; Mastodon's defaults if unreadable."""
        with self._limits_lock:
            if self._limits is None:
                try:
                    self._limits = MastodonLimits.from_instance(self._api.instance_v2())
                except (MastodonError, ValueError, TypeError, AttributeError) as exc:
                    # AttributeError: an answer of the wrong shape (a list, a
                    # string where an object belongs).
                    log.warning(
                        "mastodon: could not read the server's limits (%s); "
                        "using the defaults",
                        type(exc).__name__,
                    )
                    self._limits = MastodonLimits()
            return self._limits

    def limit_problems(self, post: OutgoingPost) -> list[str]:
        """Every way ``post`` breaks this server's limits."""
        problems = super().limit_problems(post)
        limits = self.limits()
        length = text_length(post.text, limits.characters_per_url)
        if length > limits.max_characters:
            problems.append(
                f"The text counts {length} characters on Mastodon (each link "
                f"counts {limits.characters_per_url}); this server takes at most "
                f"{limits.max_characters}. Shorten it."
            )
        if limits.max_media < len(post.images) <= self.max_images:
            problems.append(
                f"This Mastodon server takes at most {limits.max_media} images; "
                f"this post has {len(post.images)}."
            )
        for number, item in enumerate(post.images, start=1):
            problems.extend(self._image_problems(limits, number, item.image.media_type))
            size = item.image.byte_size
            if limits.image_size_limit < size <= self.max_image_bytes:
                problems.append(
                    f"Image {number} is {size:,} bytes; this Mastodon server "
                    f"takes at most {limits.image_size_limit:,}."
                )
            chars = len(item.alt_text)
            if limits.description_limit < chars <= self.max_alt_chars:
                problems.append(
                    f"Alt text of image {number} is {chars} characters; this "
                    f"Mastodon server takes at most {limits.description_limit}."
                )
        return problems

    def _image_problems(
        self, limits: MastodonLimits, number: int, media_type: str
    ) -> list[str]:
        if limits.image_types is None or media_type in limits.image_types:
            return []
        return [f"Image {number} is {media_type}, which this Mastodon server refuses."]

    # -- publish ----------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        """Upload each image with its description, wait for it, then post."""
        self.refuse_over_limits(post)
        images = [
            read_image_bytes(item.image, number)
            for number, item in enumerate(post.images, start=1)
        ]
        # Upload everything first so the server processes the images together.
        uploads = [
            self._upload(number, item, data)
            for number, (item, data) in enumerate(
                zip(post.images, images, strict=True), start=1
            )
        ]
        media_ids = [media_id for media_id, _ready in uploads]
        for number, (media_id, ready) in enumerate(uploads, start=1):
            if not ready:
                self._wait_processed(media_id, number)
        log.debug("post %s: %d image(s) ready on mastodon", post.post_id, len(uploads))

        try:
            status = self._post_status(post, media_ids)
        except PermanentPlatformError:
            self._discard(media_ids)
            raise
        if not isinstance(status, dict) or not status.get("id"):
            # Created, by the look of it, but with no id it can be neither
            # linked nor taken down: a person checks.
            raise UnknownOutcomeError(
                "Mastodon answered the post without a status id, so it cannot "
                "be found or taken down from here. Check the account, then "
                "record the result with 'publisher resolve'.",
                platform=self.name,
            )
        attached = [str(m["id"]) for m in status.get("media_attachments") or []]
        if attached != media_ids:
            # A repeat of an earlier attempt: Mastodon gave back the status it
            # already made, so this attempt's uploads are not needed.
            log.info("post %s: mastodon returned the existing status", post.post_id)
            self._discard([m for m in media_ids if m not in attached])
        return PublishReceipt(
            remote_id=str(status["id"]),
            url=status.get("url"),
            extra={"media": attached},
        )

    def _post_status(self, post: OutgoingPost, media_ids: list[str]) -> Any:
        return self._call(
            "publish the post",
            lambda: self._api.status_post(
                post.text,
                media_ids=media_ids or None,
                visibility=self.visibility,
                language=self.language,
                idempotency_key=idempotency_key(post.post_id),
            ),
            creates=True,
        )

    def _upload(self, number: int, item: PostImage, data: bytes) -> tuple[str, bool]:
        """Upload one image with its description: its id, and whether it is ready."""
        attachment = self._call(
            f"upload image {number}",
            lambda: self._api.media_post(
                data,
                mime_type=item.image.media_type,
                description=item.alt_text,
                # Mastodon ignores the name; never send the original one.
                file_name=f"image-{number}{_extension(item.image.media_type)}",
            ),
        )
        return str(attachment["id"]), bool(attachment.get("url"))

    def _wait_processed(self, media_id: str, number: int) -> None:
        """Poll one upload until it has a URL, within ``poll_deadline`` seconds."""
        deadline = self._monotonic() + self.poll_deadline
        while True:
            self._sleep(self.poll_interval)
            media = self._call(
                f"check image {number}", lambda: self._api.media(media_id)
            )
            if media.get("url"):
                return
            if self._monotonic() >= deadline:
                raise TransientPlatformError(
                    f"Mastodon was still processing image {number} after "
                    f"{self.poll_deadline:.0f} seconds. The post will be tried "
                    "again later.",
                    platform=self.name,
                    code="media_processing",
                    detail=media_id,
                )

    def _discard(self, media_ids: list[str]) -> None:
        """Remove uploads no status uses, so no pupil's image waits for cleanup.

        Best effort: ``DELETE /api/v1/media/:id`` exists from Mastodon 4.4,
        and older servers remove unused uploads themselves after a day.
        """
        for media_id in media_ids:
            url = f"{self.creds.api_base_url}/api/v1/media/{media_id}"
            auth = {"Authorization": f"Bearer {self.creds.access_token}"}
            try:
                response = self._session.delete(url, headers=auth, timeout=self.timeout)
            except requests.RequestException as exc:
                log.warning("mastodon media %s: not removed (%s)", media_id, exc)
                continue
            outcome = "removed" if response.ok else f"left ({response.status_code})"
            log.info("mastodon media %s: unused upload %s", media_id, outcome)

    # -- delete and check ---------------------------------------------------------

    def delete(self, receipt: PublishReceipt) -> None:
        """Delete the status and its media; a status already gone is fine."""
        try:
            self._api.status_delete(receipt.remote_id, delete_media=True)
        except MastodonNotFoundError:
            log.info("mastodon status %s was already gone", receipt.remote_id)
            return
        except MastodonError as exc:
            raise self._translate(exc, "delete the post", creates=False) from exc
        log.info("mastodon status %s deleted with its media", receipt.remote_id)

    def check_credentials(self) -> str:
        """Read the account behind the token."""
        account = self._call(
            "read the account", lambda: self._api.account_verify_credentials()
        )
        return "@" + str(account["acct"])

    # -- calls and errors ---------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        # Mastodon.py's 429 error carries no headers; keep the last answer.
        self._last_response = response

    def _call(
        self, action: str, request: Callable[[], T], *, creates: bool = False
    ) -> T:
        self._last_response = None
        try:
            return request()
        except MastodonError as exc:
            raise self._translate(exc, action, creates=creates) from exc

    def _translate(
        self, exc: MastodonError, action: str, *, creates: bool
    ) -> PlatformError:
        """Sort a Mastodon.py exception into the product's error tree."""
        where = f"Mastodon could not {action}"
        answered = self._last_response
        if creates and answered is not None and answered.ok:
            # The server accepted the post, then Mastodon.py failed on the
            # answer (an unreadable rate-limit header, say). A retry after the
            # idempotency window would post it again: a person checks.
            return UnknownOutcomeError(
                f"Mastodon accepted the post (HTTP {answered.status_code}) but "
                f"its answer could not be read ({type(exc).__name__}). Check the "
                "account, then record the result with 'publisher resolve'.",
                platform=self.name,
                code=str(answered.status_code),
            )
        if isinstance(exc, MastodonRatelimitError):
            return TransientPlatformError(
                f"{where}: rate limited. It will be retried after the limit resets.",
                platform=self.name,
                code="429",
                detail=self._server_message(),
                retry_at=self._reset_at(),
            )
        if isinstance(exc, MastodonNetworkError):
            return self._network_error(exc, action, creates)
        status, message = _status_and_message(exc)
        if isinstance(exc, MastodonUnauthorizedError):
            return PermanentPlatformError(
                f"{where}: the access token was refused ({message}). Create a "
                "new token under Preferences > Development, put it in "
                "MASTODON_ACCESS_TOKEN and run 'publisher doctor'.",
                platform=self.name,
                code="401",
                detail=message,
                reauth=True,
            )
        if isinstance(exc, MastodonServerError) or (status or 0) >= 500:
            # Safe to retry even for the status: the Idempotency-Key makes a
            # repeat return the first status.
            return TransientPlatformError(
                f"{where}: the server failed ({status}). It will be tried again later.",
                platform=self.name,
                code=str(status),
                detail=message,
            )
        if status is None:
            return self._unreadable(where, creates, exc)
        return self._refusal(where, status, message)

    def _refusal(self, where: str, status: int, message: str | None) -> PlatformError:
        if status == 422 and message and NOT_PROCESSED in message:
            return TransientPlatformError(
                f"{where}: an image was still being processed. It will be "
                "tried again shortly.",
                platform=self.name,
                code="422",
                detail=message,
            )
        if status == 403:
            return PermanentPlatformError(
                f"{where}: the token lacks a permission ({message}). Give the "
                "app the scopes write:media, write:statuses and read:accounts, "
                "then put the new token in MASTODON_ACCESS_TOKEN.",
                platform=self.name,
                code="403",
                detail=message,
            )
        return PermanentPlatformError(
            f"{where}: the server refused it ({status}: {message}). Fix the "
            "post; retrying will not help.",
            platform=self.name,
            code=str(status),
            detail=message,
        )

    def _unreadable(
        self, where: str, creates: bool, exc: MastodonError
    ) -> PlatformError:
        if not isinstance(exc, MastodonAPIError):
            return PermanentPlatformError(
                f"{where}: Mastodon.py refused the request ({type(exc).__name__}). "
                "Check the Mastodon settings in .env.",
                platform=self.name,
                code=type(exc).__name__,
            )
        # An answer arrived but could not be read.
        if creates:
            return UnknownOutcomeError(
                f"{where}: its answer could not be read, so the post may exist. "
                "Check the account before publishing it again.",
                platform=self.name,
                code="unreadable-response",
            )
        return TransientPlatformError(
            f"{where}: its answer could not be read. It will be tried again later.",
            platform=self.name,
            code="unreadable-response",
        )

    def _network_error(
        self, exc: MastodonNetworkError, action: str, creates: bool
    ) -> PlatformError:
        cause = exc.__context__
        if not isinstance(cause, requests.RequestException):
            cause = requests.ConnectionError(str(exc))
        if creates and not never_sent(cause):
            return UnknownOutcomeError(
                f"The post was sent to Mastodon but no answer came back "
                f"({type(cause).__name__}). Publishing it again within the hour "
                "is safe (the same Idempotency-Key returns the first status); "
                "after that, check the account first.",
                platform=self.name,
                code=type(cause).__name__,
            )
        return transport_error(
            cause, platform=self.name, display="Mastodon", action=action, creates=False
        )

    def _server_message(self) -> str | None:
        response = self._last_response
        return short(response.text) if response is not None else None

    def _reset_at(self) -> datetime | None:
        """``X-RateLimit-Reset`` of the last answer: ISO 8601, or epoch seconds."""
        if self._last_response is None:
            return None
        value = self._last_response.headers.get("X-RateLimit-Reset")
        if not value:
            return None
        try:
            if value.strip().isdigit():
                return datetime.fromtimestamp(int(value), tz=UTC)
            reset = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except (ValueError, OverflowError):
            return None
        return reset.astimezone(UTC) if reset.tzinfo else reset.replace(tzinfo=UTC)


def _status_and_message(exc: MastodonError) -> tuple[int | None, str | None]:
    """Mastodon.py puts (message, status, reason, error text) in ``args``."""
    args = exc.args
    status = args[1] if len(args) > 1 and isinstance(args[1], int) else None
    message = args[3] if len(args) > 3 and args[3] else None
    if isinstance(message, dict):
        # Some servers send the error as an object, not a sentence.
        message = message.get("message") or message.get("error") or None
    if message is None and len(args) > 2 and isinstance(args[2], str):
        message = args[2]
    return status, short(str(message)) if message else None


def _extension(media_type: str) -> str:
    return mimetypes.guess_extension(media_type) or ""
