"""Bluesky: blobs, then one ``app.bsky.feed.post`` record, through atproto.

The SDK's ``send_images`` is not used: it pads missing alt texts with empty
strings, picks ``langs`` silently and cannot take a record key. Instead each
image goes to ``uploadBlob`` with its real type, and the record is created
with a record key (TID) made here, so that when the answer to
``createRecord`` is lost the client can ask ``getRecord`` whether the post
exists instead of guessing.

The session (two JWTs) is cached in ``BSKY_SESSION_FILE`` because
``createSession`` is tightly rate-limited. An ``ExpiredToken`` answer, which
Bluesky sends as HTTP 400, leads to one refresh and one more try.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, NoReturn, TypeVar

import httpx
import regex
from atproto_client import Client, Session, models
from atproto_client.exceptions import (
    AtProtocolError,
    BadRequestError,
    InvokeTimeoutError,
    LoginRequiredError,
    NetworkError,
    RateLimitExceededError,
    RequestErrorBase,
    UnauthorizedError,
)
from atproto_client.request import Request
from atproto_client.utils import facet_detection

from publisher.config import BlueskyCredentials
from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PostImage, PublishReceipt
from publisher.platforms._http import read_image_bytes, short, wait_until
from publisher.platforms.base import Platform

log = logging.getLogger(__name__)

T = TypeVar("T")

POST_COLLECTION = "app.bsky.feed.post"
MAX_GRAPHEMES = 300
MAX_TEXT_BYTES = 3000
MAX_LANGS = 3
#: Errors that mean "this session is no longer good, get a new one".
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
#: Base32-sortable alphabet of AT Protocol record keys (TIDs).
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"

_tid_lock = threading.Lock()
_last_tid_micros = 0


def count_graphemes(text: str) -> int:
    """Count extended grapheme clusters, the unit of Bluesky's 300 limit."""
    return len(regex.findall(r"\X", text))


