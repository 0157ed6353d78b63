"""A faithful local Bluesky PDS: the XRPC calls the publisher makes, and their rules.

One object holds the account, its sessions, the blobs (the exact bytes
received), the post records with their deleted flags, a fake clock and a log
of every request. ``handle(method, url, headers, body)`` answers the way
bsky.social does, so atproto talks to it over real HTTP on loopback.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    sniff_image_type,
)

POST = "app.bsky.feed.post"
B32 = "abcdefghijklmnopqrstuvwxyz234567"
TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
TID = re.compile(r"[2-7a-j][2-7a-z]{12}")
#: createSession: 30 per 5 minutes per account.
SESSION_WINDOW = 300.0
SESSION_LIMIT = 30


@dataclass
class Blob:
    cid: str
    data: bytes
    mime_type: str
    did: str
    content_type: str


@dataclass
class StoredPost:
    rkey: str
    uri: str
    cid: str
    record: dict[str, Any]
    deleted: bool = False

    @property
    def text(self) -> str:
        return str(self.record["text"])

    @property
    def images(self) -> list[dict[str, Any]]:
        embed = self.record.get("embed") or {}
        return list(embed.get("images", []))

    @property
    def blob_cids(self) -> list[str]:
        return [image["image"]["ref"]["$link"] for image in self.images]


def cid_for(data: bytes, codec: int) -> str:
    """A real CIDv1 (sha-256, base32): codec 0x55 for blobs, 0x71 for records."""
    raw = bytes([0x01, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(raw).decode().lower().rstrip("=")


def xrpc_error(
    status: int, name: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    return json_response(status, {"error": name, "message": message}, headers)


class FakeBluesky(FakePlatform):
    """One PDS with one account, signed in with an app password."""

    def __init__(
        self,
        *,
        handle: str = "school.bsky.social",
        password: str = "abcd-efgh-ijkl-mnop",
        max_blob_bytes: int = 1_000_000,
        access_lifetime: float = 2 * 3600,
    ) -> None:
        # atproto compares token expiry with the real clock, so start there.
        super().__init__(FakeClock(start=time.time()))
        self.account_handle = handle
        self.password = password
        self.did = "did:plc:" + "".join(secrets.choice(B32) for _ in range(24))
        self.max_blob_bytes = max_blob_bytes
        self.access_lifetime = access_lifetime
        self.blobs: dict[str, Blob] = {}
        self.posts: dict[str, StoredPost] = {}
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: dict[str, bool] = {}
        self.session_times: list[float] = []

    # -- test-facing ------------------------------------------------------------

    def fault_kinds(self) -> frozenset[str]:
        """``rate_limit`` (``reset_in`` seconds or None), ``server_error``,
        ``upstream``, ``html_error``, ``expired_token``, ``revoked_token``,
        ``bad_scope``."""
        return frozenset(
            {
                "rate_limit",
                "server_error",
                "upstream",
                "html_error",
                "expired_token",
                "revoked_token",
                "bad_scope",
            }
        )

    def live_posts(self) -> list[StoredPost]:
        return [p for p in self.posts.values() if not p.deleted]

    def expire_all_access_tokens(self) -> None:
        """As if the clocks disagreed: every access token is now refused."""
        for token in self.access_tokens:
            self.access_tokens[token] = self.clock.now() - 1

    def issue_session(self) -> dict[str, Any]:
        """A session made outside the client, as a cached session file holds."""
        return self._new_session()

    # -- routing ------------------------------------------------------------------

    def routes(self) -> list[Route]:
        table = [
            ("POST", "com.atproto.server.createSession", self._create_session),
            ("POST", "com.atproto.server.refreshSession", self._refresh_session),
            ("GET", "com.atproto.server.getSession", self._get_session),
            ("GET", "app.bsky.actor.getProfile", self._get_profile),
            ("POST", "com.atproto.repo.uploadBlob", self._upload_blob),
            ("POST", "com.atproto.repo.createRecord", self._create_record),
            ("GET", "com.atproto.repo.getRecord", self._get_record),
            ("POST", "com.atproto.repo.deleteRecord", self._delete_record),
        ]
        return [
            Route(method, re.compile("/xrpc/" + re.escape(nsid)), nsid, handler)
            for method, nsid, handler in table
        ]

    def not_found(self, request: RecordedRequest) -> Response:
        if request.path.startswith("/xrpc/"):
            nsid = request.path.removeprefix("/xrpc/")
            return xrpc_error(
                501, "MethodNotImplemented", f"Method Not Implemented: {nsid}"
            )
        return xrpc_error(404, "NotFound", "Not Found")

    def platform_fault(
        self, fault: Fault, request: RecordedRequest, answer: Response | None = None
    ) -> Response | None:
        kind = fault.kind
        if kind == "rate_limit":
            headers = {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": "0",
                "ratelimit-policy": "3000;w=300",
            }
            reset_in = fault.options.get("reset_in")
            if reset_in is not None:
                headers["ratelimit-reset"] = str(int(self.clock.now() + reset_in))
            return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        if kind == "server_error":
            return xrpc_error(500, "InternalServerError", "Internal Server Error")
        if kind == "upstream":
            return xrpc_error(502, "UpstreamFailure", "Upstream Failure")
        if kind == "html_error":
            return html_response(503)
        if kind == "expired_token":
            token = _bearer(request)
            if token in self.access_tokens:
                self.access_tokens[token] = self.clock.now() - 1
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        if kind == "revoked_token":
            self.access_tokens.clear()
            self.refresh_tokens.clear()
            self.password = secrets.token_hex(8)  # the app password was revoked
            return xrpc_error(401, "InvalidToken", "Token has been revoked")
        if kind == "bad_scope":
            return xrpc_error(401, "InvalidToken", "Bad token scope")
        raise AssertionError(f"unhandled fault kind {kind}")

    # -- sessions -------------------------------------------------------------------

    def _jwt(self, scope: str, lifetime: float) -> str:
        now = self.clock.now()
        header = {"typ": "at+jwt", "alg": "ES256K"}
        payload = {
            "scope": scope,
            "sub": self.did,
            "aud": "did:web:fake-pds.invalid",
            "iat": int(now),
            "exp": int(now + lifetime),
            "jti": secrets.token_hex(8),
        }
        parts = [
            _b64url(json.dumps(header).encode()),
            _b64url(json.dumps(payload).encode()),
            _b64url(secrets.token_bytes(64)),  # any signature: clients do not check
        ]
        return ".".join(parts)

    def _new_session(self) -> dict[str, Any]:
        access = self._jwt("com.atproto.appPass", self.access_lifetime)
        refresh = self._jwt("com.atproto.refresh", 90 * 86400)
        self.access_tokens[access] = self.clock.now() + self.access_lifetime
        self.refresh_tokens[refresh] = True
        # No didDoc: with one, atproto would move to the PDS it names.
        return {
            "did": self.did,
            "handle": self.account_handle,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
        }

    def _authorise(self, request: RecordedRequest) -> Response | None:
        token = _bearer(request)
        if token is None:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        expires = self.access_tokens.get(token)
        if expires is None:
            return xrpc_error(401, "InvalidToken", "Token could not be verified")
        if expires <= self.clock.now():
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        return None

    def _create_session(self, request: RecordedRequest) -> Response:
        now = self.clock.now()
        recent = [t for t in self.session_times if t > now - SESSION_WINDOW]
        self.session_times = [*recent, now]
        if len(recent) >= SESSION_LIMIT:
            headers = {
                "ratelimit-limit": str(SESSION_LIMIT),
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(recent[0] + SESSION_WINDOW)),
                "ratelimit-policy": f"{SESSION_LIMIT};w={int(SESSION_WINDOW)}",
            }
            return xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", headers)
        data = _json(request)
        identifier = str(data.get("identifier", "")).lower()
        known = identifier in (self.account_handle.lower(), self.did)
        if not known or data.get("password") != self.password:
            return xrpc_error(
                401, "AuthenticationRequired", "Invalid identifier or password"
            )
        return json_response(200, self._new_session())

    def _refresh_session(self, request: RecordedRequest) -> Response:
        token = _bearer(request)
        if token is None or token not in self.refresh_tokens:
            return xrpc_error(401, "InvalidToken", "Token could not be verified")
        if not self.refresh_tokens[token]:
            return xrpc_error(400, "ExpiredToken", "Token has been revoked")
        self.refresh_tokens[token] = False  # refresh tokens rotate
        return json_response(200, self._new_session())

    def _get_session(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request)
        if denied:
            return denied
        return json_response(200, {"did": self.did, "handle": self.account_handle})

    def _get_profile(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request)
        if denied:
            return denied
        actor = request.query.get("actor", [""])[0].lower()
        if actor not in (self.did, self.account_handle.lower()):
            return xrpc_error(400, "InvalidRequest", "Profile not found")
        profile = {
            "did": self.did,
            "handle": self.account_handle,
            "displayName": "Ysgol",
        }
        return json_response(200, profile)

    # -- repository -------------------------------------------------------------------

    def _upload_blob(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request)
        if denied:
            return denied
        data = request.body
        if len(data) > self.max_blob_bytes:
            return xrpc_error(
                400,
                "BlobTooLarge",
                f"This file is too large. It is {len(data) / 1e6:.2f}MB but the "
                f"maximum size is {self.max_blob_bytes / 1024:.2f}KB.",
            )
        # Any Content-Type is accepted, even */*; the bytes decide the type.
        mime = sniff_image_type(data) or "application/octet-stream"
        cid = cid_for(data, 0x55)
        self.blobs[cid] = Blob(cid, data, mime, self.did, request.content_type)
        blob = {
            "$type": "blob",
            "ref": {"$link": cid},
            "mimeType": mime,
            "size": len(data),
        }
        return json_response(200, {"blob": blob})

    def _create_record(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request)
        if denied:
            return denied
        data = _json(request)
        if data.get("repo") not in (self.did, self.account_handle):
            return xrpc_error(400, "InvalidRequest", "Invalid repo for this account")
        if data.get("collection") != POST:
            return xrpc_error(400, "InvalidRequest", "This fake stores only posts")
        rkey = str(data.get("rkey") or _tid(self.clock.now()))
        if not TID.fullmatch(rkey):
            return xrpc_error(400, "InvalidRequest", f"Invalid record key: {rkey}")
        if rkey in self.posts:
            return xrpc_error(400, "InvalidRequest", f"Record already exists: {rkey}")
        problem = self._record_problem(data.get("record"))
        if problem:
            return xrpc_error(400, "InvalidRequest", problem)
        record = data["record"]
        uri = f"at://{self.did}/{POST}/{rkey}"
        cid = cid_for(json.dumps(record, sort_keys=True).encode(), 0x71)
        self.posts[rkey] = StoredPost(rkey, uri, cid, record)
        commit = {"cid": cid_for(uri.encode(), 0x71), "rev": _tid(self.clock.now())}
        body = {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}
        return json_response(200, body)

    def _record_problem(self, record: Any) -> str | None:
        if not isinstance(record, dict) or record.get("$type") != POST:
            return "Invalid app.bsky.feed.post record: $type"
        text = record.get("text")
        if not isinstance(text, str):
            return "Record/text must be a string"
        if len(regex.findall(r"\X", text)) > 300:
            return "Record/text must not be longer than 300 graphemes"
        if len(text.encode("utf-8")) > 3000:
            return "Record/text must not be longer than 3000 characters"
        try:
            datetime.fromisoformat(str(record.get("createdAt")))
        except ValueError:
            return "Record/createdAt must be an valid atproto datetime"
        langs = record.get("langs", [])
        if not isinstance(langs, list) or len(langs) > 3:
            return "Record/langs must not have more than 3 elements"
        return self._embed_problem(record.get("embed"))

    def _embed_problem(self, embed: Any) -> str | None:
        if embed is None:
            return None
        if embed.get("$type") != "app.bsky.embed.images":
            return "Record/embed must be app.bsky.embed.images in this fake"
        images = embed.get("images")
        if not isinstance(images, list) or not 1 <= len(images) <= 4:
            return "Record/embed/images must have 1 to 4 elements"
        for number, image in enumerate(images):
            if not isinstance(image.get("alt"), str):
                return f'Record/embed/images/{number} must have the property "alt"'
            ref = (image.get("image") or {}).get("ref") or {}
            blob = self.blobs.get(ref.get("$link", ""))
            if blob is None or blob.did != self.did:
                return f"Could not find blob: {ref.get('$link')}"
        return None

    def _get_record(self, request: RecordedRequest) -> Response:
        query = {key: values[0] for key, values in request.query.items()}
        post = self.posts.get(query.get("rkey", ""))
        ours = query.get("repo") in (self.did, self.account_handle)
        if not ours or post is None or post.deleted or query.get("collection") != POST:
            uri = f"at://{query.get('repo')}/{query.get('collection')}/{query.get('rkey')}"
            return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
        return json_response(
            200, {"uri": post.uri, "cid": post.cid, "value": post.record}
        )

    def _delete_record(self, request: RecordedRequest) -> Response:
        denied = self._authorise(request)
        if denied:
            return denied
        data = _json(request)
        if data.get("repo") not in (self.did, self.account_handle):
            return xrpc_error(400, "InvalidRequest", "Invalid repo for this account")
        post = self.posts.get(str(data.get("rkey")))
        if post is not None and data.get("collection") == POST:
            post.deleted = True
        # Deleting a record that is not there is a successful no-op.
        commit = {
            "cid": cid_for(secrets.token_bytes(8), 0x71),
            "rev": _tid(self.clock.now()),
        }
        return json_response(200, {"commit": commit})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _json(request: RecordedRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _bearer(request: RecordedRequest) -> str | None:
    value = request.header("authorization") or ""
    return value.removeprefix("Bearer ") if value.startswith("Bearer ") else None


def _tid(now: float) -> str:
    value = (int(now * 1_000_000) << 10) | secrets.randbelow(1024)
    return "".join(TID_CHARS[(value >> (5 * i)) & 31] for i in reversed(range(13)))
