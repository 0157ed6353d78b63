"""A faithful local Instagram Graph API: containers, publishing, and their rules.

Like Meta, the fake fetches each ``image_url`` itself, over real HTTP, and
keeps the bytes it got, so a test can prove exactly which file was served.
It fetches only from loopback addresses. ``StaticFiles`` is the matching
tiny web server for a test's public media folder.

One object holds the account, containers with their fetched bytes and alt
texts, published media with deleted flags, quota counters, a fake clock and
a log of every request; ``handle(method, url, headers, body)`` answers in
the Graph API's shapes.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import secrets
import string
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from tests.fakes.core import (
    FakeClock,
    FakePlatform,
    Fault,
    RecordedRequest,
    Response,
    Route,
    html_response,
    json_response,
)
from tests.fakes.guard import is_loopback

MAX_IMAGE_BYTES = 8 * 1024 * 1024
CONTAINER_LIFETIME = 24 * 3600
QUOTA_TOTAL = 100
QUOTA_WINDOW = 24 * 3600
DOWNLOAD_FAILED = (
    "Error: Media download has failed. The media URI doesn't meet our requirements."
)


@dataclass
class Container:
    id: str
    kind: str  # IMAGE, CAROUSEL_ITEM or CAROUSEL
    created: float
    image_url: str | None = None
    fetched: bytes | None = None
    alt_text: str | None = None
    caption: str | None = None
    children: list[str] = field(default_factory=list)
    polls_left: int = 0
    error: str | None = None
    published: bool = False


@dataclass
class IgMedia:
    id: str
    container: str
    caption: str
    shortcode: str
    timestamp: float
    children: list[str]
    deleted: bool = False

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/p/{self.shortcode}/"


def graph_error(
    status: int,
    code: int,
    message: str,
    subcode: int | None = None,
    *,
    transient: bool = False,
    headers: dict[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": transient,
        "fbtrace_id": "A" + secrets.token_hex(10),
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return json_response(status, {"error": error}, headers)


class StaticFiles:
    """Serves the files of one folder, as the school's public web server would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.served: list[str] = []

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> Response:
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        path = self.folder / name
        if method != "GET" or not name or not path.is_file():
            return 404, {"Content-Type": "text/plain"}, b"not found"
        self.served.append(name)
        return 200, {"Content-Type": "image/jpeg"}, path.read_bytes()


