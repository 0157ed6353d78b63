"""A real HTTP server on 127.0.0.1 in front of a fake's ``handle``.

Client libraries then speak real HTTP, so a test proves what crossed the
wire: multipart framing, headers, signatures, timeouts and dropped
connections all behave as they would against the platform.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from tests.fakes.core import NoAnswer, Response

Handler = Callable[[str, str, dict[str, str], bytes], Response]

#: A hanging answer gives up after this long even if nobody stops the server.
DEFAULT_MAX_HANG = 30.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Do not join request threads on close: a hanging one ends on `release`.
    block_on_close = False
    # Several worker processes connect at once; the default backlog of 5
    # would reset connections the way no real platform does.
    request_queue_size = 128

    def __init__(self, handler: Handler, max_hang: float) -> None:
        super().__init__(("127.0.0.1", 0), _RequestHandler)
        self.handler = handler
        self.max_hang = max_hang
        self.release = threading.Event()
        self.errors: list[BaseException] = []


class _RequestHandler(BaseHTTPRequestHandler):
    # HTTP/1.0: one request per connection, so a client never reuses a
    # connection the fake closed, and "drop" affects one request only.
    protocol_version = "HTTP/1.0"
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def _serve(self) -> None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._answer((411, {"Content-Type": "text/plain"}, b"length required"))
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        address, port = self.server.server_address[:2]
        host = self.headers.get("Host") or f"{address!s}:{port}"
        url = f"http://{host}{self.path}"
        headers = {name: value for name, value in self.headers.items()}
        try:
            answer = self.server.handler(self.command, url, headers, body)
        except NoAnswer as silence:
            self._stay_silent(silence.mode)
            return
        except Exception as exc:
            # A bug in the fake must fail the test, not pass as a network
            # error the client is expected to survive.
            self.server.errors.append(exc)
            answer = (599, {"Content-Type": "text/plain"}, b"the fake crashed")
        self._answer(answer)

    def _answer(self, answer: Response) -> None:
        status, headers, body = answer
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _stay_silent(self, mode: str) -> None:
        if mode == "hang":
            self.server.release.wait(self.server.max_hang)
        # Either way the connection closes with no status line written.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet; the fake records every request itself."""


class LoopbackServer:
    """Serve ``handler`` on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, handler: Handler, *, max_hang: float = DEFAULT_MAX_HANG) -> None:
        self._server = _Server(handler, max_hang)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-platform-server",
            daemon=True,
        )
        self._running = False

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions the fake raised while answering; tests expect none."""
        return self._server.errors

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackServer:
        self._thread.start()
        self._running = True
        return self

    def release(self) -> None:
        """End every answer a fault left hanging (from now on, none hang)."""
        self._server.release.set()

    def stop(self) -> None:
        """Release hanging answers, stop serving and close the socket."""
        self.release()
        if self._running:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._running = False
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
