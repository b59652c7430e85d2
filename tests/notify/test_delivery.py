"""Delivery by the worker against real local servers: e-mail over SMTP, SMS over HTTP, retries
with backoff, the cap, refusals, channels switched off, metrics."""

from __future__ import annotations

from datetime import timedelta

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from app.notify.policy import RetryPolicy
from app.notify.texts import CITIZEN_NEW_MESSAGE_TEXT
from tests.fixtures.servers import SmsGateway, SmtpServer
from tests.notify.conftest import add_row, make_due, make_worker, row


def _count(name: str, channel: str) -> float:
    return REGISTRY.get_sample_value(name, {"channel": channel}) or 0.0


async def test_email_has_both_parts_and_a_message_id_from_its_dedup_key(
    settings: Settings, services: Services, conn: AsyncConnection, smtp_server: SmtpServer
) -> None:
    sent_before = _count("careinbox_notifications_sent_total", "email")
    row_id = await add_row(conn, dedup_key="unit_new_case:c1:mottagning@vc.example.se")
    worker = make_worker(settings, services.db, smtp_server)
    assert await worker.drain() == 1

    [mail] = smtp_server.received
    assert mail["To"] == "mottagning@vc.example.se"
    assert mail["From"] == "no-reply@careinbox.example"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Date"] and mail["Subject"].startswith("Nytt ärende")
    assert mail["Message-ID"].endswith("@careinbox.example>")
    assert [part.get_content_type() for part in mail.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    done = await row(conn, row_id)
    assert (done.status, done.attempts, done.locked_by, done.last_error) == ("sent", 1, None, None)
    assert done.sent_at is not None
    assert _count("careinbox_notifications_sent_total", "email") == sent_before + 1

    # Sent again (as after a crash between the send and the mark): the same Message-ID.
    await conn.execute(text("UPDATE outbox SET status = 'pending' WHERE id = :id"), {"id": row_id})
    await worker.drain()
    assert len(smtp_server.received) == 2
    assert len(set(smtp_server.message_ids())) == 1


async def test_sms_gateway_500_then_200_is_one_message_with_one_key(
    settings: Settings, services: Services, conn: AsyncConnection, sms_gateway: SmsGateway
) -> None:
    sms_gateway.script = [500]
    row_id = await add_row(
        conn, channel="sms", recipient="+46701234567", template="citizen_new_message", dedup_key="m1:sms"
    )
    worker = make_worker(settings, services.db, sms=sms_gateway)
    await worker.drain()
    first = await row(conn, row_id)
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.last_error == "SMS gateway answered 500"
    assert first.locked_by is None
    now = (await conn.execute(select(func.now()))).scalar_one()
    assert timedelta(seconds=15) <= first.next_attempt_at - now <= timedelta(seconds=30)  # 30 s, jittered
    assert await worker.drain() == 0  # not due yet

    await make_due(conn)
    await worker.drain()
    done = await row(conn, row_id)
    assert (done.status, done.attempts) == ("sent", 2)
    assert len(sms_gateway.requests) == 2
    first_request, second_request = sms_gateway.requests
    assert second_request["json"] == {"to": "+46701234567", "text": CITIZEN_NEW_MESSAGE_TEXT}
    assert first_request["headers"]["Idempotency-Key"] == second_request["headers"]["Idempotency-Key"]
    assert second_request["headers"]["Authorization"] == "Bearer gateway-token"


async def test_sms_gateway_4xx_fails_the_row_at_once(
    settings: Settings, services: Services, conn: AsyncConnection, sms_gateway: SmsGateway
) -> None:
    failed_before = _count("careinbox_notifications_failed_total", "sms")
    sms_gateway.script = [400]
    row_id = await add_row(conn, channel="sms", recipient="+46701234567", template="citizen_new_message")
    await make_worker(settings, services.db, sms=sms_gateway).drain()
    done = await row(conn, row_id)
    assert (done.status, done.attempts, done.last_error) == (
        "failed",
        1,
        "SMS gateway refused the message (400)",
    )
    assert _count("careinbox_notifications_failed_total", "sms") == failed_before + 1


async def test_sms_gateway_time_out_retries(
    settings: Settings, services: Services, conn: AsyncConnection, sms_gateway: SmsGateway
) -> None:
    sms_gateway.script = [3.0]  # hangs longer than the 1 s time-out
    row_id = await add_row(conn, channel="sms", recipient="+46701234567", template="citizen_new_message")
    await make_worker(settings, services.db, sms=sms_gateway).drain()
    done = await row(conn, row_id)
    assert (done.status, done.last_error) == ("pending", "SMS gateway timed out after 1 s")


async def test_switched_off_channels_say_so(
    settings: Settings, services: Services, conn: AsyncConnection
) -> None:
    sms = await add_row(conn, channel="sms", recipient="+46701234567", template="citizen_new_message")
    mail = await add_row(conn, channel="email", recipient="a@example.se", template="citizen_new_message")
    await make_worker(settings, services.db).drain()  # neither SMTP_HOST nor SMS_GATEWAY_URL
    assert ((await row(conn, sms)).status, (await row(conn, sms)).last_error) == (
        "skipped",
        "SMS switched off: SMS_GATEWAY_URL is not set",
    )
    assert (await row(conn, mail)).status == "skipped"
    assert (await row(conn, mail)).last_error == "e-mail switched off: SMTP_HOST is not set"


async def test_backoff_grows_to_its_cap_then_the_row_fails_with_its_last_error(
    settings: Settings, services: Services, conn: AsyncConnection, sms_gateway: SmsGateway
) -> None:
    retried_before = _count("careinbox_notifications_retried_total", "sms")
    sms_gateway.script = [503, 503, 502]
    row_id = await add_row(conn, channel="sms", recipient="+46701234567", template="citizen_new_message")
    policy = RetryPolicy(base_seconds=10, cap_seconds=15, max_attempts=3)
    worker = make_worker(settings, services.db, sms=sms_gateway, policy=policy)
    now = (await conn.execute(select(func.now()))).scalar_one()
    waits = []
    for _ in range(2):
        await worker.drain()
        waits.append((await row(conn, row_id)).next_attempt_at - now)
        await make_due(conn)
    assert timedelta(seconds=5) <= waits[0] <= timedelta(seconds=10)  # 10 s, jittered
    assert timedelta(seconds=7.5) <= waits[1] <= timedelta(seconds=15)  # 20 s capped at 15
    await worker.drain()
    done = await row(conn, row_id)
    assert (done.status, done.attempts) == ("failed", 3)
    assert done.last_error == "gave up after 3 attempts: SMS gateway answered 502"
    assert _count("careinbox_notifications_retried_total", "sms") == retried_before + 2
    assert await worker.drain() == 0  # a failed row is never claimed again


async def test_smtp_refusal_fails_and_a_server_error_retries(
    settings: Settings, services: Services, conn: AsyncConnection, smtp_server: SmtpServer
) -> None:
    smtp_server.refuse = {"gone@vc.example.se"}
    gone = await add_row(conn, recipient="gone@vc.example.se")
    fine = await add_row(conn, recipient="fine@vc.example.se")
    await make_worker(settings, services.db, smtp_server).drain()
    refused = await row(conn, gone)
    assert refused.status == "failed" and refused.last_error.startswith("SMTP")
    assert "gone@" not in refused.last_error  # addresses never reach errors, logs or listings
    assert (await row(conn, fine)).status == "sent"


async def test_smtp_down_retries_without_losing_the_row(
    settings: Settings, services: Services, conn: AsyncConnection, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    row_id = await add_row(conn)
    await make_worker(settings, services.db, smtp_server).drain()
    down = await row(conn, row_id)
    assert down.status == "pending" and down.last_error.startswith("SMTP")
    smtp_server.start()
    await make_due(conn)
    await make_worker(settings, services.db, smtp_server).drain()
    assert (await row(conn, row_id)).status == "sent"
    assert len(smtp_server.received) == 1


async def test_metrics_are_exposed(client: httpx.AsyncClient) -> None:
    body = (await client.get("/metrics")).text
    for name in (
        "careinbox_notifications_sent_total",
        "careinbox_notifications_failed_total",
        "careinbox_notifications_retried_total",
        "careinbox_outbox_backlog_age_seconds",
    ):
        assert name in body
