"""A faithful local Mastodon server: instance info, media, statuses, and their rules.

One object holds the account, the uploaded media (the exact bytes and
descriptions received), the statuses with their deleted flags, a fake clock
and a log of every request. ``handle(method, url, headers, body)`` answers
the way Mastodon 4.3 does, so Mastodon.py talks to it over real HTTP.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import regex

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

#: Idempotency keys are remembered for an hour, as Mastodon does.
IDEMPOTENCY_SECONDS = 3600
NOT_PROCESSED = (
    "Cannot attach files that have not finished processing. Try again in a moment!"
)
_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass
class Media:
    id: str
    data: bytes
    description: str | None
    file_name: str | None
    content_type: str | None
    mime_type: str | None
    polls_left: int
    status_id: str | None = None
    deleted: bool = False

    @property
    def processed(self) -> bool:
        return self.polls_left <= 0


@dataclass
class Status:
    id: str
    text: str
    media_ids: list[str]
    visibility: str
    language: str | None
    idempotency_key: str | None
    created_at: datetime
    deleted: bool = False
    delete_media: str | None = None
    raw_form: dict[str, list[str]] = field(default_factory=dict)


class FakeMastodon(FakePlatform):
    """One Mastodon 4.3 server with one account and one access token."""

    def __init__(
        self,
        *,
        token: str = "fake-mastodon-token",
        username: str = "ysgol",
        max_characters: int = 500,
        max_media: int = 4,
        image_size_limit: int = 16 * 1024 * 1024,
        description_limit: int = 1500,
        processing_polls: int = 1,
        clock: FakeClock | None = None,
    ) -> None:
        super().__init__(clock)
        self.token = token
        self.username = username
        self.max_characters = max_characters
        self.max_media = max_media
        self.image_size_limit = image_size_limit
        self.description_limit = description_limit
        #: Polls of GET /api/v1/media/:id that still answer 206; 0 = done at once.
        self.processing_polls = processing_polls
        self.revoked = False
        self.scopes = {"read", "write:media", "write:statuses"}
        self.media: dict[str, Media] = {}
        self.statuses: dict[str, Status] = {}
        self.idempotency: dict[str, tuple[str, float]] = {}
        self._ids = itertools.count(113_468_277_425_131_245)

    # -- test-facing ------------------------------------------------------------

    def fault_kinds(self) -> frozenset[str]:
        """``rate_limit`` (``reset_in`` seconds or None), ``server_error``
        (500 JSON), ``unavailable`` (503 HTML), ``invalid_token``,
        ``revoked_token``, ``missing_scope``, ``not_processed``,
        ``unreadable_reset`` (the real answer with a garbled rate-limit reset
        header; use with ``after_store=True``)."""
        return frozenset(
            {
                "unreadable_reset",
                "rate_limit",
                "server_error",
                "unavailable",
                "invalid_token",
                "revoked_token",
                "missing_scope",
                "not_processed",
            }
        )

    def live_statuses(self) -> list[Status]:
        return [s for s in self.statuses.values() if not s.deleted]

    def instance_v2(self) -> dict[str, Any]:
        return {
            "domain": "mastodon.fake",
            "title": "Fake Mastodon",
            "version": "4.3.0",
            "api_versions": {"mastodon": 2},
            "configuration": {
                "urls": {"streaming": "wss://mastodon.fake"},
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": self.max_media,
                    "characters_reserved_per_url": 23,
                },
                "media_attachments": {
                    "supported_mime_types": [
                        "image/jpeg",
                        "image/png",
                        "image/gif",
                        "image/webp",
                    ],
                    "description_limit": self.description_limit,
                    "image_size_limit": self.image_size_limit,
                    "image_matrix_limit": 33_177_600,
                },
            },
        }

    # -- routing ------------------------------------------------------------------

    def routes(self) -> list[Route]:
        table = [
            ("GET", r"/api/v1/instance/?", "GET /api/v1/instance", self._instance_v1),
            ("GET", r"/api/v2/instance/?", "GET /api/v2/instance", self._instance_v2),
            (
                "GET",
                r"/api/v1/accounts/verify_credentials",
                "GET /api/v1/accounts/verify_credentials",
                self._verify_credentials,
            ),
            ("POST", r"/api/v2/media", "POST /api/v2/media", self._upload),
            (
                "GET",
                r"/api/v1/media/(?P<media_id>\d+)",
                "GET /api/v1/media/:id",
                self._media,
            ),
            ("POST", r"/api/v1/statuses", "POST /api/v1/statuses", self._post_status),
            (
                "DELETE",
                r"/api/v1/media/(?P<media_id>\d+)",
                "DELETE /api/v1/media/:id",
                self._delete_media,
            ),
            (
                "GET",
                r"/api/v1/statuses/(?P<status_id>\d+)",
                "GET /api/v1/statuses/:id",
                self._get_status,
            ),
            (
                "DELETE",
                r"/api/v1/statuses/(?P<status_id>\d+)",
                "DELETE /api/v1/statuses/:id",
                self._delete_status,
            ),
        ]
        return [Route(m, re.compile(p), t, h) for m, p, t, h in table]

    def not_found(self, request: RecordedRequest) -> Response:
        return json_response(404, {"error": "Record not found"})

    def platform_fault(
        self, fault: Fault, request: RecordedRequest, answer: Response | None = None
    ) -> Response | None:
        kind = fault.kind
        if kind == "unreadable_reset":
            status, headers, body = request.extra["answer"]
            garbled = {**headers, "X-RateLimit-Remaining": "0"}
            return status, {**garbled, "X-RateLimit-Reset": "soon"}, body
        if kind == "rate_limit":
            headers = {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0"}
            reset_in = fault.options.get("reset_in")
            if reset_in is not None:
                reset = self.clock.datetime().timestamp() + reset_in
                headers["X-RateLimit-Reset"] = _iso(datetime.fromtimestamp(reset, UTC))
            return json_response(429, {"error": "Too many requests"}, headers)
        if kind == "server_error":
            return json_response(
                500, {"error": "We're sorry, but something went wrong"}
            )
        if kind == "unavailable":
            return html_response(503)
        if kind == "invalid_token":
            return json_response(401, {"error": "The access token is invalid"})
        if kind == "revoked_token":
            self.revoked = True
            return json_response(401, {"error": "The access token was revoked"})
        if kind == "missing_scope":
            return json_response(
                403, {"error": "This action is outside the authorized scopes"}
            )
        if kind == "not_processed":
            return json_response(422, {"error": NOT_PROCESSED})
        raise AssertionError(f"unhandled fault kind {kind}")

    # -- auth -----------------------------------------------------------------------

    def _authorise(self, request: RecordedRequest, scope: str) -> Response | None:
        value = request.header("authorization") or ""
        if value != f"Bearer {self.token}":
            return json_response(401, {"error": "The access token is invalid"})
        if self.revoked:
            return json_response(401, {"error": "The access token was revoked"})
        if scope not in self.scopes and scope.split(":")[0] not in self.scopes:
            return json_response(
                403, {"error": "This action is outside the authorized scopes"}
            )
        return None

    # -- instance and account -----------------------------------------------------

    def _instance_v1(self, request: RecordedRequest) -> Response:
        info = {
            "uri": "mastodon.fake",
            "title": "Fake Mastodon",
            "version": "4.3.0",
            "configuration": self.instance_v2()["configuration"],
        }
        return json_response(200, info)

    def _instance_v2(self, request: RecordedRequest) -> Response:
        return json_response(200, self.instance_v2())

    def _verify_credentials(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request, "read:accounts")
        if denied:
            return denied
        account = {
            "id": "109302000000000001",
            "username": self.username,
            "acct": self.username,
            "display_name": "Ysgol",
            "locked": False,
            "bot": True,
            "created_at": "2024-01-01T00:00:00.000Z",
            "url": f"https://mastodon.fake/@{self.username}",
            "source": {"privacy": "public", "language": "en"},
        }
        return json_response(200, account)

    # -- media ----------------------------------------------------------------------

    def _upload(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request, "write:media")
        if denied:
            return denied
        try:
            parts = {
                p.name: p for p in parse_multipart(request.content_type, request.body)
            }
        except ValueError:
            return json_response(
                422, {"error": "Validation failed: File can't be blank"}
            )
        upload = parts.get("file")
        if upload is None:
            return json_response(
                422, {"error": "Validation failed: File can't be blank"}
            )
        description = parts["description"].text() if "description" in parts else None
        problem = self._media_problem(upload.data, description)
        if problem:
            return json_response(422, {"error": problem})
        media = Media(
            id=self._next_id(),
            data=upload.data,
            description=description,
            file_name=upload.filename,
            content_type=upload.content_type,
            mime_type=sniff_image_type(upload.data),
            polls_left=self.processing_polls,
        )
        self.media[media.id] = media
        status = 200 if media.processed else 202
        return json_response(status, self._media_json(media))

    def _media_problem(self, data: bytes, description: str | None) -> str | None:
        if sniff_image_type(data) not in (
            "image/jpeg",
            "image/png",
            "image/gif",
            "image/webp",
        ):
            return "Validation failed: File content type is invalid"
        if len(data) > self.image_size_limit:
            limit = self.image_size_limit // (1024 * 1024)
            return f"Validation failed: File file size must be less than {limit} MB"
        if description is not None and len(description) > self.description_limit:
            return (
                "Validation failed: Description is too long (maximum is "
                f"{self.description_limit} characters)"
            )
        return None

    def _media(self, request: RecordedRequest, media_id: str) -> Response:
        denied = self._authorise(request, "write:media")
        if denied:
            return denied
        media = self.media.get(media_id)
        if media is None or media.deleted:
            return json_response(404, {"error": "Record not found"})
        if not media.processed:
            media.polls_left -= 1
            return json_response(206, self._media_json(media, ready=False))
        return json_response(200, self._media_json(media))

    def _delete_media(self, request: RecordedRequest, media_id: str) -> Response:
        denied = self._authorise(request, "write:media")
        if denied:
            return denied
        media = self.media.get(media_id)
        if media is None or media.deleted:
            return json_response(404, {"error": "Record not found"})
        if media.status_id is not None:
            return json_response(
                422, {"error": "Media attachment is currently used by a status"}
            )
        media.deleted = True
        return json_response(200, self._media_json(media))

    def _media_json(self, media: Media, ready: bool | None = None) -> dict[str, Any]:
        done = media.processed if ready is None else ready
        url = f"https://files.mastodon.fake/media/{media.id}.jpg" if done else None
        return {
            "id": media.id,
            "type": "image",
            "url": url,
            "preview_url": url,
            "remote_url": None,
            "description": media.description,
            "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
            "meta": {},
        }

    # -- statuses ---------------------------------------------------------------------

    def _post_status(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request, "write:statuses")
        if denied:
            return denied
        form = _form_or_json(request)
        key = request.header("idempotency-key")
        if key:
            seen = self.idempotency.get(key)
            if seen and seen[1] > self.clock.now():
                return json_response(200, self._status_json(self.statuses[seen[0]]))
        text = (form.get("status") or [""])[0]
        media_ids = form.get("media_ids[]") or form.get("media_ids") or []
        problem = self._status_problem(text, media_ids)
        if problem:
            return json_response(422, {"error": problem})
        status = Status(
            id=self._next_id(),
            text=text,
            media_ids=list(media_ids),
            visibility=(form.get("visibility") or ["public"])[0],
            language=(form.get("language") or [None])[0],
            idempotency_key=key,
            created_at=self.clock.datetime(),
            raw_form=form,
        )
        for media_id in media_ids:
            self.media[media_id].status_id = status.id
        self.statuses[status.id] = status
        if key:
            self.idempotency[key] = (status.id, self.clock.now() + IDEMPOTENCY_SECONDS)
        return json_response(200, self._status_json(status))

    def _status_problem(self, text: str, media_ids: list[str]) -> str | None:
        if not text and not media_ids:
            return "Validation failed: Text can't be blank"
        if len(media_ids) > self.max_media:
            return f"Validation failed: You can attach at most {self.max_media} files"
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media.deleted or media.status_id is not None:
                return f"Validation failed: Media attachment not found: {media_id}"
            if not media.processed:
                return NOT_PROCESSED
        length = _server_length(text)
        if length > self.max_characters:
            limit = self.max_characters
            return f"Validation failed: Text character limit of {limit} exceeded"
        return None

    def _status_json(self, status: Status, with_text: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": status.id,
            "created_at": _iso(status.created_at),
            "uri": f"https://mastodon.fake/users/{self.username}/statuses/{status.id}",
            "url": f"https://mastodon.fake/@{self.username}/{status.id}",
            "visibility": status.visibility,
            "language": status.language,
            "content": "<p>" + html.escape(status.text) + "</p>",
            "media_attachments": [
                self._media_json(self.media[m]) for m in status.media_ids
            ],
        }
        if with_text:
            body["text"] = status.text
        return body

    def _get_status(self, request: RecordedRequest, status_id: str) -> Response:
        status = self.statuses.get(status_id)
        if status is None or status.deleted:
            return json_response(404, {"error": "Record not found"})
        return json_response(200, self._status_json(status))

    def _delete_status(self, request: RecordedRequest, status_id: str) -> Response:
        denied = self._authorise(request, "write:statuses")
        if denied:
            return denied
        status = self.statuses.get(status_id)
        if status is None or status.deleted:
            return json_response(404, {"error": "Record not found"})
        form = {**request.query, **_form_or_json(request)}
        status.deleted = True
        status.delete_media = (form.get("delete_media") or [None])[0]
        if status.delete_media in ("1", "true", "True"):
            for media_id in status.media_ids:
                self.media[media_id].deleted = True
        return json_response(200, self._status_json(status, with_text=True))

    def _next_id(self) -> str:
        return str(next(self._ids))


def _form_or_json(request: RecordedRequest) -> dict[str, list[str]]:
    if not request.body:
        return {}
    if request.content_type.startswith("application/json"):
        data = request.json()
        return {k: v if isinstance(v, list) else [v] for k, v in data.items()}
    return parse_qs(request.body.decode("utf-8"), keep_blank_values=True)


def _server_length(text: str) -> int:
    """Mastodon 4.x: grapheme clusters, each URL counting 23."""
    shortened = _URL.sub("x" * 23, text)
    return len(regex.findall(r"\X", shortened))


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
