"""The database: posts, targets, audit trail and worker heartbeats."""

from publisher.store.records import AuditEntry, NewPost, StoredPost, StoredTarget
from publisher.store.repository import Store

__all__ = ["AuditEntry", "NewPost", "Store", "StoredPost", "StoredTarget"]
