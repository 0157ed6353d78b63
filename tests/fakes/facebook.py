"""A faithful local fake of the Graph API routes a Page bot uses.

Routes, each under a version segment such as ``/v26.0``:
``POST /{page}/photos`` (multipart ``source``), ``POST /{page}/feed``
(form or multipart, ``attached_media[i]``), ``DELETE /{id}`` and
``GET /{id}``. The version of every request is recorded so tests can pin it;
a path without one, or with a version the fake does not serve, is refused.

The access token is accepted from the query string, a form or multipart
field, or an ``Authorization: Bearer|OAuth`` header. With ``app_secret`` set
the fake behaves like an app with "Require App Secret" on and checks
``appsecret_proof``. Errors use Graph's ``{"error": {...}}`` shape and every
JSON answer carries ``Content-Type``, except the faults that exist to leave
it out.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

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

SERVED_VERSIONS = ("v25.0", "v26.0")
#: Photos must be under 10 MB.
MAX_PHOTO_BYTES = 10_000_000
MAX_MESSAGE_CHARS = 63_206
PHOTO_TYPES = {"image/jpeg", "image/png", "image/gif", "image/bmp", "image/tiff"}
PUBLISH_SCOPE = "pages_manage_posts"
DEFAULT_SCOPES = frozenset({PUBLISH_SCOPE, "pages_read_engagement", "pages_show_list"})
JSON_TYPE = "application/json; charset=UTF-8"

_VERSIONED = re.compile(r"/(?P<version>v\d+\.\d+)(?P<rest>/.*)")
_ATTACHED = re.compile(r"attached_media\[(\d+)\]")

FAULT_KINDS = frozenset(
    {
        "rate_limit",
        "rate_limit_no_reset",
        "server_error_html",
        "server_error_json",
        "no_content_type",
        "expired_token",
        "revoked_token",
        "missing_permission",
        "duplicate",
        "blocked",
        "media_not_ready",
    }
)


@dataclass
class FbToken:
    value: str
    page_id: str
    scopes: frozenset[str] = DEFAULT_SCOPES
    #: valid, expired or revoked
    state: str = "valid"


@dataclass
class FbPhoto:
    id: str
    page_id: str
    data: bytes
    content_type: str | None
    alt_text: str | None
    published: bool
    created_at: float
    deleted: bool = False
    used_by: str | None = None


@dataclass
class FbPost:
    id: str
    page_id: str
    message: str | None
    photo_ids: list[str]
    created_at: float
    deleted: bool = False


@dataclass
class _Call:
    """What a request carries besides its path: its fields and its token."""

    fields: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str | None]] = field(default_factory=dict)
    token: str | None = None


class FacebookFake(FakePlatform):
    """State and rules of one Facebook Page and the app posting to it."""

    def __init__(
        self, clock: FakeClock | None = None, *, app_secret: str | None = None
    ) -> None:
        super().__init__(clock)
        self.app_secret = app_secret
        self.page_id = "104857600000001"
        self.page_name = "Ysgol Enghraifft"
        self.page_token = "EAAfakePageToken0123456789abcdef"
        self.tokens: dict[str, FbToken] = {
            self.page_token: FbToken(self.page_token, self.page_id)
        }
        self.photos: dict[str, FbPhoto] = {}
        self.posts: dict[str, FbPost] = {}
        self._next_photo = 122_100_000_000_001
        self._next_post = 122_200_000_000_001

    # Test-facing -----------------------------------------------------------

    def expire_token(self, token: str | None = None) -> None:
        self.tokens[token or self.page_token].state = "expired"

    def revoke_token(self, token: str | None = None) -> None:
        self.tokens[token or self.page_token].state = "revoked"

    def live_posts(self) -> list[FbPost]:
        return [post for post in self.posts.values() if not post.deleted]

    def versions_used(self) -> set[str | None]:
        return {r.extra.get("version") for r in self.requests}

    def fault_kinds(self) -> frozenset[str]:
        return FAULT_KINDS

    # Routing ---------------------------------------------------------------

    def routes(self) -> list[Route]:
        table = [
            ("POST", r"/(?P<page_id>\d+)/photos", "POST /{page}/photos", self._photo),
            ("POST", r"/(?P<page_id>\d+)/feed", "POST /{page}/feed", self._feed),
            ("GET", r"/(?P<page_id>\d+)/feed", "GET /{page}/feed", self._list_feed),
            ("DELETE", r"/(?P<object_id>\d+(?:_\d+)?)", "DELETE /{id}", self._delete),
            ("GET", r"/(?P<object_id>\d+(?:_\d+)?)", "GET /{id}", self._read),
        ]
        return [Route(m, re.compile(p), t, h) for m, p, t, h in table]

    def route_path(self, request: RecordedRequest) -> str | Response:
        match = _VERSIONED.fullmatch(request.path)
        if match is None:
            return _error(
                400,
                100,
                "Unversioned requests are refused: put the Graph API version "
                "in the path.",
                "GraphMethodException",
            )
        request.extra["version"] = match["version"]
        if match["version"] not in SERVED_VERSIONS:
            return _error(
                400,
                2635,
                f"You are calling a deprecated version of the Graph API "
                f"({match['version']}). Please update to the latest version.",
            )
        return match["rest"]

    def not_found(self, request: RecordedRequest) -> Response:
        return _error(
            400,
            2500,
            f"Unknown path components: {request.path}",
            "OAuthException",
        )

    # Faults ------------------------------------------------------------------

    def platform_fault(self, fault: Fault, request: RecordedRequest) -> Response | None:
        kind, options = fault.kind, fault.options
        if kind == "rate_limit":
            minutes = math.ceil(int(options.get("reset_in", 600)) / 60)
            usage = {
                self.page_id: [
                    {
                        "type": "pages",
                        "call_count": 100,
                        "total_cputime": 20,
                        "total_time": 30,
                        "estimated_time_to_regain_access": minutes,
                    }
                ]
            }
            return _error(
                400,
                int(options.get("code", 80001)),
                "There have been too many calls to this Page account. Wait a "
                "bit and try again.",
                headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
            )
        if kind == "rate_limit_no_reset":
            return _error(
                400,
                int(options.get("code", 4)),
                "(#4) Application request limit reached",
                is_transient=True,
            )
        if kind == "server_error_html":
            return html_response(int(options.get("status", 502)))
        if kind == "server_error_json":
            return _error(
                int(options.get("status", 500)),
                int(options.get("code", 2)),
                "An unexpected error has occurred. Please retry your request later.",
                is_transient=True,
            )
        if kind == "no_content_type":
            # After the request took effect, its own answer loses the header;
            # before, a bare server error without one is sent.
            answer = request.extra.get("answer")
            if answer is None:
                answer = _error(int(options.get("status", 500)), 2, "Unknown")
            body = b"" if options.get("empty") else answer[2]
            return answer[0], {}, body
        return self._error_fault(kind)

    def _error_fault(self, kind: str) -> Response:
        if kind == "expired_token":
            return _expired()
        if kind == "revoked_token":
            return _revoked()
        if kind == "missing_permission":
            return _error(
                403,
                200,
                "(#200) If posting to a page, requires both pages_read_engagement "
                "and pages_manage_posts as an admin with sufficient administrative "
                "permission",
            )
        if kind == "duplicate":
            return _error(400, 506, "(#506) Duplicate status message")
        if kind == "blocked":
            return _error(
                400,
                368,
                "It looks like you were misusing this feature by going too fast.",
                subcode=1390008,
            )
        if kind == "media_not_ready":
            return _error(400, 9007, "Media ID is not available", subcode=2207027)
        raise ValueError(f"unknown fault kind {kind!r}")

    # Authentication ------------------------------------------------------------

    def _call(self, request: RecordedRequest) -> _Call | Response:
        """Read the request's fields and check its token and proof."""
        call = _Call()
        for key, values in request.query.items():
            call.fields[key] = values[-1]
        content_type = request.content_type
        if content_type.startswith("multipart/form-data"):
            for part in parse_multipart(content_type, request.body):
                if part.filename is not None and part.name:
                    call.files[part.name] = (part.data, part.content_type)
                elif part.name:
                    call.fields[part.name] = part.text()
        elif content_type.startswith("application/x-www-form-urlencoded"):
            for key, values in request.form().items():
                call.fields[key] = values[-1]

        authorization = request.header("authorization") or ""
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() in ("bearer", "oauth") and credential:
            call.token = credential.strip()
        call.token = call.fields.pop("access_token", call.token)
        problem = self._token_problem(call)
        return problem if problem is not None else call

    def _token_problem(self, call: _Call) -> Response | None:
        if not call.token:
            return _error(
                400, 104, "An access token is required to request this resource."
            )
        token = self.tokens.get(call.token)
        if token is None:
            return _error(
                400, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        if token.state == "expired":
            return _expired()
        if token.state == "revoked":
            return _revoked()
        if self.app_secret is not None:
            proof = call.fields.pop("appsecret_proof", None)
            expected = hmac.new(
                self.app_secret.encode(), call.token.encode(), hashlib.sha256
            ).hexdigest()
            if proof is None:
                return _error(
                    400,
                    100,
                    "API calls from the server require an appsecret_proof argument",
                    "GraphMethodException",
                )
            if not hmac.compare_digest(proof, expected):
                return _error(
                    400,
                    100,
                    "Invalid appsecret_proof provided in the API argument",
                    "GraphMethodException",
                )
        return None

    def _publisher(self, request: RecordedRequest, page_id: str) -> _Call | Response:
        """A call whose token may publish on ``page_id``."""
        call = self._call(request)
        if not isinstance(call, _Call):
            return call
        token = self.tokens[call.token or ""]
        if token.page_id != page_id or PUBLISH_SCOPE not in token.scopes:
            return self._error_fault("missing_permission")
        return call

    # Routes --------------------------------------------------------------------

    def _photo(self, request: RecordedRequest, page_id: str) -> Response:
        call = self._publisher(request, page_id)
        if not isinstance(call, _Call):
            return call
        if "url" in call.fields:
            return _error(400, 100, "This fake does not fetch photos from URLs.")
        if "source" not in call.files:
            return _error(400, 324, "(#324) Requires upload file")
        data, content_type = call.files["source"]
        if sniff_image_type(data) not in PHOTO_TYPES:
            return _error(400, 324, "(#324) Missing or invalid image file")
        if len(data) >= MAX_PHOTO_BYTES:
            return _error(400, 100, "(#100) The photo must be smaller than 10 MB.")

        published = call.fields.get("published", "true").lower() not in ("false", "0")
        photo = FbPhoto(
            id=self._photo_id(),
            page_id=page_id,
            data=data,
            content_type=content_type,
            alt_text=call.fields.get("alt_text_custom"),
            published=published,
            created_at=self.clock.now(),
        )
        self.photos[photo.id] = photo
        answer: dict[str, str] = {"id": photo.id}
        if published:
            post = self._store_post(page_id, call.fields.get("message"), [photo.id])
            answer["post_id"] = post.id
        return _ok(answer)

    def _feed(self, request: RecordedRequest, page_id: str) -> Response:
        call = self._publisher(request, page_id)
        if not isinstance(call, _Call):
            return call
        photo_ids = self._attached(call, page_id)
        if not isinstance(photo_ids, list):
            return photo_ids
        message = call.fields.get("message")
        if not message and not photo_ids:
            return _error(400, 100, "(#100) Missing message or attachment")
        if message and len(message) > MAX_MESSAGE_CHARS:
            return _error(400, 100, "(#100) The message is too long.")
        previous = [p for p in self.live_posts() if p.page_id == page_id]
        if message and previous and previous[-1].message == message:
            return self._error_fault("duplicate")
        return _ok({"id": self._store_post(page_id, message, photo_ids).id})

    def _attached(self, call: _Call, page_id: str) -> list[str] | Response:
        """The photo ids of ``attached_media[i]``, in order, all usable."""
        indexed: dict[int, str] = {}
        for key, value in call.fields.items():
            match = _ATTACHED.fullmatch(key)
            if match is None:
                continue
            try:
                indexed[int(match[1])] = str(json.loads(value)["media_fbid"])
            except (ValueError, KeyError, TypeError):
                return _error(400, 100, f"(#100) param {key} must be a JSON object")
        if sorted(indexed) != list(range(len(indexed))):
            return _error(400, 100, "(#100) attached_media indexes must be 0, 1, 2...")
        photo_ids = [indexed[i] for i in range(len(indexed))]
        for photo_id in photo_ids:
            photo = self.photos.get(photo_id)
            if (
                photo is None
                or photo.deleted
                or photo.page_id != page_id
                or photo.published
                or photo.used_by is not None
            ):
                return _error(
                    400,
                    100,
                    f"(#100) attached_media has an unusable media_fbid {photo_id}",
                )
        return photo_ids

    def _delete(self, request: RecordedRequest, object_id: str) -> Response:
        call = self._call(request)
        if not isinstance(call, _Call):
            return call
        page_id = self.tokens[call.token or ""].page_id
        target: FbPost | FbPhoto | None = self.posts.get(object_id) or self.photos.get(
            object_id
        )
        if target is None or target.deleted or target.page_id != page_id:
            return _missing("delete", object_id)
        if PUBLISH_SCOPE not in self.tokens[call.token or ""].scopes:
            return self._error_fault("missing_permission")
        target.deleted = True
        return _ok({"success": True})

    def _read(self, request: RecordedRequest, object_id: str) -> Response:
        call = self._call(request)
        if not isinstance(call, _Call):
            return call
        fields = (call.fields.get("fields") or "id").split(",")
        if object_id == self.page_id:
            record: dict[str, Any] = {"id": self.page_id, "name": self.page_name}
        elif object_id in self.posts and not self.posts[object_id].deleted:
            post = self.posts[object_id]
            record = {"id": post.id, "message": post.message}
        elif object_id in self.photos and not self.photos[object_id].deleted:
            photo = self.photos[object_id]
            record = {"id": photo.id, "alt_text_custom": photo.alt_text}
        else:
            return _missing("get", object_id)
        return _ok({k: v for k, v in record.items() if k in fields})

    def _list_feed(self, request: RecordedRequest, page_id: str) -> Response:
        """The Page's live posts, newest first, with their attached photos."""
        call = self._call(request)
        if not isinstance(call, _Call):
            return call
        limit = int(call.fields.get("limit") or 25)
        live = [
            p for p in self.posts.values() if p.page_id == page_id and not p.deleted
        ]
        live.sort(key=lambda post: post.created_at, reverse=True)
        return _ok({"data": [_feed_entry(post) for post in live[:limit]]})

    # Helpers -------------------------------------------------------------------

    def _photo_id(self) -> str:
        self._next_photo += 7
        return str(self._next_photo)

    def _store_post(
        self, page_id: str, message: str | None, photo_ids: list[str]
    ) -> FbPost:
        self._next_post += 11
        post = FbPost(
            id=f"{page_id}_{self._next_post}",
            page_id=page_id,
            message=message,
            photo_ids=photo_ids,
            created_at=self.clock.now(),
        )
        self.posts[post.id] = post
        for photo_id in photo_ids:
            self.photos[photo_id].used_by = post.id
        return post


def _ok(payload: dict[str, Any]) -> Response:
    return json_response(200, payload, {"Content-Type": JSON_TYPE})


def _error(
    status: int,
    code: int,
    message: str,
    error_type: str = "OAuthException",
    *,
    subcode: int | None = None,
    is_transient: bool | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    error["fbtrace_id"] = "AbCdEfGhIjK"
    return json_response(
        status, {"error": error}, {"Content-Type": JSON_TYPE, **(headers or {})}
    )


def _expired() -> Response:
    return _error(
        400,
        190,
        "Error validating access token: Session has expired on Thursday, "
        "03-Dec-26 10:00:00 PST.",
        subcode=463,
    )


def _revoked() -> Response:
    return _error(
        400,
        190,
        "Error validating access token: The session has been invalidated "
        "because the user changed their password or Facebook has changed the "
        "session for security reasons.",
        subcode=460,
    )


def _missing(verb: str, object_id: str) -> Response:
    return _error(
        400,
        100,
        f"Unsupported {verb} request. Object with ID '{object_id}' does not "
        "exist, cannot be loaded due to missing permissions, or does not "
        "support this operation.",
        "GraphMethodException",
        subcode=33,
    )


def _feed_entry(post: FbPost) -> dict[str, Any]:
    """A feed entry in Graph's shape: photos sit under attachments."""
    targets = [{"target": {"id": photo_id}} for photo_id in post.photo_ids]
    attachments: list[dict[str, Any]]
    if len(targets) > 1:
        attachments = [{"subattachments": {"data": targets}}]
    else:
        attachments = targets
    entry: dict[str, Any] = {"id": post.id, "attachments": {"data": attachments}}
    if post.message is not None:
        entry["message"] = post.message
    return entry
