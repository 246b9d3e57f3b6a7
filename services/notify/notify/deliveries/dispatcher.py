"""Sends the delivery log: claims due rows, sends each over its channel, records the outcome; also
queues the due reminders and, hourly, blanks the personal data of past bookings (``notify.retention``).

Retries use exponential backoff; a permanent failure, or ``max_attempts`` temporary ones, end in the
``dead`` state with the reason. A dispatcher that dies mid-send leaves its rows ``sending`` until the
lease expires, then they are retried: so a crash in the few milliseconds between the SMTP server's
acceptance and the record may send that message twice (its ``Message-ID`` is the same both times).
"""

import asyncio
import contextlib
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr

import asyncpg
import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fs_common.backoff import Backoff
from fs_common.databases import asyncpg_dsn
from fs_common.heartbeat import beat
from fs_common.workers import WORKER_BACKOFF, is_outage, log_failure, sleep_unless_stopped
from notify.channels import DeliveryFailure, PermanentFailure, TemporaryFailure
from notify.channels.sms import SmsProvider
from notify.channels.smtp import Mailer, build_message
from notify.channels.webhook import post_event
from notify.config import NotifySettings
from notify.deliveries import repository
from notify.deliveries.models import Channel, Delivery, Status
from notify.deliveries.service import backoff, irrelevance
from notify.events import repository as events_repo
from notify.reminders import service as reminders
from notify.retention import service as retention
from notify.webhooks import repository as webhooks_repo
from notify.webhooks.targets import TargetPolicy

logger = logging.getLogger(__name__)


@dataclass
class Senders:
    mailer: Mailer
    http: httpx.AsyncClient
    sms: SmsProvider | None


class _Recorder:
    """Writes outcomes as they come, in one transaction for all those that finished meanwhile.

    The first caller with nothing being written writes; the others wait for the write that includes
    theirs (group commit: one fsync for many messages instead of one each).
    """

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker
        self._waiting: list[tuple[repository.Outcome, asyncio.Future[None]]] = []
        self._writing = False

    async def record(self, outcome: repository.Outcome) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((outcome, done))
        if not self._writing:
            self._writing = True
            try:
                while self._waiting:
                    group, self._waiting = self._waiting, []
                    try:
                        await self._write([o for o, _ in group])
                    except Exception as exc:  # those deliveries are retried when their lease runs out
                        for _, future in group:
                            future.set_exception(exc)
                    else:
                        for _, future in group:
                            future.set_result(None)
            finally:
                self._writing = False
        await done

    async def _write(self, outcomes: list[repository.Outcome]) -> None:
        """A message sent but not recorded would be sent again after its lease: so the record is tried
        again while the database comes back (a failover), for up to about half a minute."""
        for attempt in range(1, _RECORD_ATTEMPTS + 1):
            try:
                async with self.sessionmaker() as session, session.begin():
                    await repository.finish_many(session, outcomes)
                return
            except Exception as exc:
                if attempt == _RECORD_ATTEMPTS or not is_outage(exc):
                    raise
                await asyncio.sleep(_RECORD_BACKOFF.delay(attempt))


_RECORD_ATTEMPTS = 8
_RECORD_BACKOFF = Backoff(base_s=0.25, cap_s=5.0, jitter=0.2)


