"""The publish step for one post.

Before anything leaves the machine the names policy is applied again with the
roster as it is now, and every stored image is proven clean again. Each target
is then tried on its own, and its outcome recorded on its own, so that one
platform's failure never hides another's success and a retry never reaches a
target that already has the post.

A target is marked ``sending`` (and committed) before its platform call. If
the worker dies during the call, that mark is what the next worker finds, and
the target becomes ``needs_checking``: a person looks at the platform instead
of the product posting a second copy.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from publisher.config import Settings, load_settings
from publisher.errors import (
    InvalidTransition,
    MediaError,
    PermanentPlatformError,
    PlatformError,
    PublisherError,
    TransientPlatformError,
    UnknownOutcomeError,
)
from publisher.intake import judge, load_checker
from publisher.models import (
    PostStatus,
    PublishReceipt,
    TargetStatus,
    Verdict,
)
from publisher.outgoing import (
    WAITING,
    PostReport,
    TargetReport,
    image_problems,
    outgoing,
    parts_of,
    settle,
)
from publisher.platforms import Platform, get_platform
from publisher.series import next_in_series
from publisher.store import Store, StoredPost, StoredTarget

if TYPE_CHECKING:
    from publisher.policy import NamesChecker

log = logging.getLogger(__name__)

#: Waits after a temporary failure with no reset time, then give up.
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
#: Posts one round may take, so that heartbeats stay fresh under a backlog.
MAX_POSTS_PER_ROUND = 200
RESCHEDULABLE = (
    PostStatus.DRAFT,
    PostStatus.MISSED,
    PostStatus.BLOCKED,
    PostStatus.SCHEDULED,
)

PlatformFactory = Callable[[str], Platform]


class Publisher:
    """Publishes due posts, one claimed post at a time."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        worker: str = "publisher",
        platforms: PlatformFactory | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.worker = worker
        self.lease = timedelta(seconds=settings.lease_seconds)
        self._injected = platforms
        #: Set to finish the platform call under way, then stop cleanly.
        self.stopping = threading.Event()
        self._new_round()

    def _new_round(self) -> None:
        """Forget what the last round learnt: rosters, policies, account health."""
        self._schools: dict[str, Settings] = {self.settings.school: self.settings}
        self._checkers: dict[str, NamesChecker] = {}
        self._health: dict[tuple[str, str], PlatformError | None] = {}

    def _school(self, school: str) -> Settings:
        if school not in self._schools:
            self._schools[school] = load_settings(school=school)
        return self._schools[school]

    def _checker(self, school: str) -> NamesChecker:
        """The school's roster and policy, read afresh once per round."""
        if school not in self._checkers:
            self._checkers[school], _ = load_checker(self._school(school))
        return self._checkers[school]

    def _platform(self, name: str, school: str) -> Platform:
        if self._injected is not None:
            return self._injected(name)
        return get_platform(name, self._school(school))

    # -- the scheduler's entry point ------------------------------------------

    def run_due(self, now: datetime) -> list[PostReport]:
        """Publish every post whose time has come."""
        self.recover(now)
        for post_id in self.store.expire_unapproved(now):
            log.warning("post %s: expired unapproved; never published", post_id)
        if not self.store.due_post_ids(now, limit=1):
            return []
        self._new_round()
        reports: list[PostReport] = []
        while len(reports) < MAX_POSTS_PER_ROUND and not self.stopping.is_set():
            claimed = self.store.claim_next(
                self.worker, now=now, lease=self.lease + (_wall(now) - now)
            )
            if claimed is None:
                break
            try:
                reports.append(self._publish_claimed(claimed, now))
            except PublisherError:
                raise  # the store is failing: the lease runs out, then takeover
            except Exception as exc:
                log.exception("post %s: unexpected failure while publishing", claimed)
                reports.append(self._hold_after_crash(claimed, exc, now))
            # A long round still shows the worker alive to `publisher status`.
            self.store.heartbeat(self.worker, _wall(now))
        return reports

    def recover(self, now: datetime) -> list[str]:
        """Finish the claims of workers that died; return the post ids."""
        recovered = []
        for post_id in self.store.stale_claims(now):
            if not self.store.take_over(
                post_id, self.worker, now=_wall(now), lease=self.lease
            ):
                continue
            recovered.append(post_id)
            post = self.store.get_post(post_id)
            for target in post.targets:
                if target.status == TargetStatus.SENDING:
                    self._mark_unknown(post.id, target.target, _DIED_MID_CALL)
            self._schedule_next(post)
            self._finish(self.store.get_post(post_id), now, "recovered")
            log.warning("post %s: recovered from a stopped worker", post_id)
        return recovered

    # -- one post -------------------------------------------------------------

    def _publish_claimed(self, post_id: str, now: datetime) -> PostReport:
        post = self.store.get_post(post_id)
        self._schedule_next(post)
        late = now - (post.retry_at or post.due_at)
        grace = timedelta(minutes=self.settings.grace_minutes)
        if late > grace and all(t.attempts == 0 for t in post.targets):
            reason = f"{int(late.total_seconds() // 60)} min late; held for a person"
            self.store.release(
                post.id, PostStatus.MISSED, actor=self.worker, reason=reason
            )
            log.warning("post %s: missed its time; held", post.id)
            return PostReport(post.id, PostStatus.MISSED, detail=reason)

        try:
            checker = self._checker(post.school)
        except PublisherError as exc:
            # Without its roster and policy nothing is sent: fail closed, loudly.
            log.error("post %s: cannot check names: %s", post.id, exc)
            retry_at = _wall(now) + BACKOFF[0]
            self.store.release(
                post.id, PostStatus.SCHEDULED, actor=self.worker, retry_at=retry_at
            )
            return PostReport(post.id, PostStatus.SCHEDULED, detail=str(exc))
        verdict = judge(checker, parts_of(post))
        if verdict.blocked:
            return self._block(post, verdict)
        problems = image_problems(post)
        if problems:
            return self._refuse_images(post, problems, now)

        reports: list[TargetReport] = []
        for target in post.targets:
            if target.status not in WAITING or not _ready(target, now):
                continue
            if self.stopping.is_set():
                break  # asked to stop: the rest of the targets stay pending
            if not self.store.renew_lease(
                post.id, self.worker, now=_wall(now), lease=self.lease
            ):
                # Another worker took the post over; it now decides the rest.
                log.error("post %s: claim lost; leaving it to its new owner", post.id)
                return PostReport(post.id, PostStatus.PUBLISHING, reports)
            reports.append(self._publish_target(post, target, now))
        status = self._finish(self.store.get_post(post.id), now, "published run")
        return PostReport(post.id, status, reports)

    def _hold_after_crash(
        self, post_id: str, exc: Exception, now: datetime
    ) -> PostReport:
        """Stop a post that hit a fault of ours, so it cannot crash every round.

        A call that was under way may have gone out (needs checking); targets
        not yet tried are failed with the reason, for ``publisher retry``.
        """
        post = self.store.get_post(post_id)
        for target in post.targets:
            if target.status == TargetStatus.SENDING:
                self._mark_unknown(post_id, target.target, _unexpected(exc))
            elif target.status in WAITING:
                message = _untried(exc, post_id)
                self._fail(post_id, target.target, "internal", None, message)
        status = self._finish(self.store.get_post(post_id), now, "unexpected failure")
        return PostReport(post_id, status, detail=type(exc).__name__)

    def _schedule_next(self, post: StoredPost) -> None:
        """Queue a recurring post's next occurrence, once."""
        if not post.recurrence or not post.series_id:
            return
        if self.store.has_occurrence_after(post.series_id, post.due_at):
            return
        first = self.store.get_post(post.series_id)
        new = next_in_series(post, first, self.settings.media_dir)
        if new is not None:
            next_id = self.store.add_post(new)
            log.info("post %s: next occurrence is post %s", post.id, next_id)

    def _account_health(
        self, school: str, name: str, platform: Platform
    ) -> PlatformError | None:
        """Check an account once per round, read-only, before posting to it."""
        key = (school, name)
        if key not in self._health:
            try:
                platform.check_credentials()
                self._health[key] = None
            except PlatformError as exc:
                self._health[key] = exc
                if isinstance(exc, PermanentPlatformError):
                    log.error("account %s of %s is broken: %s", name, school, exc)
            except Exception as exc:
                # Read-only and before anything is sent: try again later.
                log.exception(
                    "account %s of %s: unexpected check failure", name, school
                )
                self._health[key] = TransientPlatformError(
                    f"The account check failed unexpectedly ({type(exc).__name__}).",
                    platform=name,
                )
        return self._health[key]

    def _publish_target(
        self, post: StoredPost, target: StoredTarget, now: datetime
    ) -> TargetReport:
        name = target.target
        try:
            platform = self._platform(name, post.school)
            problems = platform.limit_problems(outgoing(post))
        except PublisherError as exc:
            return self._fail(post.id, name, "config", None, str(exc))
        except Exception as exc:
            # A fault of ours for this target alone; nothing was sent to it,
            # and the post's other targets carry on.
            log.exception("post %s: %s could not be prepared", post.id, name)
            return self._fail(post.id, name, "internal", None, _untried(exc, post.id))
        if problems:
            return self._fail(post.id, name, "limits", None, " ".join(problems))
        health = self._account_health(post.school, name, platform)
        if isinstance(health, TransientPlatformError):
            return self._transient(post.id, name, health, target.attempts + 1, now)
        if health is not None:
            return self._fail(post.id, name, "reauth", health.code, str(health))

        attempts = target.attempts + 1
        self.store.update_target(
            post.id, name, TargetStatus.SENDING, actor=self.worker, attempts=attempts
        )
        try:
            receipt = platform.publish(outgoing(post))
        except TransientPlatformError as exc:
            return self._transient(post.id, name, exc, attempts, now)
        except PermanentPlatformError as exc:
            kind = "reauth" if exc.reauth else "permanent"
            return self._fail(post.id, name, kind, exc.code, str(exc))
        except UnknownOutcomeError as exc:
            return self._mark_unknown(post.id, name, str(exc), exc.code)
        except MediaError as exc:  # raised before the post itself is created
            return self._fail(post.id, name, "media", None, str(exc))
        except Exception as exc:  # the outcome of an unexpected failure is unknown
            log.exception("post %s: %s failed unexpectedly", post.id, name)
            return self._mark_unknown(post.id, name, _unexpected(exc))
        return self._published(post.id, name, receipt)

    def _published(
        self, post_id: str, name: str, receipt: PublishReceipt
    ) -> TargetReport:
        self.store.update_target(
            post_id,
            name,
            TargetStatus.PUBLISHED,
            actor=self.worker,
            remote_id=receipt.remote_id,
            url=receipt.url,
            extra=receipt.extra,
            error_kind=None,
            error_code=None,
            error_message=None,
            next_attempt_at=None,
        )
        log.info("post %s: published to %s as %s", post_id, name, receipt.remote_id)
        return TargetReport(
            name, TargetStatus.PUBLISHED, receipt.remote_id, receipt.url
        )

    def _transient(
        self,
        post_id: str,
        name: str,
        exc: TransientPlatformError,
        attempts: int,
        now: datetime,
    ) -> TargetReport:
        if attempts >= MAX_ATTEMPTS:
            message = f"{exc} Gave up after {attempts} attempts."
            return self._fail(post_id, name, "transient", exc.code, message)
        # Never sooner than our own backoff: a reset time in the past (clock
        # skew) must not turn into a burst of immediate retries.
        backoff = now + BACKOFF[attempts - 1]
        retry_at = max(exc.retry_at, backoff) if exc.retry_at else backoff
        self.store.update_target(
            post_id,
            name,
            TargetStatus.RETRY,
            actor=self.worker,
            reason=str(exc),
            error_kind="transient",
            error_code=exc.code,
            error_message=str(exc),
            next_attempt_at=retry_at,
            # Counted here too, for failures before any call (the account
            # check): otherwise they would be retried every 30 s for ever.
            attempts=attempts,
        )
        log.warning("post %s: %s will be retried (attempt %d)", post_id, name, attempts)
        return TargetReport(
            name, TargetStatus.RETRY, f"{exc} Next try {retry_at:%H:%M} UTC."
        )

    def _fail(
        self, post_id: str, name: str, kind: str, code: str | None, message: str
    ) -> TargetReport:
        self.store.update_target(
            post_id,
            name,
            TargetStatus.FAILED,
            actor=self.worker,
            reason=message,
            error_kind=kind,
            error_code=code,
            error_message=message,
            next_attempt_at=None,
        )
        level = logging.ERROR if kind == "reauth" else logging.WARNING
        log.log(level, "post %s: %s failed (%s, code %s)", post_id, name, kind, code)
        return TargetReport(name, TargetStatus.FAILED, message)

    def _mark_unknown(
        self, post_id: str, name: str, message: str, code: str | None = None
    ) -> TargetReport:
        self.store.update_target(
            post_id,
            name,
            TargetStatus.NEEDS_CHECKING,
            actor=self.worker,
            reason=message,
            error_kind="unknown_outcome",
            error_code=code,
            error_message=message,
        )
        log.error("post %s: %s outcome unknown; needs checking", post_id, name)
        return TargetReport(name, TargetStatus.NEEDS_CHECKING, message)

    def _block(self, post: StoredPost, verdict: Verdict) -> PostReport:
        ids = sorted({i for f in verdict.blocking for i in f.learner_ids})
        reason = (
            f"{verdict.policy}: {len(verdict.blocking)} finding(s) at publish time"
            f" (learner ids: {', '.join(ids) or 'not on the roster'})"
        )
        self.store.release(
            post.id, PostStatus.BLOCKED, actor=self.worker, reason=reason
        )
        log.warning("post %s: blocked at publish time", post.id)
        return PostReport(post.id, PostStatus.BLOCKED, detail=reason)

    def _refuse_images(
        self, post: StoredPost, problems: Sequence[str], now: datetime
    ) -> PostReport:
        message = "An image could not be proven clean: " + " ".join(problems)
        reports = [
            self._fail(post.id, t.target, "media", None, message)
            for t in post.targets
            if t.status in WAITING
        ]
        status = self._finish(self.store.get_post(post.id), now, message)
        return PostReport(post.id, status, reports, message)

    def _finish(self, post: StoredPost, now: datetime, reason: str) -> PostStatus:
        status, retry_at = settle(post.targets)
        self.store.release(
            post.id, status, actor=self.worker, reason=reason, retry_at=retry_at
        )
        return status

    # -- by hand ---------------------------------------------------------------

    def retry(self, post_id: str, *, actor: str, now: datetime) -> list[str]:
        """Send a post again to the targets that failed, and only those."""
        post = self.store.get_post(post_id)
        if post.status == PostStatus.PUBLISHING:
            raise InvalidTransition(f"Post {post_id} is being published right now.")
        failed = [t.target for t in post.targets if t.status == TargetStatus.FAILED]
        if not failed:
            raise InvalidTransition(
                f"Post {post_id} has no failed targets to retry. Targets that "
                "need checking must be resolved with 'publisher resolve'."
            )
        for name in failed:
            self.store.update_target(
                post_id,
                name,
                TargetStatus.PENDING,
                actor=actor,
                reason="retry",
                attempts=0,
                next_attempt_at=None,
            )
        self.store.release(
            post_id, PostStatus.SCHEDULED, actor=actor, reason="retry", retry_at=now
        )
        return failed

    def approve(
        self, post_id: str, *, actor: str, now: datetime, due_at: datetime | None
    ) -> datetime:
        """Let a post go out; the approver must not be its author."""
        post = self.store.get_post(post_id)
        if post.author == actor:
            raise InvalidTransition(
                f"Post {post_id} was queued by {actor}; someone else must approve it."
            )
        if post.status == PostStatus.EXPIRED and due_at is None:
            raise InvalidTransition(
                f"Post {post_id} expired unapproved at its time; approve it with "
                "a new time (--at)."
            )
        if post.status not in (PostStatus.AWAITING_APPROVAL, PostStatus.EXPIRED):
            raise InvalidTransition(
                f"Post {post_id} is {post.status.value}, not awaiting approval."
            )
        when = due_at or max(post.due_at, now)
        self.store.reschedule(
            post_id,
            when,
            actor=actor,
            expect=(PostStatus.AWAITING_APPROVAL, PostStatus.EXPIRED),
            reason="approved",
        )
        return when

    def reschedule(self, post_id: str, due_at: datetime, *, actor: str) -> PostStatus:
        """Give a draft, missed, blocked or scheduled post a new time.

        A draft under a policy that needs approval goes to a second person
        first; the others were approved (or needed no approval) already.
        """
        post = self.store.get_post(post_id)
        to = PostStatus.SCHEDULED
        if post.status == PostStatus.DRAFT:
            _, policy = load_checker(self._school(post.school))
            if policy.approval_required:
                to = PostStatus.AWAITING_APPROVAL
        self.store.reschedule(post_id, due_at, actor=actor, expect=RESCHEDULABLE, to=to)
        return to

    def takedown(self, post_id: str, *, actor: str, reason: str) -> list[TargetReport]:
        """Delete a post from every platform it reached."""
        post = self.store.get_post(post_id)
        if post.status == PostStatus.PUBLISHING:
            raise InvalidTransition(
                f"Post {post_id} is being published right now; run the takedown "
                "again in a minute."
            )
        reports = [
            self._take_down_target(post, target, actor, reason)
            for target in post.targets
            if target.status in (TargetStatus.PUBLISHED, TargetStatus.STILL_LIVE)
        ]
        live = [r for r in reports if r.status == TargetStatus.STILL_LIVE]
        unsure = [t for t in post.targets if t.status == TargetStatus.NEEDS_CHECKING]
        if not live and not unsure:
            self.store.release(
                post_id, PostStatus.TAKEN_DOWN, actor=actor, reason=reason
            )
            for item in post.images:
                item.image.path.unlink(missing_ok=True)
        return reports

    def _take_down_target(
        self, post: StoredPost, target: StoredTarget, actor: str, reason: str
    ) -> TargetReport:
        receipt = target.receipt
        try:
            if receipt is None:
                raise PermanentPlatformError(
                    "No remote id was stored.", platform=target.target
                )
            self._platform(target.target, post.school).delete(receipt)
        except PublisherError as exc:
            message = f"Still live: {exc}"
            self.store.update_target(
                post.id,
                target.target,
                TargetStatus.STILL_LIVE,
                actor=actor,
                reason=message,
                error_message=message,
                error_code=getattr(exc, "code", None),
            )
            log.error("post %s: takedown on %s failed", post.id, target.target)
            return TargetReport(target.target, TargetStatus.STILL_LIVE, message)
        self.store.update_target(
            post.id, target.target, TargetStatus.TAKEN_DOWN, actor=actor, reason=reason
        )
        log.info("post %s: taken down from %s", post.id, target.target)
        return TargetReport(target.target, TargetStatus.TAKEN_DOWN, "deleted")


def _wall(now: datetime) -> datetime:
    """The later of ``now`` and the real time: leases run on the real clock.

    ``now`` decides what is due and may be injected; a lease computed from a
    stale ``now`` would expire while the post is still being published.
    """
    return max(now, datetime.now(UTC))


def _ready(target: StoredTarget, now: datetime) -> bool:
    return target.next_attempt_at is None or target.next_attempt_at <= now


def _untried(exc: Exception, post_id: str) -> str:
    return (
        f"An unexpected {type(exc).__name__} stopped publishing before this "
        "target was tried; nothing was sent to it. Report the fault, then run "
        f"'publisher retry {post_id}'."
    )


def _unexpected(exc: Exception) -> str:
    return (
        f"An unexpected {type(exc).__name__} happened during the platform call, "
        "so it is not known whether the post went out. Check the account, then "
        "record the result with 'publisher resolve'."
    )


_DIED_MID_CALL = (
    "The worker stopped during the platform call, so it is not known whether "
    "the post went out. Check the account, then record the result with "
    "'publisher resolve'."
)

__all__ = ["Publisher"]
