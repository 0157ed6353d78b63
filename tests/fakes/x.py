"""A faithful local fake of the X API v2 routes the bot uses.

It serves the current media endpoints (one-shot upload, initialize / append /
finalize, STATUS, metadata), ``POST /2/tweets``, ``DELETE /2/tweets/{id}``
and ``GET /2/users/me``. Everything else, including v1.1 paths and the
retired ``?command=INIT`` form, gets X's 404 problem body.

Each request must carry a valid OAuth 1.0a signature. tweepy signs for
``https://api.twitter.com`` even when an adapter reroutes it here, so the
signature is checked against the URL actually called and against both
public hosts. Rules enforced: image and GIF sizes, media types by magic
bytes, four media per post, alt text of 1,000 characters, weighted text
length (with the same twitter-text rules as the client), identical text,
media that exist, belong to the caller, have not expired and are processed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from oauthlib.oauth1.rfc5849 import signature as oauth_signature
from oauthlib.oauth1.rfc5849 import utils as oauth_utils
from twitter_text import parse_tweet

from tests.fakes.core import (
    FakeClock,
    FakePlatform,
    Fault,
    RecordedRequest,
    Response,
    Route,
    html_response,
    json_response,
    parse_multipart,
    sniff_image_type,
)

PUBLIC_HOSTS = ("https://api.twitter.com", "https://api.x.com")
PROBLEMS = "https://api.twitter.com/2/problems/"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_GIF_BYTES = 15 * 1024 * 1024
MAX_ALT_CHARS = 1000
MAX_MEDIA_PER_POST = 4
MEDIA_LIFETIME = 86_400
WINDOW_SECONDS = 900
ONE_SHOT_TYPES = {
    "image/jpeg",
    "image/bmp",
    "image/png",
    "image/webp",
    "image/pjpeg",
    "image/tiff",
}
CHUNKED_CATEGORIES = {"tweet_image": MAX_IMAGE_BYTES, "tweet_gif": MAX_GIF_BYTES}
DUPLICATE_DETAIL = "You are not allowed to create a Tweet with duplicate content."

_ROUTES = [
    ("POST", r"/2/media/upload", "POST /2/media/upload", "_upload"),
    ("GET", r"/2/media/upload", "GET /2/media/upload", "_status"),
    ("POST", r"/2/media/upload/initialize", "POST /2/media/upload/initialize", "_init"),
    (
        "POST",
        r"/2/media/upload/(?P<media_id>\d+)/append",
        "POST /2/media/upload/{id}/append",
        "_append",
    ),
    (
        "POST",
        r"/2/media/upload/(?P<media_id>\d+)/finalize",
        "POST /2/media/upload/{id}/finalize",
        "_finalize",
    ),
    ("POST", r"/2/media/metadata", "POST /2/media/metadata", "_metadata"),
    ("POST", r"/2/tweets", "POST /2/tweets", "_create"),
    ("DELETE", r"/2/tweets/(?P<tweet_id>\d+)", "DELETE /2/tweets/{id}", "_delete"),
    ("GET", r"/2/users/me", "GET /2/users/me", "_me"),
    (
        "GET",
        r"/2/users/(?P<user_id>\d+)/tweets",
        "GET /2/users/{id}/tweets",
        "_timeline",
    ),
]

FAULT_KINDS = frozenset(
    {
        "rate_limit",
        "rate_limit_24h",
        "rate_limit_no_reset",
        "server_error_html",
        "server_error_json",
        "expired_token",
        "revoked_token",
        "missing_permission",
        "client_forbidden",
        "duplicate",
        "payment_required",
        "media_not_ready",
        "media_failed",
    }
)


@dataclass
class XAccount:
    user_id: str
    username: str
    name: str
    access_token: str
    access_token_secret: str
    revoked: bool = False


@dataclass
class XMedia:
    id: str
    owner: str
    category: str
    media_type: str | None
    created_at: float
    data: bytes = b""
    total_bytes: int = 0
    chunks: dict[int, bytes] = field(default_factory=dict)
    #: initialized, pending, in_progress, succeeded or failed
    state: str = "succeeded"
    polls_left: int = 0
    outcome: str = "succeeded"
    alt_text: str | None = None

    @property
    def key(self) -> str:
        prefix = "16" if self.category == "tweet_gif" else "3"
        return f"{prefix}_{self.id}"


@dataclass
class XPost:
    id: str
    owner: str
    text: str | None
    media_ids: list[str]
    created_at: float
    deleted: bool = False


class XFake(FakePlatform):
    """State and rules of one X app and its users."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        super().__init__(clock)
        self.consumer_key = "fake-consumer-key-4xQ"
        self.consumer_secret = "fake-consumer-secret-Zr8"
        self.accounts: dict[str, XAccount] = {}
        self.account = self.add_account("ysgol_enghraifft", "Ysgol Enghraifft")
        self.media: dict[str, XMedia] = {}
        self.posts: dict[str, XPost] = {}
        #: Requests allowed per 15-minute window, by route template.
        self.rate_limits: dict[str, int] = {}
        self.default_rate_limit = 300
        #: STATUS polls a GIF spends in progress before it is processed.
        self.gif_processing_polls = 2
        self.signature_failures = 0
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._nonces: set[tuple[str, str]] = set()
        self._next_id = 1_880_028_106_020_515_840
        self._processing_override: tuple[int, str] | None = None

    # Test-facing -----------------------------------------------------------

    def add_account(self, username: str, name: str) -> XAccount:
        number = len(self.accounts) + 1
        account = XAccount(
            user_id=str(1_500_000_000_000_000_000 + number),
            username=username,
            name=name,
            access_token=f"{number}-fake-access-token-{username}",
            access_token_secret=f"fake-token-secret-{number}",
        )
        self.accounts[account.access_token] = account
        return account

    def credentials(self, account: XAccount | None = None) -> dict[str, str]:
        """The four OAuth1 secrets, keyed like ``XCredentials`` fields."""
        account = account or self.account
        return {
            "api_key": self.consumer_key,
            "api_secret": self.consumer_secret,
            "access_token": account.access_token,
            "access_token_secret": account.access_token_secret,
        }

    def revoke(self, account: XAccount | None = None) -> None:
        (account or self.account).revoked = True

    def live_posts(self) -> list[XPost]:
        return [post for post in self.posts.values() if not post.deleted]

    def fault_kinds(self) -> frozenset[str]:
        return FAULT_KINDS

    # Routing ---------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route(method, re.compile(pattern), template, getattr(self, name))
            for method, pattern, template, name in _ROUTES
        ]

    def not_found(self, request: RecordedRequest) -> Response:
        return _problem(404, "Not Found Error", "Sorry, that page does not exist.")

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> Response:
        """Answer as the base does, adding rate-limit headers to every answer."""
        with self._lock:
            status, out_headers, out_body = super().handle(method, url, headers, body)
            rate = self.requests[-1].extra.get("rate_headers", {})
        return status, {**rate, **out_headers}, out_body

    # Faults ------------------------------------------------------------------

    def platform_fault(self, fault: Fault, request: RecordedRequest) -> Response | None:
        kind, options = fault.kind, fault.options
        now = int(self.clock.now())
        if kind == "rate_limit":
            reset = now + int(options.get("reset_in", WINDOW_SECONDS))
            return _too_many(
                {
                    "x-rate-limit-limit": "300",
                    "x-rate-limit-remaining": "0",
                    "x-rate-limit-reset": str(reset),
                }
            )
        if kind == "rate_limit_24h":
            family = f"x-{options.get('family', 'user')}-limit-24hour"
            return _too_many(
                {
                    "x-rate-limit-limit": "300",
                    "x-rate-limit-remaining": "299",
                    "x-rate-limit-reset": str(now + WINDOW_SECONDS),
                    f"{family}-limit": "17",
                    f"{family}-remaining": "0",
                    f"{family}-reset": str(now + int(options.get("reset_in", 86_400))),
                }
            )
        if kind == "rate_limit_no_reset":
            return _too_many({})
        if kind == "server_error_html":
            return html_response(int(options.get("status", 503)))
        if kind == "server_error_json":
            status = int(options.get("status", 500))
            return _problem(status, "Internal Server Error", "Something went wrong.")
        if kind in ("expired_token", "revoked_token"):
            return _unauthorized()
        if kind == "missing_permission":
            return _problem(
                403,
                "Forbidden",
                "Your client app is not configured with the appropriate oauth1 "
                "app permissions for this endpoint.",
                PROBLEMS + "oauth1-permissions",
            )
        if kind == "client_forbidden":
            return _problem(
                403,
                "Client Forbidden",
                "This request must be made using an approved developer account "
                "that is enrolled in the requested endpoint.",
                PROBLEMS + "client-forbidden",
                reason="client-not-enrolled",
            )
        if kind == "duplicate":
            return _problem(403, "Forbidden", DUPLICATE_DETAIL)
        if kind == "payment_required":
            return _problem(
                402,
                "Payment Required",
                "Your enrolled account does not have any credits to fulfill "
                "this request.",
            )
        if kind in ("media_not_ready", "media_failed") and "upload" in fault.route:
            polls = int(options.get("polls", 2))
            outcome = "failed" if kind == "media_failed" else "succeeded"
            self._processing_override = (polls, outcome)
            return None
        if kind == "media_not_ready":
            return _invalid("Your media IDs are invalid: media is not ready yet.")
        raise ValueError(f"fault {kind!r} does not apply to {fault.route!r}")

    # Authentication ------------------------------------------------------------

    def _authenticate(self, request: RecordedRequest) -> XAccount | Response:
        header = request.header("authorization") or ""
        if header.lower().startswith("bearer "):
            return _problem(
                403,
                "Unsupported Authentication",
                "Authenticating with OAuth 2.0 Application-Only is forbidden for "
                "this endpoint.  Supported authentication types are [OAuth 1.0a "
                "User Context, OAuth 2.0 User Context].",
                PROBLEMS + "unsupported-authentication",
            )
        if not header.startswith("OAuth "):
            return _unauthorized()
        params = {
            key: oauth_utils.unescape(value)
            for key, value in oauth_utils.parse_authorization_header(header)
        }
        account = self.accounts.get(params.get("oauth_token", ""))
        if (
            params.get("oauth_consumer_key") != self.consumer_key
            or account is None
            or account.revoked
            or params.get("oauth_signature_method") != "HMAC-SHA1"
        ):
            return _unauthorized()

        nonce = (params.get("oauth_nonce", ""), params.get("oauth_timestamp", ""))
        if not nonce[0] or nonce in self._nonces:
            return _unauthorized()
        if not self._signature_ok(request, header, params, account):
            self.signature_failures += 1
            return _unauthorized()
        self._nonces.add(nonce)
        return account

    def _signature_ok(
        self,
        request: RecordedRequest,
        header: str,
        params: dict[str, str],
        account: XAccount,
    ) -> bool:
        parts = urlsplit(request.url)
        form = (
            request.body.decode("utf-8")
            if "application/x-www-form-urlencoded" in request.content_type
            else None
        )
        collected = oauth_signature.collect_parameters(
            uri_query=parts.query,
            body=form,
            headers={"Authorization": header},
            exclude_oauth_signature=True,
            with_realm=False,
        )
        normalized = oauth_signature.normalize_parameters(collected)
        given = params.get("oauth_signature", "")
        bases = (f"{parts.scheme}://{parts.netloc}", *PUBLIC_HOSTS)
        key = "&".join(
            oauth_utils.escape(secret)
            for secret in (self.consumer_secret, account.access_token_secret)
        )
        for base in bases:
            base_string = oauth_signature.signature_base_string(
                request.method,
                oauth_signature.base_string_uri(base + parts.path),
                normalized,
            )
            if hmac.compare_digest(_hmac_sha1(base_string, key), given):
                return True
        return False

    def _guarded(self, request: RecordedRequest) -> XAccount | Response:
        """Authenticate and count the request against its rate-limit window."""
        account = self._authenticate(request)
        if not isinstance(account, XAccount):
            return account
        key = (request.route or "", account.user_id)
        limit = self.rate_limits.get(request.route or "", self.default_rate_limit)
        start, count = self._windows.get(key, (self.clock.now(), 0))
        if self.clock.now() >= start + WINDOW_SECONDS:
            start, count = self.clock.now(), 0
        count += 1
        self._windows[key] = (start, count)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - count)),
            "x-rate-limit-reset": str(int(start + WINDOW_SECONDS)),
        }
        request.extra["rate_headers"] = headers
        if count > limit:
            return _too_many(headers)
        return account

    # Media -------------------------------------------------------------------

    def _upload(self, request: RecordedRequest) -> Response:
        if "command" in request.query:
            return self.not_found(request)
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        fields = self._media_fields(request)
        if not isinstance(fields, dict):
            return fields
        data, category, declared = fields["media"], fields["category"], fields["type"]

        if category != "tweet_image":
            return _invalid("media_category must be tweet_image for a one-shot upload.")
        sniffed = sniff_image_type(data)
        if sniffed not in ONE_SHOT_TYPES or (declared and declared != sniffed):
            return _invalid("The media type is not supported for a one-shot upload.")
        if len(data) > MAX_IMAGE_BYTES:
            return _invalid(f"File size exceeds {MAX_IMAGE_BYTES} bytes.")

        media = self._new_media(account, category, sniffed)
        media.data, media.total_bytes = data, len(data)
        self._start_processing(media, default_polls=0)
        return json_response(200, {"data": self._media_view(media)})

    def _media_fields(self, request: RecordedRequest) -> dict[str, Any] | Response:
        if request.content_type.startswith("multipart/form-data"):
            parts = {
                p.name: p for p in parse_multipart(request.content_type, request.body)
            }
            if "media" not in parts:
                return _invalid("The media field is required.")
            return {
                "media": parts["media"].data,
                "category": parts["media_category"].text()
                if "media_category" in parts
                else None,
                "type": parts["media_type"].text() if "media_type" in parts else None,
            }
        if request.content_type.startswith("application/json"):
            body = request.json()
            try:
                data = base64.b64decode(body["media"], validate=True)
            except (KeyError, ValueError, TypeError):
                return _invalid("media must be base64 encoded bytes.")
            return {
                "media": data,
                "category": body.get("media_category"),
                "type": body.get("media_type"),
            }
        return _invalid("Send the media as multipart/form-data or JSON.")

    def _init(self, request: RecordedRequest) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        body = (
            request.json()
            if request.content_type.startswith("application/json")
            else {}
        )
        category = body.get("media_category")
        total = body.get("total_bytes")
        if (
            category not in CHUNKED_CATEGORIES
            or not isinstance(total, int)
            or total <= 0
        ):
            return _invalid("media_category and total_bytes are required.")
        if total > CHUNKED_CATEGORIES[category]:
            return _invalid(f"File size exceeds {CHUNKED_CATEGORIES[category]} bytes.")
        media = self._new_media(account, category, body.get("media_type"))
        media.state, media.total_bytes = "initialized", total
        return json_response(200, {"data": self._media_view(media)})

    def _append(self, request: RecordedRequest, media_id: str) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        media = self._own_media(media_id, account)
        if media is None or media.state != "initialized":
            return _invalid("The media id is not an upload in progress.")
        parts = {p.name: p for p in parse_multipart(request.content_type, request.body)}
        if "media" not in parts or "segment_index" not in parts:
            return _invalid("media and segment_index are required.")
        media.chunks[int(parts["segment_index"].text())] = parts["media"].data
        expires = int(media.created_at + MEDIA_LIFETIME)
        return json_response(200, {"data": {"expires_at": expires}})

    def _finalize(self, request: RecordedRequest, media_id: str) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        media = self._own_media(media_id, account)
        if media is None or media.state != "initialized":
            return _invalid("The media id is not an upload in progress.")
        indexes = sorted(media.chunks)
        if indexes != list(range(len(indexes))):
            return _invalid("Segments are missing.")
        data = b"".join(media.chunks[i] for i in indexes)
        if len(data) != media.total_bytes:
            return _invalid("The uploaded size does not match total_bytes.")
        sniffed = sniff_image_type(data)
        if sniffed is None or (media.media_type and media.media_type != sniffed):
            return _invalid("The media type does not match the bytes.")
        media.data, media.chunks = data, {}
        polls = self.gif_processing_polls if media.category == "tweet_gif" else 0
        self._start_processing(media, default_polls=polls)
        return json_response(200, {"data": self._media_view(media)})

    def _status(self, request: RecordedRequest) -> Response:
        if request.query.get("command") != ["STATUS"]:
            return self.not_found(request)
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        media = self._own_media((request.query.get("media_id") or [""])[0], account)
        if media is None:
            return _invalid("The media id is not valid.")
        if media.state in ("pending", "in_progress"):
            media.polls_left -= 1
            media.state = "in_progress" if media.polls_left > 0 else media.outcome
        return json_response(200, {"data": self._media_view(media)})

    def _metadata(self, request: RecordedRequest) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        body = (
            request.json()
            if request.content_type.startswith("application/json")
            else {}
        )
        media = self._own_media(str(body.get("id", "")), account)
        if media is None or self._expired(media):
            return _invalid("The media id is not valid.")
        alt = (((body.get("metadata") or {}).get("alt_text")) or {}).get("text")
        if not isinstance(alt, str):
            return _invalid("metadata.alt_text.text is required.")
        if len(alt) > MAX_ALT_CHARS:
            return _invalid(f"Alt text may be at most {MAX_ALT_CHARS} characters.")
        media.alt_text = alt
        view = {"id": media.id, "associated_metadata": {"alt_text": {"text": alt}}}
        return json_response(200, {"data": view})

    # Posts -------------------------------------------------------------------

    def _create(self, request: RecordedRequest) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        body = (
            request.json()
            if request.content_type.startswith("application/json")
            else {}
        )
        text = body.get("text")
        media_ids = [str(m) for m in ((body.get("media") or {}).get("media_ids") or [])]

        problem = self._post_problem(account, text, media_ids)
        if problem is not None:
            return problem
        post = XPost(self._new_id(), account.user_id, text, media_ids, self.clock.now())
        self.posts[post.id] = post
        data = {"id": post.id, "text": text or "", "edit_history_tweet_ids": [post.id]}
        return json_response(201, {"data": data})

    def _post_problem(
        self, account: XAccount, text: str | None, media_ids: list[str]
    ) -> Response | None:
        if not text and not media_ids:
            return _invalid("A Tweet needs text or media.")
        if text is not None and not parse_tweet(text).valid:
            return _invalid("Your Tweet text is too long or holds invalid characters.")
        if len(media_ids) > MAX_MEDIA_PER_POST:
            return _invalid(f"A Tweet takes at most {MAX_MEDIA_PER_POST} media.")
        for media_id in media_ids:
            media = self._own_media(media_id, account)
            if media is None or self._expired(media):
                return _invalid("Your media IDs are invalid.")
            if media.state != "succeeded":
                return _invalid("Your media IDs are invalid: media is not ready yet.")
        if text and any(
            p.text == text and p.owner == account.user_id for p in self.live_posts()
        ):
            return _problem(403, "Forbidden", DUPLICATE_DETAIL)
        return None

    def _delete(self, request: RecordedRequest, tweet_id: str) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        post = self.posts.get(tweet_id)
        if post is None:
            return _problem(
                404,
                "Not Found Error",
                f"Could not find tweet with id: [{tweet_id}].",
                PROBLEMS + "resource-not-found",
            )
        if post.owner != account.user_id:
            return _problem(
                403,
                "Forbidden",
                "You are not allowed to delete a Tweet you did not create.",
            )
        deleted = not post.deleted
        post.deleted = True
        return json_response(200, {"data": {"deleted": deleted}})

    def _me(self, request: RecordedRequest) -> Response:
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        user = {
            "id": account.user_id,
            "name": account.name,
            "username": account.username,
        }
        return json_response(200, {"data": user})

    def _timeline(self, request: RecordedRequest, user_id: str) -> Response:
        """The user's live posts, newest first, with their media keys."""
        account = self._guarded(request)
        if not isinstance(account, XAccount):
            return account
        limit = int((request.query.get("max_results") or ["10"])[0])
        live = [p for p in self.live_posts() if p.owner == user_id]
        live.sort(key=lambda post: post.created_at, reverse=True)
        data = []
        for post in live[:limit]:
            keys = [self.media[m].key for m in post.media_ids if m in self.media]
            entry: dict[str, Any] = {"id": post.id, "text": post.text or ""}
            if keys:
                entry["attachments"] = {"media_keys": keys}
            data.append(entry)
        return json_response(200, {"data": data, "meta": {"result_count": len(data)}})

    # Helpers -------------------------------------------------------------------

    def _new_id(self) -> str:
        self._next_id += 4_194_304 + len(self.requests)
        return str(self._next_id)

    def _new_media(
        self, account: XAccount, category: str, media_type: str | None
    ) -> XMedia:
        media = XMedia(
            id=self._new_id(),
            owner=account.user_id,
            category=category,
            media_type=media_type,
            created_at=self.clock.now(),
        )
        self.media[media.id] = media
        return media

    def _own_media(self, media_id: str, account: XAccount) -> XMedia | None:
        media = self.media.get(media_id)
        return media if media is not None and media.owner == account.user_id else None

    def _expired(self, media: XMedia) -> bool:
        return self.clock.now() >= media.created_at + MEDIA_LIFETIME

    def _start_processing(self, media: XMedia, *, default_polls: int) -> None:
        polls, outcome = self._processing_override or (default_polls, "succeeded")
        self._processing_override = None
        media.outcome = outcome
        if polls > 0 or outcome != "succeeded":
            media.state, media.polls_left = "pending", max(1, polls)
        else:
            media.state = "succeeded"

    def _media_view(self, media: XMedia) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": media.id,
            "media_key": media.key,
            "expires_after_secs": int(
                media.created_at + MEDIA_LIFETIME - self.clock.now()
            ),
        }
        if media.state != "initialized":
            view["size"] = len(media.data)
        if media.state in ("pending", "in_progress", "failed"):
            info: dict[str, Any] = {"state": media.state}
            if media.state == "failed":
                info["error"] = {
                    "code": 1,
                    "name": "InvalidMedia",
                    "message": "Unsupported video or image format.",
                }
            else:
                info["check_after_secs"] = 1
                info["progress_percent"] = 0 if media.state == "pending" else 50
            view["processing_info"] = info
        return view


def _problem(
    status: int,
    title: str,
    detail: str,
    problem_type: str = "about:blank",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    payload = {"title": title, "detail": detail, "type": problem_type, "status": status}
    payload.update(extra)
    return json_response(status, payload, headers)


def _hmac_sha1(base_string: str, key: str) -> str:
    """The HMAC-SHA1 signature of RFC 5849 section 3.4.2."""
    digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _invalid(message: str) -> Response:
    return json_response(
        400,
        {
            "errors": [{"message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": PROBLEMS + "invalid-request",
        },
    )


def _unauthorized() -> Response:
    return _problem(401, "Unauthorized", "Unauthorized")


def _too_many(headers: dict[str, str]) -> Response:
    return _problem(429, "Too Many Requests", "Too Many Requests", headers=headers)
