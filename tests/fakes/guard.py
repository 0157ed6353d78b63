"""Refuse any connection or name lookup that is not on the loopback interface.

A client that is routed wrongly would otherwise try the real platform. The
guard refuses the attempt and remembers it, and ``check`` fails the test
afterwards, because a refused connection looks like a plain network error
that the client under test may be expected to survive.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from typing import Any

import pytest

_PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


class NonLoopbackConnection(RuntimeError):
    """A test tried to reach a host that is not on this machine."""


def is_loopback(host: object) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


class LoopbackGuard:
    """Patches ``socket`` so only loopback addresses can be reached."""

    def __init__(self) -> None:
        self.violations: list[str] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in _PROXY_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        real_getaddrinfo = socket.getaddrinfo
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex

        def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
            self._allow(host, "look up")
            return real_getaddrinfo(host, *args, **kwargs)

        def wrap(real: Callable[..., Any]) -> Callable[..., Any]:
            def connect(sock: socket.socket, address: Any) -> Any:
                if sock.family in (socket.AF_INET, socket.AF_INET6):
                    self._allow(address[0], "connect to")
                return real(sock, address)

            return connect

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket.socket, "connect", wrap(real_connect))
        monkeypatch.setattr(socket.socket, "connect_ex", wrap(real_connect_ex))

    def check(self) -> None:
        """Fail if anything tried to leave the machine."""
        if self.violations:
            raise AssertionError(
                "a test tried to reach the network: " + "; ".join(self.violations)
            )

    def _allow(self, host: object, verb: str) -> None:
        if host is None or is_loopback(host):
            return
        self.violations.append(f"{verb} {host!r}")
        raise NonLoopbackConnection(f"tests may not {verb} {host!r}")
