import asyncio
import contextlib
import datetime as dt
import json
import shutil
import tempfile
import uuid

import pytest
import redis.asyncio as redis
from sqlalchemy import text

from booking.events.relay import Relay
from fs_common.backoff import Backoff
from fs_common.events import (
    BookingEvent,
    BookingEventType,
    BookingSnapshot,
    Contact,
    EventKeys,
    Place,
    SealedEventError,
    new_key_line,
)
from fs_testkit import isolation
from fs_testkit.isolation import TEST_EVENT_KEYS
from fs_testkit.servers import free_port

from .helpers import booking_body, free_slots, in_days

KEYS = EventKeys.parse(TEST_EVENT_KEYS)


async def _stream_events(client: redis.Redis, stream: str) -> list[BookingEvent]:
    entries = await client.xrange(stream)
    return [KEYS.open(fields[b"event"]) for _, fields in entries]


async def test_every_change_publishes_one_complete_event(
    booking_client, booking_app, booking_settings, stop_agenda
):
    agenda = await stop_agenda(demarches=["ants-passeport", "caf-rsa"])
    day, other = in_days(3), in_days(4)
    first = (
        await free_slots(booking_client, agenda["stop_id"], "ants-passeport", **{"from": day, "to": day})
    )[0]
    second = (
        await free_slots(booking_client, agenda["stop_id"], "ants-passeport", **{"from": other, "to": other})
    )[0]
    body = booking_body(agenda["stop_id"], first["starts_at"], ["ants-passeport"], phone="06 12 34 56 78")
    created = (await booking_client.post("/v1/bookings", json=body)).json()
    moved = (
        await booking_client.post(
            "/v1/bookings/manage/reschedule",
            json={"token": created["manage_token"], "starts_at": second["starts_at"]},
        )
    ).json()
    await booking_client.post("/v1/bookings/manage/cancel", json={"token": moved["manage_token"]})

    client = redis.from_url(booking_settings.redis_url)
    relay = Relay(booking_app.state.sessionmaker, client, booking_settings.events_stream)
    while await relay.publish_pending():
        pass
    try:
        events = [
            e
            for e in await _stream_events(client, booking_settings.events_stream)
            if str(e.booking.booking_id) == created["id"]
        ]
        raw = b"\n".join(
            fields[b"event"] for _, fields in await client.xrange(booking_settings.events_stream)
        )
    finally:
        await client.aclose()
    assert [e.type.value for e in events] == ["booking.created", "booking.rescheduled", "booking.cancelled"]
    assert len({e.id for e in events}) == 3 and all(e.version == 2 for e in events)
    created_event, moved_event, cancelled_event = events
    snapshot = created_event.booking
    assert snapshot.place.name == agenda["name"] and snapshot.place.address == agenda["address"]
    assert snapshot.place.timezone == "Europe/Paris" and snapshot.place.stop_id == agenda["stop_id"]
    assert snapshot.place.opening_hours_text
    assert snapshot.demarches[0].code == "ants-passeport" and snapshot.demarches[0].documents
    assert snapshot.contact.name == "Camille Martin" and snapshot.contact.phone == "06 12 34 56 78"
    assert snapshot.contact.email and snapshot.contact.consent_contact is True
    assert snapshot.manage_url == created["manage_url"]
    assert snapshot.starts_at == dt.datetime.fromisoformat(first["starts_at"])
    assert moved_event.booking.manage_url == moved["manage_url"]
    assert moved_event.booking.previous_starts_at == dt.datetime.fromisoformat(first["starts_at"])
    assert cancelled_event.booking.manage_url is None
    assert cancelled_event.booking.status == "cancelled" and cancelled_event.booking.cancelled_by == "person"

    # What the shared Redis holds (and the outbox): nothing readable of the person nor of the links.
    async with booking_app.state.engine.connect() as conn:
        outbox = "\n".join(
            (await conn.execute(text("SELECT payload::text FROM outbox"))).scalars().all()
        ).encode()
    for secret in (
        snapshot.contact.name,
        snapshot.contact.email,
        "06 12 34 56 78",
        "0612345678",
        created["manage_token"],
        moved["manage_token"],
        "/rendez-vous#",
    ):
        assert secret.encode() not in raw and secret.encode() not in outbox, secret
    assert b'"sealed"' in raw