class Dispatcher:
    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        senders: Senders,
        settings: NotifySettings,
        clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
        backoff: Backoff = WORKER_BACKOFF,
    ) -> None:
        self.clock = clock
        self.sessionmaker = sessionmaker
        self.senders = senders
        self.settings = settings
        self._parallel = asyncio.Semaphore(settings.dispatch_concurrency)
        self._envelope_sender = parseaddr(settings.smtp_sender)[1]
        self._recorder = _Recorder(sessionmaker)
        self._wake = asyncio.Event()
        self._webhook_policy = TargetPolicy.of(settings)
        self.backoff = backoff

    async def run(self, stop: asyncio.Event) -> None:
        """Send until ``stop``; a failed round (PostgreSQL or the network away) is logged and retried
        on the shared worker schedule, and the wake-up channel is reopened once the database is back."""
        listener: asyncpg.Connection | None = None
        next_anonymise = 0.0
        next_listen = 0.0
        loop = asyncio.get_running_loop()
        failures = 0
        try:
            while not stop.is_set():
                beat()
                self._wake.clear()
                if (listener is None or listener.is_closed()) and loop.time() >= next_listen:
                    listener = await self._listen()
                    next_listen = loop.time() + self.settings.poll_interval_s * 10
                try:
                    if loop.time() >= next_anonymise:
                        await retention.anonymise(self.sessionmaker, settings=self.settings, now=self.clock())
                        next_anonymise = loop.time() + self.settings.anonymise_every_s
                    busy = await self.tick()
                    failures = 0
                except Exception as exc:  # database or network down: try again after a pause
                    failures += 1
                    pause = self.backoff.delay(failures)
                    log_failure("dispatch round", exc, attempt=failures, retry_in_s=pause)
                    await sleep_unless_stopped(stop, pause)
                    continue
                if not busy:
                    await self._idle(stop)
        finally:
            if listener is not None and not listener.is_closed():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(listener.close(), 5)

    async def _listen(self) -> asyncpg.Connection | None:
        """Be woken by the consumer's ``NOTIFY`` on new deliveries; polling stays the safety net."""
        try:
            connection = await asyncpg.connect(asyncpg_dsn(self.settings.database_url), timeout=5)
            await connection.add_listener(repository.WAKE_CHANNEL, lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            logger.warning("no wake-up channel, polling only", extra={"error": type(exc).__name__})
            return None
        return connection

    async def _idle(self, stop: asyncio.Event) -> None:
        """Until new deliveries are announced, the poll interval passes or the dispatcher stops."""
        waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self._wake.wait())]
        try:
            await asyncio.wait(
                waiters, timeout=self.settings.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for waiter in waiters:
                waiter.cancel()

    async def tick(self) -> int:
        """Queue the due reminders, then send one batch; returns how much work was found."""
        now = self.clock()
        async with self.sessionmaker() as session, session.begin():
            queued = await reminders.queue_due(
                session, settings=self.settings, now=now, limit=self.settings.dispatch_batch
            )
        async with self.sessionmaker() as session, session.begin():
            batch = await repository.claim_due(
                session, now=now, limit=self.settings.dispatch_batch, lease_s=self.settings.lease_s
            )
            states = await events_repo.states_of(session, list({d.booking_id for d in batch}))
        queues: dict[tuple, list[Delivery]] = defaultdict(list)
        for delivery in sorted(
            batch, key=lambda d: d.created_at
        ):  # one booking's messages on one channel go in order, one at a time
            queues[(delivery.booking_id, delivery.channel, delivery.subscription_id)].append(delivery)
        await asyncio.gather(
            *(self._deliver_in_order(q, states.get(q[0].booking_id)) for q in queues.values())
        )
        return queued + len(batch)

    async def _deliver_in_order(
        self, deliveries: list[Delivery], state: tuple[str, dt.datetime] | None
    ) -> None:
        for delivery in deliveries:
            await self._deliver(delivery, state)

    async def _deliver(self, delivery: Delivery, state: tuple[str, dt.datetime] | None) -> None:
        async with self._parallel:
            # Too late to start within the lease: another dispatcher may take the row over at its end.
            margin = dt.timedelta(seconds=max(self.settings.smtp_timeout_s, self.settings.webhook_timeout_s))
            if delivery.lease_until is not None and self.clock() + margin >= delivery.lease_until:
                return
            skip = None
            if delivery.channel != Channel.webhook:
                skip = irrelevance(
                    delivery,
                    state_status=state[0] if state else None,
                    state_starts_at=state[1] if state else None,
                    now=self.clock(),
                )
            status, reason, retry_at = Status.sent, skip, None
            if skip:
                status = Status.skipped
            else:
                try:
                    await self._send(delivery)
                except PermanentFailure as exc:
                    status, reason = Status.dead, exc.reason
                except DeliveryFailure as exc:
                    status, reason = self._after_temporary(delivery, exc.reason)
                except Exception as exc:  # a bug: keep the delivery, retry it, say what broke
                    logger.error(
                        "delivery raised",
                        extra={"delivery_id": str(delivery.id), "error": type(exc).__name__},
                    )
                    status, reason = self._after_temporary(delivery, f"erreur interne ({type(exc).__name__})")
                if status == Status.retrying:
                    retry_at = self.clock() + backoff(delivery.attempts, self.settings)
            await self._recorder.record(
                repository.Outcome(delivery.id, delivery.attempts, status, reason, self.clock(), retry_at)
            )
            if status in (Status.dead, Status.retrying):
                logger.warning(
                    "delivery failed",
                    extra={
                        "delivery_id": str(delivery.id),
                        "channel": delivery.channel,
                        "status": status.value,
                        "attempts": delivery.attempts,
                    },
                )

    def _after_temporary(self, delivery: Delivery, reason: str) -> tuple[Status, str]:
        if delivery.attempts >= self.settings.max_attempts:
            return Status.dead, f"Abandon après {delivery.attempts} tentatives. Dernière erreur : {reason}"
        return Status.retrying, reason

    async def _send(self, delivery: Delivery) -> None:
        match delivery.channel:
            case Channel.email:
                message = build_message(
                    delivery.payload,
                    recipient=delivery.recipient,
                    sender=self.settings.smtp_sender,
                    message_id=f"<{delivery.id}@{self.settings.message_id_domain}>",
                )
                await self.senders.mailer.send(
                    sender=self._envelope_sender, recipient=delivery.recipient, message=message
                )
            case Channel.sms:
                if self.senders.sms is None:
                    raise TemporaryFailure("fournisseur SMS non configuré")
                await self.senders.sms.send(
                    to=delivery.recipient, text=delivery.payload["text"], reference=str(delivery.id)
                )
            case Channel.webhook:
                async with self.sessionmaker() as session:
                    subscription = await webhooks_repo.get(session, delivery.subscription_id)  # type: ignore[arg-type]
                if subscription is None or not subscription.active:
                    raise PermanentFailure("abonnement du partenaire supprimé ou désactivé")
                await post_event(
                    self.senders.http,
                    url=subscription.url,
                    policy=self._webhook_policy,
                    secret=subscription.secret,
                    body=delivery.payload["body"].encode(),
                    event_type=delivery.payload["event_type"],
                    delivery_id=str(delivery.id),
                )