class FakeInstagram(FakePlatform):
    """One Instagram professional account behind the Graph API."""

    def __init__(
        self,
        *,
        user_id: str = "17841400000000001",
        username: str = "ysgol.example",
        token: str = "fake-ig-token",
        version: str = "v26.0",
        processing_polls: int = 1,
        clock: FakeClock | None = None,
    ) -> None:
        super().__init__(clock)
        self.user_id = user_id
        self.username = username
        self.token = token
        self.version = version
        #: Status polls that still say IN_PROGRESS after a container is made.
        self.processing_polls = processing_polls
        self.token_state = "valid"  # or "expired", "revoked"
        self.can_delete = True
        self.containers: dict[str, Container] = {}
        self.media: dict[str, IgMedia] = {}
        self.versions_seen: list[str] = []
        self._ids = itertools.count(17_889_615_691_921_648)

    # -- test-facing ------------------------------------------------------------

    def fault_kinds(self) -> frozenset[str]:
        """``rate_limit`` (``reset_minutes`` or None), ``server_error`` (500,
        code 2, transient), ``html_error`` (502 HTML), ``expired_token``,
        ``revoked_token``, ``missing_permission``, ``not_ready`` (9007)."""
        return frozenset(
            {
                "rate_limit",
                "server_error",
                "html_error",
                "expired_token",
                "revoked_token",
                "missing_permission",
                "not_ready",
            }
        )

    def live_media(self) -> list[IgMedia]:
        return [m for m in self.media.values() if not m.deleted]

    def seed_published(self, count: int, caption: str = "An earlier post") -> None:
        """Posts published earlier today, as if by another run."""
        for _ in range(count):
            media_id = self._next_id()
            self.media[media_id] = IgMedia(
                media_id, "", caption, _shortcode(), self.clock.now(), []
            )

    def quota_usage(self) -> int:
        since = self.clock.now() - QUOTA_WINDOW
        return sum(1 for m in self.media.values() if m.timestamp > since)

    # -- routing ------------------------------------------------------------------

    def routes(self) -> list[Route]:
        node = r"(?P<node>\d+)"
        table = [
            ("POST", rf"/{node}/media", "POST /{ig}/media", self._create_container),
            (
                "POST",
                rf"/{node}/media_publish",
                "POST /{ig}/media_publish",
                self._publish,
            ),
            (
                "GET",
                rf"/{node}/content_publishing_limit",
                "GET /{ig}/content_publishing_limit",
                self._quota,
            ),
            ("GET", rf"/{node}/media", "GET /{ig}/media", self._list_media),
            ("GET", rf"/{node}", "GET /{id}", self._get_node),
            ("DELETE", rf"/{node}", "DELETE /{id}", self._delete),
        ]
        return [Route(m, re.compile(p), t, h) for m, p, t, h in table]

    def route_path(self, request: RecordedRequest) -> str | Response:
        match = re.fullmatch(r"/(v\d+\.\d+)(/.*)", request.path)
        if match is None:
            return graph_error(400, 2500, "Unknown path components: " + request.path)
        self.versions_seen.append(match.group(1))
        if match.group(1) != self.version:
            return graph_error(400, 2635, f"This fake serves {self.version} only.")
        denied = self._authorise(request)
        return denied or match.group(2)

    def not_found(self, request: RecordedRequest) -> Response:
        return graph_error(
            400,
            100,
            f"Unsupported {request.method.lower()} request. Object does not exist, "
            "cannot be loaded due to missing permissions, or does not support "
            "this operation.",
            33,
        )

    def platform_fault(
        self, fault: Fault, request: RecordedRequest, answer: Response | None = None
    ) -> Response | None:
        kind = fault.kind
        if kind == "rate_limit":
            headers = {}
            minutes = fault.options.get("reset_minutes")
            if minutes is not None:
                usage = {
                    self.user_id: [
                        {
                            "type": "instagram",
                            "call_count": 100,
                            "total_cputime": 30,
                            "total_time": 40,
                            "estimated_time_to_regain_access": minutes,
                        }
                    ]
                }
                headers["X-Business-Use-Case-Usage"] = json.dumps(usage)
            return graph_error(
                400,
                80002,
                "There have been too many calls to this Instagram account.",
                headers=headers,
            )
        if kind == "server_error":
            return graph_error(
                500,
                2,
                "An unexpected error has occurred. Please retry.",
                transient=True,
            )
        if kind == "html_error":
            return html_response(502)
        if kind == "expired_token":
            self.token_state = "expired"
            return self._token_error()
        if kind == "revoked_token":
            self.token_state = "revoked"
            return self._token_error()
        if kind == "missing_permission":
            return graph_error(
                403, 10, "Application does not have permission for this action"
            )
        if kind == "not_ready":
            return graph_error(400, 9007, "Media ID is not available", 2207027)
        raise AssertionError(f"unhandled fault kind {kind}")

    # -- auth -----------------------------------------------------------------------

    def _authorise(self, request: RecordedRequest) -> Response | None:
        header = request.header("authorization") or ""
        token = header.removeprefix("Bearer ").removeprefix("OAuth ")
        token = token or _param(request, "access_token") or ""
        if token != self.token:
            return graph_error(
                400, 190, "Invalid OAuth access token - Cannot parse access token"
            )
        if self.token_state != "valid":
            return self._token_error()
        return None

    def _token_error(self) -> Response:
        if self.token_state == "expired":
            return graph_error(
                400, 190, "Error validating access token: Session has expired.", 463
            )
        return graph_error(
            400,
            190,
            "Error validating access token: The user has not authorized application.",
            458,
        )

    # -- containers -------------------------------------------------------------------

    def _create_container(self, request: RecordedRequest, node: str) -> Response:
        if node != self.user_id:
            return self.not_found(request)
        form = _params(request)
        now = self.clock.now()
        recent = [c for c in self.containers.values() if c.created > now - QUOTA_WINDOW]
        if len(recent) >= 400:
            return graph_error(400, 9, "Too many containers in 24 hours", 2207042)
        if form.get("media_type") == "CAROUSEL":
            return self._create_carousel(form)
        problem = self._container_problem(form)
        if problem:
            return graph_error(400, 100, problem)
        carousel_item = form.get("is_carousel_item") == "true"
        container = Container(
            id=self._next_id(),
            kind="CAROUSEL_ITEM" if carousel_item else "IMAGE",
            created=now,
            image_url=form["image_url"],
            alt_text=form.get("alt_text"),
            caption=form.get("caption"),
            polls_left=self.processing_polls,
        )
        # Meta fetches the image itself, from the public URL it was given.
        container.fetched = _fetch(container.image_url or "")
        container.error = _image_problem(container.fetched)
        self.containers[container.id] = container
        return json_response(200, {"id": container.id})

    def _container_problem(self, form: dict[str, str]) -> str | None:
        if "image_url" not in form:
            return "(#100) The parameter image_url is required."
        if form.get("is_carousel_item") == "true" and "caption" in form:
            return "(#100) Carousel items cannot have a caption."
        caption = form.get("caption", "")
        if len(caption) > 2200:
            return "(#100) The caption is longer than 2200 characters."
        if len(re.findall(r"(?<![\w#])#\w+", caption)) > 30:
            return "(#100) The caption has more than 30 hashtags."
        if len(re.findall(r"(?<![\w@])@[\w.]+", caption)) > 20:
            return "(#100) The caption has more than 20 mentions."
        if len(form.get("alt_text", "")) > 1000:
            return "(#100) The alt text is longer than 1000 characters."
        return None

    def _create_carousel(self, form: dict[str, str]) -> Response:
        children = [c for c in form.get("children", "").split(",") if c]
        if not 2 <= len(children) <= 10:
            return graph_error(400, 100, "(#100) A carousel needs 2 to 10 children.")
        for child_id in children:
            child = self.containers.get(child_id)
            if (
                child is None
                or child.kind != "CAROUSEL_ITEM"
                or self._state(child) != "FINISHED"
            ):
                return graph_error(
                    400, 100, f"(#100) The child {child_id} cannot be used."
                )
        container = Container(
            id=self._next_id(),
            kind="CAROUSEL",
            created=self.clock.now(),
            caption=form.get("caption"),
            children=children,
            polls_left=self.processing_polls,
        )
        self.containers[container.id] = container
        return json_response(200, {"id": container.id})

    def _state(self, container: Container) -> str:
        if container.published:
            return "PUBLISHED"
        if container.error:
            return "ERROR"
        if self.clock.now() - container.created > CONTAINER_LIFETIME:
            return "EXPIRED"
        if container.polls_left > 0:
            return "IN_PROGRESS"
        return "FINISHED"

    def _status_text(self, container: Container, state: str) -> str:
        if state == "ERROR":
            return container.error or ""
        return {"IN_PROGRESS": "In Progress", "FINISHED": "Finished"}.get(
            state, state.title()
        )

    # -- publishing -------------------------------------------------------------------

    def _publish(self, request: RecordedRequest, node: str) -> Response:
        if node != self.user_id:
            return self.not_found(request)
        if self.quota_usage() >= QUOTA_TOTAL:
            return graph_error(
                400, 9, "The app user has reached the maximum number of posts.", 2207042
            )
        container = self.containers.get(_params(request).get("creation_id", ""))
        if container is None or container.kind == "CAROUSEL_ITEM":
            return graph_error(
                400, 100, "(#100) The creation_id is not a valid container."
            )
        if self._state(container) != "FINISHED":
            return graph_error(400, 9007, "Media ID is not available", 2207027)
        container.published = True
        media = IgMedia(
            id=self._next_id(),
            container=container.id,
            caption=container.caption or "",
            shortcode=_shortcode(),
            timestamp=self.clock.now(),
            children=list(container.children),
        )
        self.media[media.id] = media
        return json_response(200, {"id": media.id})

    def _quota(self, request: RecordedRequest, node: str) -> Response:
        if node != self.user_id:
            return self.not_found(request)
        config = {"quota_total": QUOTA_TOTAL, "quota_duration": QUOTA_WINDOW}
        return json_response(
            200, {"data": [{"quota_usage": self.quota_usage(), "config": config}]}
        )

    def _list_media(self, request: RecordedRequest, node: str) -> Response:
        if node != self.user_id:
            return self.not_found(request)
        items = sorted(self.live_media(), key=lambda m: m.timestamp, reverse=True)
        data = [
            {"id": m.id, "caption": m.caption, "permalink": m.permalink} for m in items
        ]
        return json_response(200, {"data": data[:10]})

    def _get_node(self, request: RecordedRequest, node: str) -> Response:
        if node == self.user_id:
            return json_response(200, {"id": self.user_id, "username": self.username})
        container = self.containers.get(node)
        if container is not None:
            state = self._state(container)
            if container.polls_left > 0 and state == "IN_PROGRESS":
                container.polls_left -= 1
            body = {
                "id": node,
                "status_code": state,
                "status": self._status_text(container, state),
            }
            return json_response(200, body)
        media = self.media.get(node)
        if media is None or media.deleted:
            return self.not_found(request)
        body = {
            "id": media.id,
            "permalink": media.permalink,
            "shortcode": media.shortcode,
            "caption": media.caption,
            "media_type": "CAROUSEL_ALBUM" if media.children else "IMAGE",
        }
        return json_response(200, body)

    def _delete(self, request: RecordedRequest, node: str) -> Response:
        media = self.media.get(node)
        if media is None or media.deleted:
            return self.not_found(request)
        if not self.can_delete:
            return graph_error(
                403, 10, "(#10) Application does not have permission for this action"
            )
        media.deleted = True
        return json_response(200, {"success": True})

    def _next_id(self) -> str:
        return str(next(self._ids))