def new_tid() -> str:
    """A fresh 13-character TID: microseconds since 1970 plus a random clock id.

    Strictly increasing within this process, so two posts made in the same
    microsecond still get different keys.
    """
    global _last_tid_micros
    with _tid_lock:
        micros = max(time.time_ns() // 1000, _last_tid_micros + 1)
        _last_tid_micros = micros
    value = (micros << 10) | secrets.randbelow(1024)
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class BlueskyPlatform(Platform):
    """One Bluesky account, signed in with an app password."""

    name = "bluesky"
    max_images = 4
    #: bsky.social refuses larger blobs with BlobTooLarge.
    max_image_bytes = 1_000_000
    #: The schema sets no limit; the official app stops at 2,000.
    max_alt_chars = 2000

    #: What ``langs`` says when the caller does not choose.
    default_langs: ClassVar[tuple[str, ...]] = ("en",)

    def __init__(
        self,
        creds: BlueskyCredentials,
        *,
        timeout: float,
        langs: Sequence[str] = default_langs,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if not 1 <= len(langs) <= MAX_LANGS:
            raise ValueError(f"Bluesky takes 1 to {MAX_LANGS} languages, not {langs}.")
        self.creds = creds
        self.timeout = timeout
        self.langs = list(langs)
        self._now = now
        self._client: Client | None = None

    def close(self) -> None:
        """Close the HTTP connections; the next call opens new ones."""
        if self._client is not None:
            self._client.request.close()
            self._client = None

    # -- limits ---------------------------------------------------------------

    def limit_problems(self, post: OutgoingPost) -> list[str]:
        """Every way ``post`` breaks Bluesky's limits, graphemes and bytes included."""
        problems = super().limit_problems(post)
        graphemes = count_graphemes(post.text)
        if graphemes > MAX_GRAPHEMES:
            problems.append(
                f"The text is {graphemes} characters (graphemes) long; Bluesky "
                f"takes at most {MAX_GRAPHEMES}. Shorten it."
            )
        size = len(post.text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            problems.append(
                f"The text is {size:,} bytes in UTF-8; Bluesky takes at most "
                f"{MAX_TEXT_BYTES:,}. Shorten it."
            )
        return problems

    # -- publish ----------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        """Upload each image as a blob, then create the post record."""
        self.refuse_over_limits(post)
        images = [
            read_image_bytes(item.image, number)
            for number, item in enumerate(post.images, start=1)
        ]
        client = self._signed_in()
        blobs = []
        for number, (item, data) in enumerate(
            zip(post.images, images, strict=True), start=1
        ):
            upload = functools.partial(_upload_blob, data=data, item=item)
            blob = self._call(f"upload image {number}", upload)
            blobs.append(blob)
        log.debug("post %s: %d blob(s) uploaded to bluesky", post.post_id, len(blobs))

        did = self._did(client)
        rkey = new_tid()
        record = self._record(post, blobs)
        try:
            created = self._call(
                "create the post",
                lambda c: c.app.bsky.feed.post.create(did, record, rkey=rkey),
                translate=False,
            )
        except AtProtocolError as exc:
            if not _answer_lost(exc):
                raise self._translate(exc, "create the post") from exc
            return self._settle_lost_create(post, did, rkey, blobs, exc)
        return self._receipt(created.uri, created.cid, rkey, blobs)

    def _record(
        self, post: OutgoingPost, blobs: list[models.BlobRef]
    ) -> models.AppBskyFeedPost.Record:
        images = [
            models.AppBskyEmbedImages.Image(
                alt=item.alt_text,
                image=blob,
                aspect_ratio=models.AppBskyEmbedDefs.AspectRatio(
                    width=item.image.width, height=item.image.height
                ),
            )
            for item, blob in zip(post.images, blobs, strict=True)
        ]
        embed = models.AppBskyEmbedImages.Main(images=images) if images else None
        # Links and tags are found offline; mentions are left as plain text
        # because resolving them would make network calls.
        facets = facet_detection.detect_facets(post.text) or None
        created_at = self._now().astimezone(UTC).isoformat(timespec="milliseconds")
        return models.AppBskyFeedPost.Record(
            text=post.text,
            created_at=created_at.replace("+00:00", "Z"),
            langs=self.langs,
            facets=facets,
            embed=embed,
        )

    def _settle_lost_create(
        self,
        post: OutgoingPost,
        did: str,
        rkey: str,
        blobs: list[models.BlobRef],
        exc: AtProtocolError,
    ) -> PublishReceipt:
        """The answer to createRecord was lost: ask whether the record exists."""
        uri = f"at://{did}/{POST_COLLECTION}/{rkey}"
        log.warning(
            "post %s: bluesky create answer lost; checking %s", post.post_id, rkey
        )
        try:
            found = self._call(
                "check the post", lambda c: c.app.bsky.feed.post.get(did, rkey)
            )
        except PlatformError:
            found = None
        if found is not None:
            log.info("post %s: bluesky record %s exists after all", post.post_id, rkey)
            return self._receipt(found.uri, found.cid or "", rkey, blobs)
        raise UnknownOutcomeError(
            "The post was sent to Bluesky but no clear answer came back, and "
            f"it could not be found yet. Check {self._web_url(rkey)} before "
            "publishing again; re-sending blindly could post it twice.",
            platform=self.name,
            code=_error_name(exc) or type(exc).__name__,
            detail=uri,
        ) from exc

    def _receipt(
        self, uri: str, cid: str, rkey: str, blobs: list[models.BlobRef]
    ) -> PublishReceipt:
        extra = {"cid": [cid], "blobs": [str(blob.cid) for blob in blobs]}
        return PublishReceipt(remote_id=uri, url=self._web_url(rkey), extra=extra)

    def _web_url(self, rkey: str) -> str:
        session = self._client_session()
        handle = session.handle if session else self.creds.handle
        return f"https://bsky.app/profile/{handle}/post/{rkey}"

    # -- delete and check ---------------------------------------------------------

    def delete(self, receipt: PublishReceipt) -> None:
        """Delete the record; a record that is already gone counts as deleted."""
        repo, collection, rkey = _split_uri(receipt.remote_id)
        self._call(
            "delete the post",
            lambda c: c.com.atproto.repo.delete_record(
                models.ComAtprotoRepoDeleteRecord.Data(
                    repo=repo, collection=collection, rkey=rkey
                )
            ),
        )
        log.info("bluesky record %s deleted; its blobs expire later", rkey)

    def check_credentials(self) -> str:
        """Sign in (or reuse the cached session) and read the account's profile."""
        client = self._signed_in()
        did = self._did(client)
        profile = self._call("read the profile", lambda c: c.get_profile(did))
        return str(profile.handle)

    # -- session --------------------------------------------------------------------

    def _signed_in(self) -> Client:
        if self._client is not None:
            return self._client
        request = Request(timeout=self.timeout)
        client = Client(base_url=self.creds.pds_url, request=request)
        # The refresh token rotates: save the session whenever it changes,
        # including the refreshes the SDK makes on its own.
        client.on_session_change(lambda _event, _session: self._save_session(client))
        cached = self._load_session()
        if cached:
            client.login(session_string=cached, fetch_bsky_profile=False)
            log.debug("bluesky: reusing the cached session")
        else:
            self._create_session(client)
        self._client = client
        return client

    def _create_session(self, client: Client) -> None:
        creds = self.creds
        try:
            _send(
                client,
                lambda c: c.login(
                    creds.handle, creds.app_password, fetch_bsky_profile=False
                ),
            )
        except AtProtocolError as exc:
            raise self._translate(exc, "sign in") from exc
        log.info("bluesky: signed in with the app password")

    def _renew_session(self, client: Client) -> None:
        """Refresh the session once; fall back to the app password once."""
        session = self._client_session()
        if session is not None:
            try:
                headers = {"Authorization": f"Bearer {session.refresh_jwt}"}
                fresh = _send(
                    client,
                    lambda c: c.com.atproto.server.refresh_session(
                        headers=headers, ignore_session_check=True
                    ),
                )
            except (BadRequestError, UnauthorizedError) as exc:
                log.info("bluesky: refresh refused (%s); signing in", _error_name(exc))
            except AtProtocolError as exc:
                raise self._translate(exc, "refresh the session") from exc
            else:
                renewed = Session(
                    fresh.handle,
                    fresh.did,
                    fresh.access_jwt,
                    fresh.refresh_jwt,
                    session.pds_endpoint,
                )
                client.login(session_string=renewed.encode(), fetch_bsky_profile=False)
                log.info("bluesky: session refreshed")
                return
        self._create_session(client)

    def _client_session(self) -> Session | None:
        if self._client is None:
            return None
        try:
            return Session.decode(self._client.export_session_string())
        except LoginRequiredError:
            return None

    def _did(self, client: Client) -> str:
        return str(Session.decode(client.export_session_string()).did)

    def _load_session(self) -> str | None:
        path = self.creds.session_file
        if path is None or not path.is_file():
            return None
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            session = str(saved["session"])
            # The SDK needs an ``exp`` claim to know when to refresh.
            if not Session.decode(session).access_jwt_payload.exp:
                raise ValueError("no exp claim")
        except (OSError, ValueError, KeyError, TypeError, AtProtocolError):
            log.warning("bluesky: the session file cannot be read; signing in again")
            return None
        # A cache written for another account must never be used for this one.
        if saved.get("account") != _account_key(self.creds):
            log.info("bluesky: the session file is for another account; ignoring it")
            return None
        return session

    def _save_session(self, client: Client) -> None:
        path = self.creds.session_file
        if path is None:
            return
        payload = {
            "account": _account_key(self.creds),
            "session": client.export_session_string(),
        }
        try:
            _write_secret(path, json.dumps(payload))
        except OSError as exc:
            log.warning("bluesky: could not save the session file (%s)", exc.strerror)

    # -- calls and errors ---------------------------------------------------------

    def _call(
        self,
        action: str,
        request: Callable[[Client], T],
        *,
        translate: bool = True,
    ) -> T:
        """Run ``request``; after an expired or invalid token renew once and rerun.

        A token error means the server refused the call before doing anything,
        so running it again cannot duplicate a post. With ``translate`` off,
        atproto's own exception comes out, for callers that must look closer.
        """
        client = self._signed_in()
        try:
            return _send(client, request)
        except AtProtocolError as exc:
            if _error_name(exc) not in SESSION_ERRORS:
                self._reraise(exc, action, translate)
            log.info("bluesky: %s during %s; renewing", _error_name(exc), action)
        self._renew_session(client)
        try:
            return _send(client, request)
        except AtProtocolError as exc:
            self._reraise(exc, action, translate)

    def _reraise(self, exc: AtProtocolError, action: str, translate: bool) -> NoReturn:
        if translate:
            raise self._translate(exc, action) from exc
        raise exc

    def _translate(self, exc: AtProtocolError, action: str) -> PlatformError:
        """Sort an atproto exception into the product's error tree."""
        name = _error_name(exc)
        detail = _error_message(exc)
        status = _status(exc)
        where = f"Bluesky could not {action}"
        if isinstance(exc, RateLimitExceededError):
            return TransientPlatformError(
                f"{where}: rate limited. It will be retried after the limit resets.",
                platform=self.name,
                code=name or "RateLimitExceeded",
                detail=detail,
                retry_at=self._retry_at(exc),
            )
        if (
            isinstance(exc, LoginRequiredError)
            or status == 401
            or name in SESSION_ERRORS
        ):
            return PermanentPlatformError(
                f"{where}: the handle or app password was refused "
                f"({name or status or 'no usable session'}). Create a new app "
                "password in Bluesky's settings, put it in BSKY_APP_PASSWORD and "
                "run 'publisher doctor'.",
                platform=self.name,
                code=name or "AuthenticationRequired",
                detail=detail,
                reauth=True,
            )
        if status == 403:
            return PermanentPlatformError(
                f"{where}: the account may not do this ({name}). Check that the "
                "account is in good standing and the app password is allowed to post.",
                platform=self.name,
                code=name or "Forbidden",
                detail=detail,
            )
        if status is None or status >= 500 or status in (408, 409):
            return TransientPlatformError(
                f"{where}: {_failure(exc, status)}. It will be tried again later.",
                platform=self.name,
                code=name or (str(status) if status else type(exc).__name__),
                detail=detail,
            )
        return PermanentPlatformError(
            f"{where}: the request was refused ({name or status}: {detail}). "
            "Fix the post; retrying will not help.",
            platform=self.name,
            code=name or str(status),
            detail=detail,
        )

    def _retry_at(self, exc: RateLimitExceededError) -> datetime | None:
        reset: datetime | None = exc.reset_at
        if reset is not None:
            return reset
        return wait_until(self._now(), exc.retry_after)


def _failure(exc: AtProtocolError, status: int | None) -> str:
    if status is not None:
        return f"the server failed ({status})"
    if isinstance(exc, InvokeTimeoutError):
        return "the server did not answer in time"
    if isinstance(exc, NetworkError):
        return "the connection failed"
    return "the server's answer could not be read"


def _send(client: Client, request: Callable[[Client], T]) -> T:
    try:
        return request(client)
    except httpx.HTTPError as exc:
        # atproto lets some transport failures, such as a connection closed
        # without an answer, through as raw httpx errors.
        raise NetworkError() from exc


def _upload_blob(client: Client, data: bytes, item: PostImage) -> models.BlobRef:
    # The SDK sends '*/*' unless told; the real type keeps the blob honest.
    # content= (not data=) avoids httpx's raw-bytes deprecation path.
    response = client.com.atproto.repo.upload_blob(
        None, content=data, headers={"Content-Type": item.image.media_type}
    )
    return response.blob


def _answer_lost(exc: AtProtocolError) -> bool:
    """Whether a create may have happened although no clear answer came back."""
    if isinstance(exc, LoginRequiredError):
        return False
    if not isinstance(exc, RequestErrorBase):
        return True  # an answer came but could not be read
    status = _status(exc)
    if status is None:
        # No connection means nothing was sent; anything later is uncertain.
        return not isinstance(exc.__cause__, (httpx.ConnectError, httpx.ConnectTimeout))
    return status >= 500


def _status(exc: AtProtocolError) -> int | None:
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        return int(exc.response.status_code)
    return None


def _error_name(exc: AtProtocolError) -> str | None:
    content = _content(exc)
    name = getattr(content, "error", None)
    # A name by the protocol; servers have sent objects and lists instead.
    return name if isinstance(name, str) else None


def _error_message(exc: AtProtocolError) -> str | None:
    content = _content(exc)
    message = getattr(content, "message", None)
    return short(str(message)) if message else None


def _content(exc: AtProtocolError) -> Any:
    if isinstance(exc, RequestErrorBase) and exc.response is not None:
        return exc.response.content
    return None


def _split_uri(uri: str) -> tuple[str, str, str]:
    """``at://did/collection/rkey`` -> its three parts."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or not uri.startswith("at://") or parts[1] != POST_COLLECTION:
        raise PermanentPlatformError(
            f"The stored Bluesky id {uri!r} is not an at:// post URI; delete "
            "the post by hand in the Bluesky app.",
            platform="bluesky",
            code="bad_uri",
        )
    return parts[0], parts[1], parts[2]


def _account_key(creds: BlueskyCredentials) -> str:
    return f"{creds.pds_url.rstrip('/')}|{creds.handle.lower()}"


def _write_secret(path: Path, text: str) -> None:
    """Replace ``path`` atomically with a file only its owner can read."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=".session-", dir=path.parent)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
