"""Instagram: media containers from public URLs, then ``media_publish``.

Instagram takes no image bytes: Meta fetches each image from a URL. So each
sanitised JPEG is copied into ``IG_PUBLIC_MEDIA_DIR`` under a random name,
served from ``IG_PUBLIC_MEDIA_BASE_URL`` only until its container is
processed, and removed in a ``finally`` whatever happens. Files left behind
by a crash are swept away on the next publish.

One image makes one container; two to four make carousel items and a
carousel container. Containers are polled until ``FINISHED`` with an
injectable sleep and a deadline, then published. The Graph API is called
with plain ``requests``, the token in the ``Authorization`` header so that it
never appears in a URL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

from publisher.config import InstagramCredentials
from publisher.errors import (
    PermanentPlatformError,
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PublishReceipt
from publisher.platforms._http import (
    json_body,
    new_session,
    read_image_bytes,
    short,
    transport_error,
    wait_until,
)
from publisher.platforms.base import Platform

log = logging.getLogger(__name__)

MAX_CAPTION = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
#: Public copies older than this are left over from a crash and are removed.
STALE_COPY_SECONDS = 3600
PUBLIC_PREFIX = "ig-"
#: Graph codes that mean "slow down" (app, user, page and Instagram limits).
THROTTLE_CODES = frozenset({4, 9, 17, 32, 613, 80001, 80002})
#: Graph codes that mean the permission is missing.
PERMISSION_CODES = frozenset({3, 10}) | frozenset(range(200, 300))
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_MENTION = re.compile(r"(?<![\w@])@[\w.]+")


def caption_length(text: str) -> int:
    """Caption length in UTF-16 units: never below Instagram's own count."""
    return len(text.encode("utf-16-le")) // 2