async def test_a_tampered_or_foreign_event_is_refused_whole():
    """The sealed part is bound to its event (id and type): moved, altered or sealed with another key,
    the event does not open, so nobody who can write to Redis can make notify mail someone."""
    event = _sample_event()
    sealed = KEYS.seal(event)
    assert KEYS.open(json.dumps(sealed)) == event
    other = KEYS.seal(_sample_event())
    for forged in (
        sealed | {"sealed": other["sealed"]},  # another event's contact
        sealed | {"type": "booking.cancelled"},
        {k: v for k, v in sealed.items() if k != "sealed"}
        | {"booking": event.model_dump(mode="json")["booking"]},
    ):
        with pytest.raises(SealedEventError):
            KEYS.open(json.dumps(forged))
    with pytest.raises(SealedEventError):
        EventKeys.parse(new_key_line("autre")).open(json.dumps(sealed))
    rotated = EventKeys.parse(f"{new_key_line('k2')},{TEST_EVENT_KEYS}")  # a new key first, the old kept
    assert rotated.open(json.dumps(sealed)) == event and rotated.seal(event)["sealed"]["kid"] == "k2"


def _sample_event() -> BookingEvent:
    starts = dt.datetime(2030, 1, 7, 9, tzinfo=dt.UTC)
    return BookingEvent(
        type=BookingEventType.created,
        occurred_at=starts - dt.timedelta(days=3),
        booking=BookingSnapshot(
            booking_id=uuid.uuid4(),
            status="confirmed",
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=15),
            place=Place(site_id=1, name="France Services", address="1 place", timezone="Europe/Paris"),
            demarches=[],
            contact=Contact(name="Zoé Secret", email="zoe@example.org", consent_contact=True),
            manage_url="https://fs.example/rendez-vous#secret-token-0123456789",
        ),
    )


@contextlib.asynccontextmanager
async def throwaway_redis(port: int, directory: str):
    """A redis-server of our own (never the shared one), persisting to ``directory``."""
    command = [
        shutil.which("redis-server") or "redis-server",
        "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
        "--appendonly", "yes", "--appendfsync", "always", "--save", "",
    ]  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        *command, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
    )
    client = redis.from_url(f"redis://127.0.0.1:{port}/0")
    try:
        for _ in range(100):
            with contextlib.suppress(Exception):
                await client.ping()
                break
            await asyncio.sleep(0.05)
        yield process
    finally:
        await client.aclose()
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def _wait_for(predicate, within_s: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + within_s
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail("the condition did not hold in time")
        await asyncio.sleep(0.05)


async def test_events_wait_in_the_outbox_while_redis_is_down(booking_client, booking_app, stop_agenda):
    agenda = await stop_agenda()
    day = in_days(6)
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    port = free_port()
    stream = isolation.test_key_prefix("booking") + f"relay-{uuid.uuid4().hex[:6]}"
    client = redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5, socket_timeout=1)
    relay = Relay(
        booking_app.state.sessionmaker,
        client,
        stream,
        interval_s=0.05,
        backoff=Backoff(base_s=0.05, cap_s=0.2),
    )
    stop = asyncio.Event()
    ours: set[str] = set()

    async def published() -> list[tuple[str, str]]:
        return [
            (e.type.value, str(e.booking.booking_id))
            for e in await _stream_events(client, stream)
            if str(e.booking.booking_id) in ours
        ]

    async def book(slot: dict) -> dict:
        response = await booking_client.post(
            "/v1/bookings", json=booking_body(agenda["stop_id"], slot["starts_at"])
        )
        assert response.status_code == 201
        ours.add(response.json()["id"])
        return response.json()

    with tempfile.TemporaryDirectory() as directory:
        async with throwaway_redis(port, directory) as server:
            task = asyncio.create_task(relay.run(stop))
            a = await book(slots[0])
            await _wait_for(lambda: _has(published, [("booking.created", a["id"])]))
            server.terminate()
            await server.wait()
            b = await book(slots[1])
            await booking_client.post("/v1/bookings/manage/cancel", json={"token": a["manage_token"]})
            await asyncio.sleep(0.5)  # the relay tries, fails, and keeps the events
            async with booking_app.state.engine.connect() as conn:
                waiting = await conn.scalar(
                    text(
                        "SELECT count(*) FROM outbox WHERE published_at IS NULL "
                        "AND payload->'booking'->>'booking_id' IN (:a, :b)"
                    ),
                    {"a": a["id"], "b": b["id"]},
                )
            assert waiting == 2
            assert not task.done()
        async with throwaway_redis(port, directory):
            expected = [
                ("booking.created", a["id"]),
                ("booking.created", b["id"]),
                ("booking.cancelled", a["id"]),
            ]
            await _wait_for(lambda: _has(published, expected))
            stop.set()
            await task
            assert await published() == expected, "one event per change, none lost, none doubled"
    await client.aclose()


