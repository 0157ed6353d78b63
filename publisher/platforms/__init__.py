"""Platform clients: one module per platform behind ``Platform``."""

from __future__ import annotations

from publisher.config import Settings
from publisher.errors import ConfigError
from publisher.platforms.base import Platform

#: Every target name the product knows, in the order they are documented.
TARGET_NAMES = ("outbox", "x", "facebook", "bluesky", "mastodon", "instagram")

__all__ = ["TARGET_NAMES", "Platform", "get_platform"]


def get_platform(name: str, settings: Settings) -> Platform:
    """Build the client for target ``name`` from ``settings``.

    Imports are local so that a command that never posts does not pay for
    tweepy, requests or facebook-sdk at start-up.
    """
    if name == "outbox":
        from publisher.platforms.outbox import OutboxPlatform

        return OutboxPlatform(settings.outbox_dir)
    if name == "x":
        if settings.x is None:
            raise ConfigError(_missing("X", "X_API_KEY, X_API_SECRET, ..."))
        from publisher.platforms.x import XPlatform

        return XPlatform(settings.x, timeout=settings.http_timeout)
    if name == "facebook":
        if settings.facebook is None:
            raise ConfigError(_missing("Facebook", "FB_PAGE_ID, FB_PAGE_ACCESS_TOKEN"))
        from publisher.platforms.facebook import FacebookPlatform

        return FacebookPlatform(settings.facebook, timeout=settings.http_timeout)
    if name == "bluesky":
        if settings.bluesky is None:
            raise ConfigError(_missing("Bluesky", "BSKY_HANDLE, BSKY_APP_PASSWORD"))
        from publisher.platforms.bluesky import BlueskyPlatform

        return BlueskyPlatform(settings.bluesky, timeout=settings.http_timeout)
    if name == "mastodon":
        if settings.mastodon is None:
            raise ConfigError(
                _missing("Mastodon", "MASTODON_API_BASE_URL, MASTODON_ACCESS_TOKEN")
            )
        from publisher.platforms.mastodon import MastodonPlatform

        return MastodonPlatform(settings.mastodon, timeout=settings.http_timeout)
    if name == "instagram":
        if settings.instagram is None:
            raise ConfigError(
                _missing("Instagram", "IG_USER_ID, IG_ACCESS_TOKEN, IG_PUBLIC_MEDIA_*")
            )
        from publisher.platforms.instagram import InstagramPlatform

        return InstagramPlatform(settings.instagram, timeout=settings.http_timeout)
    raise ConfigError(
        f"Unknown target {name!r}. Known targets: {', '.join(TARGET_NAMES)}."
    )


def _missing(platform: str, keys: str) -> str:
    return (
        f"Target {platform} is not configured. Set {keys} in .env "
        "(see .env.example), then run 'publisher doctor'."
    )
