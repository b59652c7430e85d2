"""Webhook deliveries against a real local HTTP receiver: signed per Standard Webhooks, at least
once, in order per case, retried on 500 and on time-out, given up after the retry window (the
webhook then says it is failing), redelivered on request."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection
from standardwebhooks.webhooks import Webhook

from app.config import Settings
from app.container import Services
from app.db.tables import webhook_deliveries, webhooks
from tests.events.conftest import citizen_case, deliveries, header, hooked_clinic, make_due, webhook_worker
from tests.fixtures.clinic import API
from tests.fixtures.servers import HttpReceiver


async def test_a_new_case_is_posted_signed_with_its_envelope(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    case = await citizen_case(client, hooked)
    assert await webhook_worker(settings, services.db).drain() == 1

    [request] = receiver.requests
    assert request["path"] == "/hooks/careinbox"
    assert header(request, "content-type") == "application/json"
    envelope = Webhook(hooked.webhook["secret"]).verify(request["raw"], request["headers"])
    assert envelope["type"] == "case.created" and envelope["unit_id"] == hooked.unit_id
    assert envelope["data"] == {
        "case_id": case["id"],
        "reference": case["reference"],
        "status": "new",
        "origin": "citizen",
        "case_type_id": hooked.case_type_id,
    }
    assert header(request, "webhook-id") == envelope["id"]
    assert header(request, "webhook-signature").startswith("v1,")
    [done] = await deliveries(conn)
    assert (done.status, done.attempts, done.response_status) == ("delivered", 1, 200)
    assert done.latency_ms is not None and done.delivered_at is not None and done.locked_by is None

    # Another secret does not verify it: the signature is the webhook's own.
    other = "whsec_" + "A" * 43 + "="
    try:
        Webhook(other).verify(request["raw"], request["headers"])
    except Exception as exc:
        assert "signature" in str(exc).lower()
    else:
        raise AssertionError("a foreign secret verified the request")


async def test_500_then_200_retries_with_the_same_webhook_id(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    await citizen_case(client, hooked)
    receiver.script = [500]
    worker = webhook_worker(settings, services.db)
    await worker.drain()
    [first] = await deliveries(conn)
    assert (first.status, first.attempts, first.response_status, first.last_error) == (
        "pending",
        1,
        500,
        "answered 500",
    )
    now = (await conn.execute(select(func.now()))).scalar_one()
    assert timedelta(seconds=15) <= first.next_attempt_at - now <= timedelta(seconds=30)  # 30 s, jittered
    assert await worker.drain() == 0  # not due yet

    await make_due(conn)
    await worker.drain()
    [done] = await deliveries(conn)
    assert (done.status, done.attempts, done.response_status) == ("delivered", 2, 200)
    one, two = receiver.requests
    assert header(one, "webhook-id") == header(two, "webhook-id") == str(done.envelope_id)
    assert one["raw"] == two["raw"]
    for request in (one, two):  # each attempt signed for its own timestamp
        Webhook(hooked.webhook["secret"]).verify(request["raw"], request["headers"])


async def test_a_receiver_that_hangs_is_retried(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    await citizen_case(client, hooked)
    receiver.script = [3.0]  # longer than the worker's 1 s time-out
    await webhook_worker(settings, services.db).drain()
    [row] = await deliveries(conn)
    assert (row.status, row.last_error, row.response_status) == ("pending", "no answer within 1 s", None)
    assert row.latency_ms is not None and row.latency_ms >= 900


async def test_a_case_s_events_go_in_order_while_other_cases_go_on(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(
        client, conn, receiver, roles={"karin": ["case_receiver"], "hans": ["case_handler"]}
    )
    first = await citizen_case(client, hooked)
    receiver.script = [500]  # the first case's case.created fails once
    worker = webhook_worker(settings, services.db)
    await worker.drain()
    assert len(receiver.requests) == 1

    # Meanwhile the first case changes (case.assigned, case.status_changed) and a second case
    # arrives: the second goes out, the first's later events wait for its case.created.
    r = await client.post(
        f"{API}/units/{hooked.unit_id}/cases/{first['id']}/assignment",
        headers=hooked.clinic["karin"].headers,
        json={"assignee": {"type": "staff", "id": hooked.clinic["hans"].staff_id}},
    )
    assert r.status_code == 200, r.text
    second = await citizen_case(client, hooked)
    await worker.drain()
    bodies = [req["json"] for req in receiver.requests]
    assert [(b["type"], b["data"]["case_id"]) for b in bodies[1:]] == [("case.created", second["id"])]

    await make_due(conn)
    await worker.drain()
    of_first = [
        req["json"]["type"] for req in receiver.requests if req["json"]["data"]["case_id"] == first["id"]
    ]
    assert of_first == ["case.created", "case.created", "case.assigned", "case.status_changed"]
    assert {row.status for row in await deliveries(conn)} == {"delivered"}


async def test_given_up_after_the_window_the_webhook_is_failing_until_one_gets_through(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    await citizen_case(client, hooked)
    # The event is 25 hours old: a failed attempt now is the last one.
    await conn.execute(update(webhook_deliveries).values(retry_from=func.now() - timedelta(hours=25)))
    receiver.script = [503]
    worker = webhook_worker(settings, services.db)
    await worker.drain()
    [row] = await deliveries(conn)
    assert (row.status, row.response_status) == ("failed", 503)
    assert row.last_error == "gave up after 24 h (1 attempts): answered 503"
    headers = hooked.clinic["admin"].headers
    base = f"{API}/units/{hooked.unit_id}/webhooks/{hooked.webhook['id']}"
    shown = (await client.get(base, headers=headers)).json()
    assert shown["status"] == "failing" and shown["last_error"] == row.last_error
    assert shown["failing_since"] is not None and "secret" not in shown

    log = (await client.get(f"{base}/deliveries", headers=headers)).json()
    [entry] = log["items"]
    assert (entry["status"], entry["response_status"], entry["attempts"], entry["next_attempt_at"]) == (
        "failed",
        503,
        1,
        None,
    )
    assert entry["event_type"] == "case.created" and entry["event_id"] == str(row.envelope_id)

    # Redelivered by the admin: due now, a fresh window; it gets through and the webhook is
    # active again.
    r = await client.post(f"{base}/deliveries/{entry['id']}/redeliver", headers=headers)
    assert r.status_code == 202, r.text
    assert r.json()["status"] == "pending" and r.json()["next_attempt_at"] is not None
    await worker.drain()
    assert len(receiver.requests) == 2
    assert header(receiver.requests[0], "webhook-id") == header(receiver.requests[1], "webhook-id")
    shown = (await client.get(base, headers=headers)).json()
    assert (shown["status"], shown["failing_since"], shown["last_error"]) == ("active", None, None)
    [row] = await deliveries(conn)
    assert (row.status, row.attempts) == ("delivered", 2)


async def test_at_least_once_a_worker_lost_after_sending_sends_again_with_the_same_id(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    await citizen_case(client, hooked)
    worker = webhook_worker(settings, services.db)
    queue = worker.queues[1]
    # A worker claims and sends, then dies before recording it (no finish, no release).
    async with services.db.transaction() as c:
        [job] = await queue.claim(c, "dead-worker", 10, 600)
    await queue.send(job)
    await queue.close()
    assert await worker.drain() == 0  # its lease still holds
    await conn.execute(text("UPDATE webhook_deliveries SET locked_until = now() - interval '1 second'"))
    assert await worker.drain() == 1
    assert len(receiver.requests) == 2
    assert header(receiver.requests[0], "webhook-id") == header(receiver.requests[1], "webhook-id")
    [row] = await deliveries(conn)
    assert (row.status, row.attempts) == ("delivered", 2)


async def test_only_the_event_types_asked_for_and_nothing_after_delete(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver, events=["message.created"])
    await citizen_case(client, hooked)
    assert await deliveries(conn) == []  # case.created was not asked for
    r = await client.delete(
        f"{API}/units/{hooked.unit_id}/webhooks/{hooked.webhook['id']}",
        headers=hooked.clinic["admin"].headers,
    )
    assert r.status_code == 204
    assert (await conn.execute(select(func.count()).select_from(webhooks))).scalar_one() == 0
    await citizen_case(client, hooked)
    assert await webhook_worker(settings, services.db).drain() == 0 and receiver.requests == []