def _fetch(url: str) -> bytes | None:
    """GET ``url`` as Meta would, but only ever from this machine."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not is_loopback(parts.hostname):
        return None
    # No proxies: the fetch must go straight to the loopback server.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as answer:
            return bytes(answer.read())
    except (urllib.error.URLError, OSError):
        return None


def _image_problem(data: bytes | None) -> str | None:
    if data is None:
        return DOWNLOAD_FAILED + " (2207052)"
    if not data.startswith(b"\xff\xd8\xff"):
        return "Error: Only JPEG images are supported. (2207026)"
    if len(data) > MAX_IMAGE_BYTES:
        return "Error: The image is larger than 8 MB. (2207004)"
    try:
        width, height = Image.open(io.BytesIO(data)).size
    except OSError:
        return "Error: The image could not be decoded. (2207052)"
    if width * 5 < height * 4 or width * 100 > height * 191:
        return "Error: The aspect ratio is not supported. (2207009)"
    return None


def _params(request: RecordedRequest) -> dict[str, str]:
    merged = {k: v[0] for k, v in request.query.items()}
    if request.body:
        form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
        merged.update({k: v[0] for k, v in form.items()})
    return merged


def _param(request: RecordedRequest, name: str) -> str | None:
    return _params(request).get(name)


def _shortcode() -> str:
    return "".join(secrets.choice(string.ascii_letters) for _ in range(11))
