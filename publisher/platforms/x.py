"""X (formerly Twitter): images through the v2 media endpoints, posts via tweepy.

tweepy 4.17 has no v2 media upload (its ``API`` media methods call the
retired v1.1 host), so images go up through our own OAuth1-signed
``requests`` session to ``{api_base}/2/media/upload``: one multipart request
for JPEG, PNG and WebP, and initialize / append / finalize for GIFs. Alt text
goes to ``/2/media/metadata``. Only then does ``tweepy.Client.create_tweet``
make the post.

tweepy.Client hard-codes ``https://api.twitter.com`` and passes no timeout,
so its session gets an adapter that adds one and, when ``client_base`` says
so, sends the requests elsewhere. ``wait_on_rate_limit`` stays off: tweepy
would otherwise sleep inside the call, or recurse without sleeping when a 429
has no reset header.

Error codes kept in ``PlatformError.code`` are the HTTP status, followed by
``:name`` when X names the problem (``403:duplicate``,
``403:oauth1-permissions``, ``429:88``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import requests
import tweepy
from requests_oauthlib import OAuth1

from publisher.config import XCredentials
from publisher.errors import (
    PlatformError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.models import OutgoingPost, PublishReceipt, SanitisedImage
from publisher.platforms import _http
from publisher.platforms.base import Platform
from publisher.platforms.textlength import X_MAX_WEIGHTED_LENGTH, x_text_length
from publisher.platforms.x_errors import (
    DISPLAY,
    is_missing_post,
    processing_failed,
    x_error,
)

logger = logging.getLogger(__name__)

#: The host tweepy.Client writes into every URL it builds.
TWEEPY_HOST = "https://api.twitter.com"
GIF_TYPE = "image/gif"
ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp", GIF_TYPE)
#: Append chunks stay under X's per-chunk cap with room to spare.
CHUNK_BYTES = 4 * 1024 * 1024
#: How long to wait for X to finish processing one image before giving up.
DEFAULT_MAX_PROCESSING_WAIT = 120.0
POST_URL = "https://x.com/i/web/status/{id}"
#: Recent posts read when looking for a post whose answer was lost.
TIMELINE_LOOKBACK = 10
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
}

T = TypeVar("T")


class XPlatform(Platform):
    """The school's X account, signed in with OAuth 1.0a user context."""

    name = "x"
    max_images = 4
    max_image_bytes = 5_000_000
    #: X takes GIFs up to 15 MB, but only one per post and on its own.
    max_gif_bytes = 15_000_000
    max_alt_chars = 1000
    #: Smallest and largest side in pixels X accepts for an image.
    min_side = 4
    max_side = 8192

    def __init__(
        self,
        creds: XCredentials,
        *,
        timeout: float,
        sleep: Callable[[float], None] = time.sleep,
        max_processing_wait: float = DEFAULT_MAX_PROCESSING_WAIT,
    ) -> None:
        self._api_base = creds.api_base.rstrip("/")
        self._sleep = sleep
        self._max_processing_wait = max_processing_wait
        self._secrets = (
            creds.api_key,
            creds.api_secret,
            creds.access_token,
            creds.access_token_secret,
        )

        self._http = _http.new_session(timeout)
        self._http.auth = OAuth1(
            creds.api_key,
            client_secret=creds.api_secret,
            resource_owner_key=creds.access_token,
            resource_owner_secret=creds.access_token_secret,
        )

        self._client = tweepy.Client(
            consumer_key=creds.api_key,
            consumer_secret=creds.api_secret,
            access_token=creds.access_token,
            access_token_secret=creds.access_token_secret,
            wait_on_rate_limit=False,
        )
        adapter = _http.RoutingAdapter(
            timeout, _http.prefix_rewrite(TWEEPY_HOST, creds.client_base)
        )
        self._client.session.mount("https://", adapter)
        self._client.session.mount("http://", adapter)

    def close(self) -> None:
        """Close the pooled connections of both sessions."""
        self._http.close()
        self._client.session.close()

    # Limits ---------------------------------------------------------------

    def limit_problems(self, post: OutgoingPost) -> list[str]:
        """The base checks plus X's GIF, dimension and weighted-text rules."""
        problems = super().limit_problems(_gifs_at_still_limit(post, self))
        problems += self._gif_problems(post)
        problems += self._image_problems(post)
        problems += self._text_problems(post)
        return problems

    def _gif_problems(self, post: OutgoingPost) -> list[str]:
        problems: list[str] = []
        gifs = [
            (number, item.image)
            for number, item in enumerate(post.images, start=1)
            if item.image.media_type == GIF_TYPE
        ]
        if gifs and len(post.images) > 1:
            problems.append(
                "X takes a GIF only on its own; post the GIF separately or "
                "leave it out."
            )
        for number, image in gifs:
            if image.byte_size > self.max_gif_bytes:
                problems.append(
                    f"Image {number} is a GIF of {image.byte_size:,} bytes; "
                    f"X takes GIFs of at most {self.max_gif_bytes:,}."
                )
        return problems

    def _image_problems(self, post: OutgoingPost) -> list[str]:
        problems: list[str] = []
        for number, item in enumerate(post.images, start=1):
            if item.image.media_type not in ACCEPTED_TYPES:
                problems.append(
                    f"Image {number} is {item.image.media_type}; X takes JPEG, "
                    "PNG, WebP or GIF."
                )
            width, height = item.image.width, item.image.height
            if not (
                self.min_side <= width <= self.max_side
                and self.min_side <= height <= self.max_side
            ):
                problems.append(
                    f"Image {number} is {width}×{height} pixels; X takes "
                    f"{self.min_side} to {self.max_side} pixels a side."
                )
        return problems

    def _text_problems(self, post: OutgoingPost) -> list[str]:
        if not post.text.strip():
            if post.images:
                return []
            return ["The post has no text and no images; X needs one or the other."]
        length = x_text_length(post.text)
        problems: list[str] = []
        if length.weighted > X_MAX_WEIGHTED_LENGTH:
            problems.append(
                f"The text counts {length.weighted} on X, which takes at most "
                f"{X_MAX_WEIGHTED_LENGTH} (every link counts 23, most emoji "
                "and Chinese, Japanese or Korean characters count 2). Shorten it."
            )
        if length.has_invalid_characters:
            problems.append(
                "The text holds characters X refuses (such as U+FFFE or "
                "U+FEFF); remove them."
            )
        return problems

    # Publishing -----------------------------------------------------------

    def publish(self, post: OutgoingPost) -> PublishReceipt:
        """Upload every image, set each alt text, then make the post."""
        self.refuse_over_limits(post)

        media_ids: list[str] = []
        for number, item in enumerate(post.images, start=1):
            data = _http.read_image_bytes(item.image, number)
            media_ids.append(self._upload(data, item.image, number))

        # Alt texts go on after every upload succeeded, in the post's order.
        for number, (media_id, item) in enumerate(
            zip(media_ids, post.images, strict=True), start=1
        ):
            self._set_alt_text(media_id, item.alt_text, number)

        tweet_id = self.create_or_find(
            lambda: self._create_post(post.text, media_ids), self._find_post, media_ids
        )
        logger.info(
            "x: post %s published as %s with %d images",
            post.post_id,
            tweet_id,
            len(media_ids),
        )
        return PublishReceipt(
            remote_id=tweet_id,
            url=POST_URL.format(id=tweet_id),
            extra={"media_ids": media_ids},
        )

    def _upload(self, data: bytes, image: SanitisedImage, number: int) -> str:
        if image.media_type == GIF_TYPE:
            answer = self._upload_chunked(data, image.media_type, number)
        else:
            answer = self._upload_simple(data, image.media_type, number)
        media_id = _media_id(answer, f"upload image {number}")

        info = answer.get("processing_info")
        if isinstance(info, dict):
            self._wait_until_processed(media_id, info, number)
        logger.info(
            "x: image %d uploaded as media %s (%d bytes)", number, media_id, len(data)
        )
        return media_id

    def _upload_simple(self, data: bytes, mime: str, number: int) -> dict[str, Any]:
        return self._api_data(
            "POST",
            "/2/media/upload",
            action=f"upload image {number}",
            data={"media_category": "tweet_image", "media_type": mime},
            files={"media": (_file_name(mime), data, mime)},
        )

    def _upload_chunked(self, data: bytes, mime: str, number: int) -> dict[str, Any]:
        action = f"upload image {number}"
        started = self._api_data(
            "POST",
            "/2/media/upload/initialize",
            action=action,
            json={
                "media_type": mime,
                "total_bytes": len(data),
                "media_category": "tweet_gif",
            },
        )
        media_id = _media_id(started, action)

        for index, start in enumerate(range(0, len(data), CHUNK_BYTES)):
            chunk = data[start : start + CHUNK_BYTES]
            self._api(
                "POST",
                f"/2/media/upload/{media_id}/append",
                action=action,
                data={"segment_index": str(index)},
                files={"media": ("chunk", chunk, "application/octet-stream")},
            )
        return self._api_data(
            "POST", f"/2/media/upload/{media_id}/finalize", action=action
        )

    def _wait_until_processed(
        self, media_id: str, info: dict[str, Any], number: int
    ) -> None:
        """Poll STATUS while X processes the media, within a waiting budget."""
        waited = 0.0
        while True:
            state = info.get("state")
            if state == "succeeded":
                return
            if state == "failed":
                raise processing_failed(info, number)
            if state not in ("pending", "in_progress"):
                raise TransientPlatformError(
                    f"X reported an unexpected processing state for image {number}. "
                    "The post will be retried later.",
                    platform=self.name,
                    code=f"processing:{state}",
                )

            delay = max(1.0, float(info.get("check_after_secs") or 1))
            if waited + delay > self._max_processing_wait:
                raise TransientPlatformError(
                    f"X was still processing image {number} after "
                    f"{waited:.0f} seconds. The post will be retried later.",
                    platform=self.name,
                    code="processing-timeout",
                )
            self._sleep(delay)
            waited += delay

            status = self._api_data(
                "GET",
                "/2/media/upload",
                action=f"check processing of image {number}",
                params={"command": "STATUS", "media_id": media_id},
            )
            info = status.get("processing_info") or {"state": "succeeded"}

    def _set_alt_text(self, media_id: str, alt_text: str, number: int) -> None:
        self._api(
            "POST",
            "/2/media/metadata",
            action=f"set the alt text of image {number}",
            json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}},
        )

    def _find_post(self, media_ids: list[str]) -> str | None:
        me = self._tweepy("check the account", self._client.get_me)
        user_id = getattr(me.data, "id", None)
        if not user_id:
            return None
        response = self._api(
            "GET",
            f"/2/users/{user_id}/tweets",
            action="look for the post on the timeline",
            params={
                "max_results": str(TIMELINE_LOOKBACK),
                "expansions": "attachments.media_keys",
            },
        )
        wanted = set(media_ids)
        body = _http.json_body(response) or {}
        for entry in body.get("data") or []:
            keys = ((entry or {}).get("attachments") or {}).get("media_keys") or []
            if {str(key).split("_", 1)[-1] for key in keys} == wanted:
                return str(entry.get("id"))
        return None

    def _create_post(self, text: str, media_ids: list[str]) -> str:
        action = "publish the post"
        response = self._tweepy(
            action,
            lambda: self._client.create_tweet(
                text=text if text.strip() else None,
                media_ids=media_ids or None,
            ),
            creates=True,
        )
        data = response.data
        if not isinstance(data, dict) or not data.get("id"):
            raise UnknownOutcomeError(
                "X answered the post without its id. The post may exist: check "
                "the account's timeline before sending it again.",
                platform=self.name,
                code="unreadable-response",
            )
        return str(data["id"])

    # Takedown and health check ---------------------------------------------

    def delete(self, receipt: PublishReceipt) -> None:
        """Delete the post; a post X no longer has counts as deleted."""
        action = "delete the post"
        try:
            response = self._client.delete_tweet(receipt.remote_id)
        except tweepy.NotFound as exc:
            if not is_missing_post(exc.response):
                raise x_error(
                    exc.response, action=action, secrets=self._secrets
                ) from exc
            logger.info("x: post %s was already gone", receipt.remote_id)
            return
        except tweepy.HTTPException as exc:
            raise x_error(exc.response, action=action, secrets=self._secrets) from exc
        except requests.RequestException as exc:
            raise self._transport(exc, action) from exc

        data = response.data if isinstance(response.data, dict) else {}
        if data.get("deleted"):
            logger.info("x: post %s deleted", receipt.remote_id)
        else:
            logger.info("x: post %s was already gone", receipt.remote_id)

    def check_credentials(self) -> str:
        """Read the account behind the tokens; return ``@username``."""
        response = self._tweepy("check the account", self._client.get_me)
        username = getattr(response.data, "username", None)
        if not username:
            raise TransientPlatformError(
                "X answered the account check without a username. Try again later.",
                platform=self.name,
                code="unreadable-response",
            )
        return f"@{username}"

    # HTTP -----------------------------------------------------------------

    def _api(
        self, method: str, path: str, *, action: str, **kwargs: Any
    ) -> requests.Response:
        """One call on our own signed session; uploads are never creates."""
        try:
            response = self._http.request(method, self._api_base + path, **kwargs)
        except requests.RequestException as exc:
            raise self._transport(exc, action) from exc
        if not 200 <= response.status_code < 300:
            raise x_error(response, action=action, secrets=self._secrets)
        return response

    def _api_data(
        self, method: str, path: str, *, action: str, **kwargs: Any
    ) -> dict[str, Any]:
        response = self._api(method, path, action=action, **kwargs)
        body = _http.json_body(response)
        data = body.get("data") if body else None
        if not isinstance(data, dict):
            raise TransientPlatformError(
                f"X answered the request to {action} without the expected data. "
                "It will be retried later.",
                platform=self.name,
                code="unreadable-response",
            )
        return data

    def _tweepy(
        self, action: str, call: Callable[[], T], *, creates: bool = False
    ) -> T:
        try:
            return call()
        except tweepy.HTTPException as exc:
            raise x_error(
                exc.response, action=action, creates=creates, secrets=self._secrets
            ) from exc
        except requests.RequestException as exc:
            raise self._transport(exc, action, creates=creates) from exc

    def _transport(
        self, exc: requests.RequestException, action: str, *, creates: bool = False
    ) -> PlatformError:
        return _http.transport_error(
            exc, platform=self.name, display=DISPLAY, action=action, creates=creates
        )


def _gifs_at_still_limit(post: OutgoingPost, platform: XPlatform) -> OutgoingPost:
    """``post`` as the base size check should see it.

    The base measures every image against ``max_image_bytes``; GIFs have
    their own, larger limit, checked in ``_gif_problems``. So GIFs are shown
    to the base check at no more than the still-image limit.
    """
    cap = platform.max_image_bytes
    images = tuple(
        replace(
            item, image=item.image._replace(byte_size=min(item.image.byte_size, cap))
        )
        if item.image.media_type == GIF_TYPE
        else item
        for item in post.images
    )
    return replace(post, images=images)


def _media_id(data: dict[str, Any], action: str) -> str:
    media_id = data.get("id") or data.get("media_id_string") or data.get("media_id")
    if not media_id:
        raise TransientPlatformError(
            f"X answered the request to {action} without a media id. "
            "It will be retried later.",
            platform="x",
            code="unreadable-response",
        )
    return str(media_id)


def _file_name(mime: str) -> str:
    """A file name that says nothing about the picture or the pupil."""
    return f"image.{_EXTENSIONS.get(mime, 'bin')}"
