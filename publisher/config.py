"""One typed settings object, read once from the environment.

The command line loads ``.env`` into the environment first (python-dotenv);
this module only reads a mapping, so tests pass their own.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.errors import ConfigError

#: Where the repository's own policy files live when running from a checkout.
PACKAGE_POLICIES = Path(__file__).resolve().parent.parent / "policies"

DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_POLICY = "images-no-names"
DEFAULT_HTTP_TIMEOUT = 30.0
DEFAULT_GRACE_MINUTES = 30
DEFAULT_LEASE_SECONDS = 600.0
#: Seconds between the scheduler's checks for due posts, and the least allowed.
DEFAULT_POLL_SECONDS = 1.0
MIN_POLL_SECONDS = 0.2
DEFAULT_FB_GRAPH_VERSION = "v26.0"


@dataclass(frozen=True)
class XCredentials:
    api_key: str
    api_secret: str
    access_token: str
    access_token_secret: str
    api_base: str = "https://api.x.com"
    #: tweepy.Client builds its own URLs; tests and staging reroute it here.
    client_base: str = "https://api.twitter.com"

    def __repr__(self) -> str:
        return f"XCredentials(api_base={self.api_base!r}, secrets=hidden)"


@dataclass(frozen=True)
class FacebookCredentials:
    page_id: str
    page_access_token: str
    graph_version: str = DEFAULT_FB_GRAPH_VERSION
    graph_base: str = "https://graph.facebook.com/"
    app_secret: str | None = None

    def __repr__(self) -> str:
        return f"FacebookCredentials(page_id={self.page_id!r}, token=hidden)"


@dataclass(frozen=True)
class BlueskyCredentials:
    handle: str
    app_password: str
    pds_url: str = "https://bsky.social"
    session_file: Path | None = None

    def __repr__(self) -> str:
        return f"BlueskyCredentials(handle={self.handle!r}, password=hidden)"


@dataclass(frozen=True)
class MastodonCredentials:
    api_base_url: str
    access_token: str

    def __repr__(self) -> str:
        return f"MastodonCredentials(api_base_url={self.api_base_url!r}, token=hidden)"


@dataclass(frozen=True)
class InstagramCredentials:
    user_id: str
    access_token: str
    public_media_dir: Path
    public_media_base_url: str
    graph_base: str = "https://graph.facebook.com/"
    graph_version: str = DEFAULT_FB_GRAPH_VERSION

    def __repr__(self) -> str:
        return f"InstagramCredentials(user_id={self.user_id!r}, token=hidden)"


@dataclass(frozen=True)
class Settings:
    """Everything the product reads from its environment."""

    school: str
    data_dir: Path
    database_url: str
    outbox_dir: Path
    roster: Path | None
    policy: str
    policies_dir: Path
    timezone: ZoneInfo
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    grace_minutes: int = DEFAULT_GRACE_MINUTES
    #: How long a worker's claim on a post lasts before others may recover it.
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    poll_seconds: float = DEFAULT_POLL_SECONDS
    x: XCredentials | None = field(default=None)
    facebook: FacebookCredentials | None = field(default=None)
    bluesky: BlueskyCredentials | None = field(default=None)
    mastodon: MastodonCredentials | None = field(default=None)
    instagram: InstagramCredentials | None = field(default=None)

    @property
    def media_dir(self) -> Path:
        """Where sanitised images are kept; originals never are."""
        return self.data_dir / "media"


#: Settings that belong to one school: its roster, policy, zone and accounts.
#: A school's file in PUBLISHER_SCHOOLS_DIR sets them; nothing is inherited,
#: so one school's posts can never reach another school's accounts.
SCHOOL_KEYS = (
    "PUBLISHER_ROSTER",
    "PUBLISHER_POLICY",
    "PUBLISHER_TIMEZONE",
    "PUBLISHER_OUTBOX_DIR",
)
SCHOOL_PREFIXES = ("X_", "FB_", "IG_", "BSKY_", "MASTODON_")
DEFAULT_SCHOOL = "default"
_SCHOOL_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def load_settings(
    env: Mapping[str, str] | None = None, *, school: str | None = None
) -> Settings:
    """Build the settings from ``env`` (default: the process environment).

    ``school`` (default: PUBLISHER_SCHOOL, else the main settings) selects a
    school of a trust or local authority, whose own settings come from
    ``PUBLISHER_SCHOOLS_DIR/<school>.env``.
    """
    env = os.environ if env is None else env
    school = school or env.get("PUBLISHER_SCHOOL") or DEFAULT_SCHOOL
    if school != DEFAULT_SCHOOL:
        env = _school_env(env, school)
    data_dir = Path(env.get("PUBLISHER_DATA_DIR") or "data").expanduser()
    roster = env.get("PUBLISHER_ROSTER")
    return Settings(
        school=school,
        data_dir=data_dir,
        database_url=env.get("PUBLISHER_DATABASE_URL")
        or f"sqlite:///{data_dir / 'publisher.db'}",
        outbox_dir=Path(env.get("PUBLISHER_OUTBOX_DIR") or data_dir / "outbox"),
        roster=Path(roster).expanduser() if roster else None,
        policy=env.get("PUBLISHER_POLICY") or DEFAULT_POLICY,
        policies_dir=_policies_dir(env),
        timezone=_timezone(env.get("PUBLISHER_TIMEZONE") or DEFAULT_TIMEZONE),
        http_timeout=_positive_number(
            env, "PUBLISHER_HTTP_TIMEOUT", DEFAULT_HTTP_TIMEOUT, least=1, most=600
        ),
        grace_minutes=int(
            _positive_number(
                env,
                "PUBLISHER_GRACE_MINUTES",
                DEFAULT_GRACE_MINUTES,
                whole=True,
                most=7 * 24 * 60,
            )
        ),
        poll_seconds=_positive_number(
            env,
            "PUBLISHER_POLL_SECONDS",
            DEFAULT_POLL_SECONDS,
            least=MIN_POLL_SECONDS,
            most=3600,
        ),
        lease_seconds=_positive_number(
            env, "PUBLISHER_LEASE_SECONDS", DEFAULT_LEASE_SECONDS, least=1, most=86400
        ),
        x=_x_credentials(env),
        facebook=_facebook_credentials(env),
        bluesky=_bluesky_credentials(env),
        mastodon=_mastodon_credentials(env),
        instagram=_instagram_credentials(env),
    )


def _school_env(env: Mapping[str, str], school: str) -> dict[str, str]:
    """The shared settings, with one school's own settings in place of the rest."""
    if not _SCHOOL_NAME.fullmatch(school):
        raise ConfigError(
            f"{school!r} is not a school name: use lower-case letters, digits "
            "and hyphens, as in ysgol-y-bryn."
        )
    folder = env.get("PUBLISHER_SCHOOLS_DIR")
    if not folder:
        raise ConfigError(
            f"School {school!r} was asked for, but PUBLISHER_SCHOOLS_DIR is not "
            "set. Set it to the folder that holds one <school>.env per school."
        )
    path = Path(folder).expanduser() / f"{school}.env"
    if not path.is_file():
        raise ConfigError(f"School {school!r} has no settings file at {path}.")
    from dotenv import dotenv_values

    shared = {
        key: value
        for key, value in env.items()
        if key not in SCHOOL_KEYS and not key.startswith(SCHOOL_PREFIXES)
    }
    try:
        values = dotenv_values(path, encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text; save it as UTF-8.") from exc
    own = {k: v for k, v in values.items() if v is not None}
    foreign = [
        k for k in own if k not in SCHOOL_KEYS and not k.startswith(SCHOOL_PREFIXES)
    ]
    if foreign:
        raise ConfigError(
            f"{path} sets {', '.join(sorted(foreign))}, which belong to the whole "
            "deployment, not to one school; move them to the main .env."
        )
    return {**shared, **own}


def _policies_dir(env: Mapping[str, str]) -> Path:
    configured = env.get("PUBLISHER_POLICIES_DIR")
    if configured:
        return Path(configured).expanduser()
    local = Path("policies")
    return local if local.is_dir() else PACKAGE_POLICIES


def _timezone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"PUBLISHER_TIMEZONE={name!r} is not an IANA time zone. "
            "Use a name such as Europe/London."
        ) from exc


