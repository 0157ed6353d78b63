"""Machinery shared by the platform fakes.

A fake is a plain object with one entry point,
``handle(method, url, headers, body) -> (status, headers, body_bytes)``.
It records every request, answers from its own state and fake clock, and
can be told to misbehave once with ``fail_next(route, kind, **options)``.
A fault may also leave the request unanswered: ``handle`` then raises
``NoAnswer`` and the server either hangs or drops the connection.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: What ``handle`` returns: status, headers and the exact body bytes.
Response = tuple[int, dict[str, str], bytes]

#: Fault kinds every fake understands; the rest are platform-specific.
NO_ANSWER_KINDS = {
    "timeout": ("hang", False),
    "timeout_before": ("hang", False),
    "timeout_after": ("hang", True),
    "drop": ("drop", False),
    "drop_before": ("drop", False),
    "drop_after": ("drop", True),
}


class NoAnswer(Exception):
    """The fake will not answer: ``mode`` is ``hang`` or ``drop``."""

    def __init__(self, mode: str) -> None:
        super().__init__(mode)
        self.mode = mode


class FakeClock:
    """Epoch seconds that move only when a test says so."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds

    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self._now, tz=UTC)


class Ticker:
    """A monotonic clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@dataclass
class RecordedRequest:
    """One request exactly as it reached the fake."""

    method: str
    url: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    route: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True)


@dataclass
class Part:
    """One part of a multipart body."""

    name: str | None
    filename: str | None
    content_type: str | None
    data: bytes

    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass
class Fault:
    """One queued misbehaviour for the next matching request."""

    route: str
    kind: str
    skip: int = 0
    after_store: bool = False
    options: dict[str, Any] = field(default_factory=dict)


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    """Split a multipart/form-data body with the standard library.

    The request's Content-Type header goes in front of the body so the email
    parser sees a whole MIME message; each part keeps its exact bytes.
    """
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise ValueError("body is not multipart")
    parts = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        name = part.get_param("name", header="content-disposition")
        parts.append(
            Part(
                name=email.utils.collapse_rfc2231_value(name) if name else None,
                filename=part.get_filename(),
                content_type=part.get("content-type") and part.get_content_type(),
                data=payload if isinstance(payload, bytes) else b"",
            )
        )
    return parts


def sniff_image_type(data: bytes) -> str | None:
    """The image type given by the file's magic bytes."""
    signatures = (
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF87a", "image/gif"),
        (b"GIF89a", "image/gif"),
        (b"BM", "image/bmp"),
        (b"II*\x00", "image/tiff"),
        (b"MM\x00*", "image/tiff"),
    )
    for magic, media_type in signatures:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def json_response(
    status: int, payload: Any, headers: dict[str, str] | None = None
) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    merged = {"Content-Type": "application/json; charset=utf-8"}
    merged.update(headers or {})
    return status, merged, body


def html_response(status: int, headers: dict[str, str] | None = None) -> Response:
    body = (
        f"<html><head><title>{status} Error</title></head>"
        f"<body><h1>{status}</h1><p>Something went wrong.</p></body></html>"
    ).encode()
    merged = {"Content-Type": "text/html; charset=utf-8"}
    merged.update(headers or {})
    return status, merged, body


@dataclass(frozen=True)
class Route:
    """A method and path pattern served by a fake, named by ``template``."""

    method: str
    pattern: re.Pattern[str]
    template: str
    handler: Callable[..., Response]


class FakePlatform:
    """State, recording, routing and fault injection shared by the fakes."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.clock = clock or FakeClock()
        self.requests: list[RecordedRequest] = []
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._route_table: list[Route] | None = None

    # Test-facing -----------------------------------------------------------

    def fail_next(
        self, route: str, kind: str, *, skip: int = 0, **options: Any
    ) -> None:
        """Make the next request to ``route`` (``"*"`` for any) misbehave.

        ``skip`` lets that many matching requests through first.
        ``after_store=True`` lets the request take effect before the fault
        answers; the ``*_after`` kinds imply it.
        """
        after_store = bool(options.pop("after_store", False))
        if kind in NO_ANSWER_KINDS:
            after_store = after_store or NO_ANSWER_KINDS[kind][1]
        elif kind not in self.fault_kinds():
            raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.append(Fault(route, kind, skip, after_store, options))

    def fault_kinds(self) -> frozenset[str]:
        """Platform fault kinds besides the no-answer ones."""
        return frozenset()

    def requests_to(self, route: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.route == route]

    # Entry point -----------------------------------------------------------

    def handle(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> Response:
        with self._lock:
            request = self._record(method, url, headers, body)
            path = self.route_path(request)
            if not isinstance(path, str):
                return path
            found = self._resolve(request, path)
            if found is None:
                return self.not_found(request)
            route, params = found
            request.route = route.template

            fault = self._take_fault(route.template)
            if fault is not None and not fault.after_store:
                early = self._fault_answer(fault, request)
                if early is not None:
                    return early
            response = route.handler(request, **params)
            if fault is not None and fault.after_store:
                request.extra["answer"] = response
                late = self._fault_answer(fault, request)
                if late is not None:
                    return late
            return response

    # Subclass hooks ----------------------------------------------------------

    def routes(self) -> list[Route]:
        raise AssertionError("a fake must list its routes")

    def route_path(self, request: RecordedRequest) -> str | Response:
        """The path the routes match, or an error answer for a bad path."""
        return request.path

    def not_found(self, request: RecordedRequest) -> Response:
        raise AssertionError("a fake must answer unknown routes")

    def platform_fault(self, fault: Fault, request: RecordedRequest) -> Response | None:
        """The answer for a platform fault, or None to keep the normal one.

        When the fault comes after the request took effect, the handler's own
        answer is in ``request.extra["answer"]``.
        """
        raise AssertionError(f"unhandled fault kind {fault.kind}")

    # Internals -------------------------------------------------------------

    def _record(
        self, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> RecordedRequest:
        parts = urlsplit(url)
        request = RecordedRequest(
            method=method.upper(),
            url=url,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in headers.items()},
            body=body,
        )
        self.requests.append(request)
        return request

    def _resolve(
        self, request: RecordedRequest, path: str
    ) -> tuple[Route, dict[str, str]] | None:
        if self._route_table is None:
            self._route_table = self.routes()
        for route in self._route_table:
            match = route.pattern.fullmatch(path)
            if match and route.method == request.method:
                return route, match.groupdict()
        return None

    def _take_fault(self, template: str) -> Fault | None:
        for fault in self._faults:
            if fault.route in (template, "*"):
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                self._faults.remove(fault)
                return fault
        return None

    def _fault_answer(self, fault: Fault, request: RecordedRequest) -> Response | None:
        if fault.kind in NO_ANSWER_KINDS:
            raise NoAnswer(NO_ANSWER_KINDS[fault.kind][0])
        return self.platform_fault(fault, request)