class InstagramPlatform(Platform):
    """One Instagram professional account, published to through the Graph API."""

    name = "instagram"
    max_images = 4
    #: Meta says 8 MB; the decimal reading is the safe one.
    max_image_bytes = 8_000_000
    max_alt_chars = 1000

    def __init__(
        self,
        creds: InstagramCredentials,
        *,
        timeout: float,
        poll_interval: float = 5.0,
        poll_deadline: float = 300.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.creds = creds
        self.timeout = timeout
        self.poll_interval = poll_interval
        self.poll_deadline = poll_deadline
        self._sleep = sleep
        self._monotonic = monotonic
        self._now = now
        self._base = f"{creds.graph_base.rstrip('/')}/{creds.graph_version}"
        self._session = new_session(timeout)
        self._session.headers["Authorization"] = f"Bearer {creds.access_token}"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._session.close()

    # -- limits ---------------------------------------------------------------

    def limit_problems(self, post: OutgoingPost) -> list[str]:
        """Every way ``post`` breaks Instagram's limits."""
        problems = super().limit_problems(post)
        if not post.images:
            problems.append("Instagram needs at least one image; this post has none.")
        for number, item in enumerate(post.images, start=1):
            image = item.image
            if image.media_type != "image/jpeg":
                problems.append(
                    f"Image {number} is {image.media_type}; Instagram takes JPEG only."
                )
            # 4:5 (portrait) to 1.91:1 (landscape), in exact integer arithmetic.
            if (
                image.width * 5 < image.height * 4
                or image.width * 100 > image.height * 191
            ):
                problems.append(
                    f"Image {number} is {image.width}x{image.height}; Instagram "
                    "takes aspect ratios from 4:5 to 1.91:1. Crop it."
                )
        problems.extend(_caption_problems(post.text))
        return problems

    # -- publish ----------------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        """Create and wait for the container(s), then publish."""
        self.refuse_over_limits(post)
        images = [
            read_image_bytes(item.image, number)
            for number, item in enumerate(post.images, start=1)
        ]
        self._sweep_stale_copies()
        self._check_quota()

        containers = self._containers(post, images)
        media_id = self._publish_container(containers[-1], post)
        return PublishReceipt(
            remote_id=media_id,
            url=self._permalink(media_id),
            extra={"containers": containers},
        )

    def _containers(self, post: OutgoingPost, images: list[bytes]) -> list[str]:
        """Make the container(s) for ``post``; the last one is to be published.

        All image containers are created before any is waited for, so Meta
        fetches and processes the images together.
        """
        alts = [item.alt_text for item in post.images]
        with self._public_copies(images) as urls:
            if len(urls) == 1:
                fields = [
                    {"image_url": urls[0], "caption": post.text, "alt_text": alts[0]}
                ]
            else:
                fields = [
                    {"image_url": url, "is_carousel_item": "true", "alt_text": alt}
                    for url, alt in zip(urls, alts, strict=True)
                ]
            labels = [f"image {number}" for number in range(1, len(fields) + 1)]
            containers = [
                self._create(f, label) for f, label in zip(fields, labels, strict=True)
            ]
            for container, label in zip(containers, labels, strict=True):
                self._wait_finished(container, label)
        # Every image is processed, so Meta has fetched it: the public copies
        # are gone before the carousel is made or anything is published.
        if len(containers) > 1:
            carousel = {
                "media_type": "CAROUSEL",
                "children": ",".join(containers),
                "caption": post.text,
            }
            containers.append(self._create(carousel, "the carousel"))
            self._wait_finished(containers[-1], "the carousel")
        return containers

    def _create(self, fields: dict[str, str], label: str) -> str:
        body = self._graph(
            "POST", f"{self.creds.user_id}/media", f"create {label}", data=fields
        )
        return str(body["id"])

    def _wait_finished(self, container: str, label: str) -> None:
        """Poll ``status_code`` until FINISHED, within ``poll_deadline`` seconds."""
        deadline = self._monotonic() + self.poll_deadline
        while True:
            state, status = self._container_status(container, f"check {label}")
            if state in ("FINISHED", "PUBLISHED"):
                return
            if state == "ERROR":
                raise PermanentPlatformError(
                    f"Instagram could not process {label} ({status}). It must "
                    "be a public JPEG of 8 MB or less with an aspect ratio from "
                    "4:5 to 1.91:1, reachable at IG_PUBLIC_MEDIA_BASE_URL.",
                    platform=self.name,
                    code="container_error",
                    detail=status,
                )
            if state == "EXPIRED":
                raise TransientPlatformError(
                    f"The Instagram container for {label} expired before it was "
                    "published. The post will be tried again from the start.",
                    platform=self.name,
                    code="container_expired",
                )
            if self._monotonic() >= deadline:
                raise TransientPlatformError(
                    f"Instagram was still processing {label} after "
                    f"{self.poll_deadline:.0f} seconds. It will be tried again later.",
                    platform=self.name,
                    code="container_in_progress",
                    detail=container,
                )
            self._sleep(self.poll_interval)

    def _container_status(self, container: str, action: str) -> tuple[str, str]:
        body = self._graph(
            "GET", container, action, params={"fields": "status_code,status"}
        )
        return str(body.get("status_code", "")), short(str(body.get("status", "")))

    def _publish_container(self, container: str, post: OutgoingPost) -> str:
        try:
            body = self._graph(
                "POST",
                f"{self.creds.user_id}/media_publish",
                "publish the post",
                data={"creation_id": container},
                creates=True,
            )
        except UnknownOutcomeError as lost:
            return self._settle_lost_publish(container, post, lost)
        log.info("post %s: published to instagram", post.post_id)
        return str(body["id"])

    def _settle_lost_publish(
        self, container: str, post: OutgoingPost, lost: UnknownOutcomeError
    ) -> str:
        """The answer to media_publish was lost: the container's state tells."""
        log.warning("post %s: instagram publish answer lost; checking", post.post_id)
        try:
            state, _ = self._container_status(container, "check the post")
        except PlatformError:
            raise lost from None
        if state == "FINISHED":
            raise TransientPlatformError(
                "Instagram did not publish the post (its container is still "
                "unpublished). It is safe to publish again; it will be retried.",
                platform=self.name,
                code="not_published",
                detail=container,
            ) from lost
        if state == "PUBLISHED":
            media_id = self._find_published(post.text)
            if media_id is not None:
                return media_id
            raise UnknownOutcomeError(
                "Instagram published the post but its id could not be found. "
                "Do not publish it again; find the post in the Instagram app "
                "and record it by hand.",
                platform=self.name,
                code="published_id_unknown",
                detail=container,
            ) from lost
        raise lost

    def _find_published(self, caption: str) -> str | None:
        """The id of the one recent post with exactly this caption, if any."""
        try:
            body = self._graph(
                "GET",
                f"{self.creds.user_id}/media",
                "list recent posts",
                params={"fields": "id,caption", "limit": "10"},
            )
        except PlatformError:
            return None
        matches = [
            str(item["id"])
            for item in body.get("data") or []
            if item.get("caption", "") == caption and "id" in item
        ]
        return matches[0] if len(matches) == 1 else None

    def _permalink(self, media_id: str) -> str | None:
        # The post exists whatever happens here: never fail after publishing.
        try:
            body = self._graph(
                "GET", media_id, "read the permalink", params={"fields": "permalink"}
            )
        except PlatformError as exc:
            log.warning("instagram media %s: no permalink (%s)", media_id, exc.code)
            return None
        link = body.get("permalink")
        return str(link) if link else None

    def _check_quota(self) -> None:
        """Stop before creating anything when the 24-hour quota is used up."""
        body = self._graph(
            "GET",
            f"{self.creds.user_id}/content_publishing_limit",
            "read the publishing quota",
            params={"fields": "quota_usage,config"},
        )
        for entry in body.get("data") or []:
            used = int(entry.get("quota_usage", 0))
            total = int((entry.get("config") or {}).get("quota_total", 100))
            if used >= total:
                raise TransientPlatformError(
                    f"Instagram's limit of {total} published posts in 24 hours "
                    "is used up. The post will be tried again later.",
                    platform=self.name,
                    code="quota",
                    detail=f"{used}/{total}",
                )

    # -- public copies ------------------------------------------------------------

    @contextmanager
    def _public_copies(self, images: list[bytes]) -> Iterator[list[str]]:
        """Expose each image under a random public name; remove them on exit."""
        folder = self.creds.public_media_dir
        paths: list[Path] = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for data in images:
                path = folder / f"{PUBLIC_PREFIX}{secrets.token_urlsafe(24)}.jpg"
                paths.append(path)
                _write_public(path, data)
            base = self.creds.public_media_base_url.rstrip("/")
            yield [f"{base}/{path.name}" for path in paths]
        finally:
            for path in paths:
                path.unlink(missing_ok=True)
            log.debug("instagram: %d public cop(ies) removed", len(paths))

    def _sweep_stale_copies(self) -> None:
        folder = self.creds.public_media_dir
        if not folder.is_dir():
            return
        cutoff = time.time() - STALE_COPY_SECONDS
        for path in folder.glob(f"{PUBLIC_PREFIX}*.jpg"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    log.warning("instagram: removed a stale public copy %s", path.name)
            except OSError:
                continue

    # -- delete and check ---------------------------------------------------------

    def delete(self, receipt: PublishReceipt) -> None:
        """Delete the post; a post that is already gone counts as deleted."""
        try:
            self._graph("DELETE", receipt.remote_id, "delete the post")
        except PermanentPlatformError as exc:
            if exc.code is not None and exc.code.split("/")[0] == "100":
                # Code 100 on a delete means the object does not exist; it can
                # also hide a lost permission, so it is logged loudly.
                log.warning("instagram media %s was already gone", receipt.remote_id)
                return
            raise PermanentPlatformError(
                f"{exc} If the API cannot delete it, delete the post by hand in "
                "the Instagram app and record that it was done.",
                platform=self.name,
                code=exc.code,
                detail=exc.detail,
                reauth=exc.reauth,
            ) from exc
        log.info("instagram media %s deleted", receipt.remote_id)

    def check_credentials(self) -> str:
        """Read the account's username."""
        body = self._graph(
            "GET", self.creds.user_id, "read the account", params={"fields": "username"}
        )
        return "@" + str(body.get("username", self.creds.user_id))

    # -- Graph calls and errors -----------------------------------------------------

    def _graph(
        self,
        method: str,
        path: str,
        action: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        creates: bool = False,
    ) -> dict[str, Any]:
        """One Graph call; the JSON object answered, or a sorted error."""
        url = f"{self._base}/{path}"
        try:
            response = self._session.request(
                method, url, params=params, data=data, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise transport_error(
                exc,
                platform=self.name,
                display="Instagram",
                action=action,
                creates=creates,
            ) from exc
        body = json_body(response)
        if response.ok and body is not None and "error" not in body:
            return body
        raise self._graph_error(response, body, action, creates)

    def _graph_error(
        self,
        response: requests.Response,
        body: dict[str, Any] | None,
        action: str,
        creates: bool,
    ) -> PlatformError:
        """Sort a Graph error by its code, not its HTTP status."""
        status = response.status_code
        error = body.get("error") if body else None
        where = f"Instagram could not {action}"
        if not isinstance(error, dict):
            return self._bare_error(status, where, creates, response)
        # Numbers by Meta's contract; anything else is treated as unknown.
        code = _number(error.get("code"))
        subcode = _number(error.get("error_subcode"))
        tag = f"{code}/{subcode}" if subcode else str(code)
        detail = short(str(error.get("message", "")), (self.creds.access_token,))
        if code in (190, 102):
            return PermanentPlatformError(
                f"{where}: the access token is no longer valid ({tag}). Make a "
                "new long-lived token, put it in IG_ACCESS_TOKEN and run "
                "'publisher doctor'.",
                platform=self.name,
                code=tag,
                detail=detail,
                reauth=True,
            )
        if code in PERMISSION_CODES:
            return PermanentPlatformError(
                f"{where}: a permission is missing ({tag}). Grant the app "
                "instagram_basic, instagram_content_publish and, for takedowns, "
                "instagram_manage_contents, then make a new token.",
                platform=self.name,
                code=tag,
                detail=detail,
            )
        if code in THROTTLE_CODES or status == 429:
            return TransientPlatformError(
                f"{where}: rate limited ({tag}). It will be retried later.",
                platform=self.name,
                code=tag,
                detail=detail,
                retry_at=self._retry_at(response),
            )
        if code in (9004, 9007) or (not creates and _transient(error, status)):
            return TransientPlatformError(
                f"{where}: a temporary problem ({tag}). It will be tried again later.",
                platform=self.name,
                code=tag,
                detail=detail,
            )
        if creates and _transient(error, status):
            return _lost(where, tag, detail)
        return PermanentPlatformError(
            f"{where}: the request was refused ({tag}: {detail}). Fix the post; "
            "retrying will not help.",
            platform=self.name,
            code=tag,
            detail=detail,
        )

    def _bare_error(
        self, status: int, where: str, creates: bool, response: requests.Response
    ) -> PlatformError:
        """An answer without a Graph error object: HTML, empty or unreadable."""
        if status == 429:
            return TransientPlatformError(
                f"{where}: rate limited (429). It will be retried later.",
                platform=self.name,
                code="429",
                retry_at=self._retry_at(response),
            )
        if creates and (status >= 500 or response.ok):
            return _lost(where, str(status), None)
        if status >= 500 or response.ok:
            return TransientPlatformError(
                f"{where}: the server failed ({status}). It will be tried again later.",
                platform=self.name,
                code=str(status),
            )
        return PermanentPlatformError(
            f"{where}: an unexpected answer ({status}). Check IG_GRAPH_BASE and "
            "IG_GRAPH_VERSION in .env.",
            platform=self.name,
            code=str(status),
        )

    def _retry_at(self, response: requests.Response) -> datetime | None:
        """When Meta says access returns: BUC usage minutes, or Retry-After."""
        usage = _usage_minutes(response.headers.get("X-Business-Use-Case-Usage"))
        if usage:
            return wait_until(self._now(), usage * 60)
        after = response.headers.get("Retry-After", "")
        if after.strip().isdigit():
            return wait_until(self._now(), int(after))
        return None


def _caption_problems(text: str) -> list[str]:
    problems = []
    length = caption_length(text)
    if length > MAX_CAPTION:
        problems.append(
            f"The caption is {length:,} characters; Instagram takes at most "
            f"{MAX_CAPTION:,}. Shorten it."
        )
    tags = len(_HASHTAG.findall(text))
    if tags > MAX_HASHTAGS:
        problems.append(
            f"The caption has {tags} hashtags; Instagram takes at most {MAX_HASHTAGS}."
        )
    mentions = len(_MENTION.findall(text))
    if mentions > MAX_MENTIONS:
        problems.append(
            f"The caption has {mentions} @-mentions; Instagram takes at most "
            f"{MAX_MENTIONS}."
        )
    return problems


def _transient(error: Mapping[str, Any], status: int) -> bool:
    return (
        bool(error.get("is_transient")) or error.get("code") in (1, 2) or status >= 500
    )


def _lost(where: str, tag: str, detail: str | None) -> UnknownOutcomeError:
    return UnknownOutcomeError(
        f"{where}: the server failed after the request arrived ({tag}), so the "
        "post may exist. Check the account before publishing it again.",
        platform="instagram",
        code=tag,
        detail=detail,
    )


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usage_minutes(header: str | None) -> int:
    """The longest ``estimated_time_to_regain_access`` in a BUC usage header."""
    if not header:
        return 0
    try:
        usage = json.loads(header)
    except ValueError:
        return 0
    minutes = [
        entry.get("estimated_time_to_regain_access")
        for entries in (usage.values() if isinstance(usage, dict) else [])
        if isinstance(entries, list)
        for entry in entries
        if isinstance(entry, dict)
    ]
    return max((m for m in minutes if isinstance(m, int) and m > 0), default=0)


def _write_public(path: Path, data: bytes) -> None:
    """Write a new world-readable file; never overwrite an existing one."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(handle, "wb") as out:
        # The command line's umask (077) would make it private; the web server
        # that shows it to Instagram usually runs as another account.
        os.fchmod(out.fileno(), 0o644)
        out.write(data)
