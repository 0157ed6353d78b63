"""The database: posts, targets, audit trail and worker heartbeats."""

from publisher.store.repository import (
    AuditEntry,
    NewPost,
    Store,
    StoredPost,
    StoredTarget,
)

__all__ = ["AuditEntry", "NewPost", "Store", "StoredPost", "StoredTarget"]