def _positive_number(
    env: Mapping[str, str],
    key: str,
    default: float,
    *,
    whole: bool = False,
    least: float | None = None,
    most: float | None = None,
) -> float:
    """A finite number above zero, from ``least`` to ``most``; whole if asked."""
    raw = env.get(key)
    if not raw:
        return default
    kind = "a whole number" if whole else "a number"
    try:
        value = int(raw) if whole else float(raw)
    except ValueError as exc:
        raise ConfigError(f"{key}={raw!r} is not {kind}.") from exc
    if not math.isfinite(value):
        raise ConfigError(f"{key}={raw!r} is not {kind}.")
    if least is not None and value < least:
        raise ConfigError(f"{key} must be at least {least:g}, not {raw}.")
    if most is not None and value > most:
        raise ConfigError(f"{key} must be at most {most:g}, not {raw}.")
    if value <= 0:
        raise ConfigError(f"{key} must be greater than zero, not {raw}.")
    return value


def _x_credentials(env: Mapping[str, str]) -> XCredentials | None:
    keys = ("X_API_KEY", "X_API_SECRET", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET")
    if not _require_all(env, "X", keys):
        return None
    return XCredentials(
        api_key=env["X_API_KEY"],
        api_secret=env["X_API_SECRET"],
        access_token=env["X_ACCESS_TOKEN"],
        access_token_secret=env["X_ACCESS_TOKEN_SECRET"],
        api_base=(env.get("X_API_BASE") or "https://api.x.com").rstrip("/"),
        client_base=(env.get("X_CLIENT_BASE") or "https://api.twitter.com").rstrip("/"),
    )


def _facebook_credentials(env: Mapping[str, str]) -> FacebookCredentials | None:
    if not _require_all(env, "Facebook", ("FB_PAGE_ID", "FB_PAGE_ACCESS_TOKEN")):
        return None
    page, token = env["FB_PAGE_ID"], env["FB_PAGE_ACCESS_TOKEN"]
    base = env.get("FB_GRAPH_BASE") or "https://graph.facebook.com/"
    return FacebookCredentials(
        page_id=page,
        page_access_token=token,
        graph_version=env.get("FB_GRAPH_VERSION") or DEFAULT_FB_GRAPH_VERSION,
        graph_base=base if base.endswith("/") else base + "/",
        app_secret=env.get("FB_APP_SECRET") or None,
    )


def _require_all(env: Mapping[str, str], platform: str, keys: tuple[str, ...]) -> bool:
    """True when every key is set, False when none is; half set is an error."""
    present = [k for k in keys if env.get(k)]
    if not present:
        return False
    missing = [k for k in keys if not env.get(k)]
    if missing:
        raise ConfigError(
            f"{platform} is half configured: {', '.join(missing)} not set. "
            f"Set all of {', '.join(keys)}, or none."
        )
    return True


def _bluesky_credentials(env: Mapping[str, str]) -> BlueskyCredentials | None:
    if not _require_all(env, "Bluesky", ("BSKY_HANDLE", "BSKY_APP_PASSWORD")):
        return None
    session_file = env.get("BSKY_SESSION_FILE")
    return BlueskyCredentials(
        handle=env["BSKY_HANDLE"],
        app_password=env["BSKY_APP_PASSWORD"],
        pds_url=(env.get("BSKY_PDS_URL") or "https://bsky.social").rstrip("/"),
        session_file=Path(session_file) if session_file else None,
    )


def _mastodon_credentials(env: Mapping[str, str]) -> MastodonCredentials | None:
    keys = ("MASTODON_API_BASE_URL", "MASTODON_ACCESS_TOKEN")
    if not _require_all(env, "Mastodon", keys):
        return None
    return MastodonCredentials(
        api_base_url=env["MASTODON_API_BASE_URL"].rstrip("/"),
        access_token=env["MASTODON_ACCESS_TOKEN"],
    )


def _instagram_credentials(env: Mapping[str, str]) -> InstagramCredentials | None:
    keys = (
        "IG_USER_ID",
        "IG_ACCESS_TOKEN",
        "IG_PUBLIC_MEDIA_DIR",
        "IG_PUBLIC_MEDIA_BASE_URL",
    )
    if not _require_all(env, "Instagram", keys):
        return None
    base = env.get("IG_GRAPH_BASE") or "https://graph.facebook.com/"
    return InstagramCredentials(
        user_id=env["IG_USER_ID"],
        access_token=env["IG_ACCESS_TOKEN"],
        public_media_dir=Path(env["IG_PUBLIC_MEDIA_DIR"]),
        public_media_base_url=env["IG_PUBLIC_MEDIA_BASE_URL"].rstrip("/"),
        graph_base=base if base.endswith("/") else base + "/",
        graph_version=env.get("IG_GRAPH_VERSION") or DEFAULT_FB_GRAPH_VERSION,
    )