async def _has(published, expected: list) -> bool:
    with contextlib.suppress(Exception):
        return await published() == expected
    return False


async def test_the_stream_keeps_only_what_a_consumer_still_needs(booking_app, booking_settings):
    """12,000 events later the stream is short: what every group acknowledged goes (XTRIM MINID), and a
    group that stopped reading holds back no more than the cap."""
    stream = isolation.test_key_prefix("booking") + f"trim-{uuid.uuid4().hex[:6]}"
    client = redis.from_url(booking_settings.redis_url)
    relay = Relay(
        booking_app.state.sessionmaker, client, stream, batch_size=500, max_len=2_000, trim_every_s=1e-9
    )
    payload = json.dumps(KEYS.seal(_sample_event()))
    async with booking_app.state.engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO outbox (event_id, type, payload) SELECT gen_random_uuid(), 'booking.created',"
                " CAST(:payload AS jsonb) FROM generate_series(1, 12000)"
            ),
            {"payload": payload},
        )
    await client.xgroup_create(stream, "notify", id="0", mkstream=True)
    await client.xgroup_create(stream, "stalled", id="0")  # a consumer group that never reads
    try:

        async def consume(count: int, *, ack: bool = True) -> int:
            read = await client.xreadgroup("notify", "c1", {stream: ">"}, count=count)
            ids = [entry_id for _, entries in read or [] for entry_id, _ in entries]
            if ids and ack:
                await client.xack(stream, "notify", *ids)
            return len(ids)

        published = 0
        while step := await relay.publish_pending():
            published += step
            await consume(500)
            await relay.trim()
            assert await client.xlen(stream) <= 2_000 + 100  # the cap (trimmed by whole nodes of 100)
        assert published >= 12_000
        assert await client.xlen(stream) < 10_000

        # Once no group lags, everything acknowledged goes; what is read but unacknowledged stays.
        await client.xgroup_destroy(stream, "stalled")
        while await consume(500):
            pass
        await relay.trim()
        assert await client.xlen(stream) == 0
        async with booking_app.state.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO outbox (event_id, type, payload) SELECT gen_random_uuid(),"
                    " 'booking.created', CAST(:payload AS jsonb) FROM generate_series(1, 30)"
                ),
                {"payload": payload},
            )
        await relay.publish_pending()
        assert await consume(10, ack=False) == 10
        await consume(5)
        await relay.trim()
        assert await client.xlen(stream) == 30, "unacknowledged entries and those not yet read stay"
    finally:
        await client.delete(stream)
        await client.aclose()
