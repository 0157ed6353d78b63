"""One error tree for the whole product.

Every message is a full sentence that says what failed and what to do next.
The command line catches ``PublisherError`` and exits with ``exit_code``::

    PublisherError                      exit 1
    ├── ConfigError                     exit 2  settings, .env, policy files
    │   └── PolicyFileError                     a policy TOML file is invalid
    ├── RosterError                     exit 2  the roster CSV cannot be used
    ├── PostBlocked                     exit 3  the names policy refused a post
    ├── MediaError                      exit 4  an image was refused
    │   ├── UnsupportedFormat
    │   ├── CorruptImage
    │   ├── ImageTooLarge                       declared size over the bomb limit
    │   └── UnverifiedImage                     output could not be proven clean
    ├── LimitError                      exit 5  a target's limit would be broken
    ├── PlatformError                   exit 6  a platform call failed
    │   ├── TransientPlatformError              retry later (429, 5xx, network)
    │   ├── PermanentPlatformError              this target fails for good
    │   └── UnknownOutcomeError                 sent, answer lost: check by hand
    ├── StoreError                      exit 7  the database
    │   ├── PostNotFound
    │   └── InvalidTransition
    └── ScheduleError                   exit 8  a time that cannot be used
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from datetime import datetime

    from publisher.models import Finding


class PublisherError(Exception):
    """Root of every error the product raises on purpose."""

    exit_code = 1


class ConfigError(PublisherError):
    """A setting, the .env file or a policy file is wrong."""

    exit_code = 2


class PolicyFileError(ConfigError):
    """A policy file cannot be read; the message names file, line and key."""


class RosterError(PublisherError):
    """The roster CSV is missing or has no usable rows."""

    exit_code = 2


class PostBlocked(PublisherError):
    """The names policy refused a post; ``findings`` says why."""

    exit_code = 3

    def __init__(self, message: str, findings: Sequence[Finding]) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


class MediaError(PublisherError):
    """An image was refused. Nothing from it was kept."""

    exit_code = 4


class UnsupportedFormat(MediaError):
    """The file is not an image format the sanitiser can prove clean."""


class CorruptImage(MediaError):
    """The image could not be fully decoded."""


class ImageTooLarge(MediaError):
    """The image declares more pixels than the safety limit allows."""


class UnverifiedImage(MediaError):
    """The sanitised output held something other than pixels."""


class LimitError(PublisherError):
    """A post breaks a target platform's limits; nothing was sent."""

    exit_code = 5


class PlatformError(PublisherError):
    """A platform call failed. Keeps the platform's own code and message."""

    exit_code = 6

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        code: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.platform = platform
        # Platforms answer with codes of every type and length (numbers,
        # objects, long names); the store keeps up to 64 characters of text.
        self.code = None if code is None else str(code)[:64]
        self.detail = detail


class TransientPlatformError(PlatformError):
    """Worth retrying later: rate limit, server error or network failure."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        code: str | None = None,
        detail: str | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        super().__init__(message, platform=platform, code=code, detail=detail)
        self.retry_at = retry_at


class PermanentPlatformError(PlatformError):
    """Will not succeed by retrying: bad token, no permission, rejected post."""

    def __init__(
        self,
        message: str,
        *,
        platform: str,
        code: str | None = None,
        detail: str | None = None,
        reauth: bool = False,
    ) -> None:
        super().__init__(message, platform=platform, code=code, detail=detail)
        self.reauth = reauth


class UnknownOutcomeError(PlatformError):
    """The request went out but the answer was lost; never blindly re-send."""


class StoreError(PublisherError):
    """The database could not be used."""

    exit_code = 7


class PostNotFound(StoreError):
    """No post has the given id."""


class InvalidTransition(StoreError):
    """The post is not in a state that allows the requested change."""


class ScheduleError(PublisherError):
    """A publication time cannot be used as given."""

    exit_code = 8
