"""Notify: a burst of 1,000 booking events, from the event to the SMTP server's acceptance of the mail,
through the real path (Redis stream → ``notify consume`` → PostgreSQL delivery log → ``notify
dispatch`` → SMTP), next to a bare aiosmtplib client loop sending the same mails to the same local
SMTP server (aiosmtpd in its own process) in the same run.
"""

import asyncio
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

import aiosmtplib
import redis.asyncio as redis
from sqlalchemy import func, select

from bench.harness import LoadResult, free_port
from fs_common.databases import create_and_migrate, drop_database
from fs_common.db import create_engine, make_sessionmaker
from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.isolation import PG_BASE, REDIS_BASE, RUN_ID, TEST_EVENT_KEYS
from notify.channels.smtp import build_message
from notify.cli import SERVICE_DIR
from notify.deliveries.models import Delivery, Kind
from notify.events.models import ProcessedEvent
from notify.messages.render import render_email

EVENTS = 1_000
WARMUP = 20
SENDER = "France Services <ne-pas-repondre@france-services.gouv.fr>"


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


async def _wait_port(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.05)
    raise RuntimeError("the SMTP server did not start")


async def _sent(sessionmaker, since: dt.datetime) -> int:
    async with sessionmaker() as session:
        statement = select(func.count()).select_from(Delivery).where(Delivery.status == "sent")
        return await session.scalar(statement.where(Delivery.created_at >= since))


async def through_notify(url: str, smtp_port: int) -> tuple[LoadResult, LoadResult]:
    """(event → recorded by the consumer, event → accepted by the SMTP server)."""
    stream = f"fs_bench:{RUN_ID}:notify:{uuid.uuid4().hex[:8]}"
    env = os.environ | {
        "NOTIFY_DATABASE_URL": url,
        "NOTIFY_REDIS_URL": REDIS_BASE,
        "NOTIFY_STREAM": stream,
        "NOTIFY_EVENTS_KEYS": TEST_EVENT_KEYS,  # what fs_testkit.events.publish seals with
        "NOTIFY_SMTP_PORT": str(smtp_port),
        "NOTIFY_POLL_INTERVAL_S": "0.05",
        "NOTIFY_LOG_LEVEL": "WARNING",
    }
    workers = [
        await asyncio.create_subprocess_exec(_bin("notify"), "consume", env=env),
        await asyncio.create_subprocess_exec(_bin("notify"), "dispatch", env=env),
    ]
    client = redis.from_url(REDIS_BASE)
    engine = create_engine(url, pool_size=2)
    sessionmaker = make_sessionmaker(engine)
    try:
        start = dt.datetime.now(dt.UTC)
        await publish(client, stream, *(event(BookingEventType.created, snapshot()) for _ in range(WARMUP)))
        while await _sent(sessionmaker, start) < WARMUP:  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(0.1)
        burst_start = dt.datetime.now(dt.UTC)
        occurred = dt.datetime.now(dt.UTC)
        burst = [
            event(
                BookingEventType.created,
                snapshot(email_address=f"usager-{i}@example.org"),
                occurred_at=occurred,
            )
            for i in range(EVENTS)
        ]
        await publish(client, stream, *burst)
        deadline = time.monotonic() + 110
        while await _sent(sessionmaker, burst_start) < EVENTS:
            if time.monotonic() > deadline:
                raise RuntimeError("notify did not send the burst in time")
            await asyncio.sleep(0.1)
        async with sessionmaker() as session:
            rows = await session.execute(
                select(Delivery.sent_at, ProcessedEvent.occurred_at, ProcessedEvent.processed_at)
                .join(ProcessedEvent, ProcessedEvent.event_id == Delivery.event_id)
                .where(Delivery.created_at >= burst_start)
            )
            pairs = rows.all()
        recorded = LoadResult(
            len(pairs),
            (max(p for _, _, p in pairs) - occurred).total_seconds(),
            [(p - o).total_seconds() * 1000 for _, o, p in pairs],
        )
        sent = LoadResult(
            len(pairs),
            (max(s for s, _, _ in pairs) - occurred).total_seconds(),
            [(s - o).total_seconds() * 1000 for s, o, _ in pairs],
        )
        return recorded, sent
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            await worker.wait()
        await client.delete(stream)
        await client.aclose()
        await engine.dispose()


def the_same_mails() -> list[tuple[str, bytes]]:
    now = dt.datetime.now(dt.UTC)
    mails = []
    for i in range(EVENTS):
        booking = snapshot(email_address=f"usager-{i}@example.org")
        payload = render_email(
            Kind.confirmation, booking, manage_url=booking.manage_url, sequence=0, sender=SENDER, now=now
        )
        recipient = booking.contact.email or ""
        mails.append(
            (recipient, build_message(payload, recipient=recipient, sender=SENDER, message_id=f"<{i}@b>"))
        )
    return mails


async def bare_loop(smtp_port: int, mails: list[tuple[str, bytes]], connections: int) -> LoadResult:
    """``connections`` aiosmtplib clients sending the pre-built mails back to back."""
    latencies: list[float] = []
    queue = iter(mails)

    async def client() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=smtp_port, start_tls=False)
        await smtp.connect()
        for recipient, message in queue:
            started = time.perf_counter()
            await smtp.sendmail("ne-pas-repondre@france-services.gouv.fr", [recipient], message)
            latencies.append((time.perf_counter() - started) * 1000)
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    return LoadResult(len(mails), time.perf_counter() - started, latencies)


async def main() -> None:
    url = f"{PG_BASE}/fs_bench_{RUN_ID}_notify"
    await asyncio.to_thread(create_and_migrate, SERVICE_DIR, url)
    smtp_port = free_port()
    server = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{smtp_port}"
    )
    try:
        await _wait_port(smtp_port)
        mails = the_same_mails()
        bare_one = await bare_loop(smtp_port, mails, 1)
        bare_pool = await bare_loop(smtp_port, mails, 4)
        recorded, notify = await through_notify(url, smtp_port)
    finally:
        server.terminate()
        await server.wait()
        await drop_database(url)
    print(f"{EVENTS} confirmation e-mails (text, HTML and ICS) to a local aiosmtpd:")
    print(bare_one.line("bare aiosmtplib loop, 1 connection"))
    print(bare_pool.line("bare aiosmtplib loop, 4 connections"))
    print(recorded.line("event → recorded by notify consume").replace("req/s", "ev/s "))
    print(
        notify.line("event → SMTP acceptance via notify").replace("req/s", "msg/s")
        + "\n    (1 consumer + 1 dispatcher; latency from the event's publication to the server's 250)"
    )
    print(f"notify / bare (4 connections): {notify.rate / bare_pool.rate:.0%} of the rate")
