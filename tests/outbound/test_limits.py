"""Outbound sends (api.md "Conventions"; docs/security.md, rate limits): attachments shared by the
whole send, the Idempotency-Key, a handful of statements whatever the number of recipients, and the
rate limit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import build_services
from app.main import attach_services, create_app
from tests.conftest import RolledBackDatabase
from tests.fixtures.attachments import PDF, upload
from tests.fixtures.clinic import API, Clinic, Person, bearer, citizen_token, make_clinic
from tests.fixtures.outbound import INFORMATION, ROLES, counts, numbers, send, url
from tests.fixtures.volume import capture


@pytest.fixture
async def clinic(client: httpx.AsyncClient) -> Clinic:
    return await make_clinic(client, ROLES)


async def _upload(client: httpx.AsyncClient, unit_id: str, who: Person, name: str = "kallelse.pdf") -> str:
    """A staff upload through the attachments endpoint: at the unit, used by nothing yet."""
    r = await upload(client, f"/units/{unit_id}/attachments", who.headers, PDF, name)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_attachments_are_stored_once_shown_in_every_case_and_downloadable(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    file_id = await _upload(client, clinic.unit_id, clinic["handler"])
    recipients = numbers(2, 1990)
    sent = (
        await send(client, clinic, clinic["handler"], recipients, attachment_ids=[file_id], **INFORMATION)
    ).json()
    # One stored file, used by the send, shown on each case's first message (message_attachments).
    stored = (await conn.execute(text("SELECT outbound_id FROM attachments WHERE id = :a"),
                                 {"a": UUID(file_id)})).scalars().all()  # fmt: skip
    assert [str(o) for o in stored] == [sent["id"]]
    links = await conn.execute(
        text("SELECT m.case_id FROM message_attachments ma JOIN messages m ON m.id = ma.message_id "
             "WHERE ma.attachment_id = :a"), {"a": UUID(file_id)},
    )  # fmt: skip
    assert sorted(str(c) for c in links.scalars()) == sorted(sent["case_ids"])
    view = (await client.get(url(clinic, f"/{sent['id']}"), headers=clinic["handler"].headers)).json()
    assert [a["id"] for a in view["attachments"]] == [file_id]
    for number, case_id in zip(recipients, sent["case_ids"], strict=True):
        me = bearer(await citizen_token(client, number))
        case = (await client.get(f"{API}/citizen/cases/{case_id}", headers=me)).json()
        assert [a["filename"] for a in case["messages"][0]["attachments"]] == ["kallelse.pdf"]
        # Each recipient downloads the one stored file from their own case.
        r = await client.get(f"{API}/citizen/cases/{case_id}/attachments/{file_id}", headers=me)
        assert r.status_code == 200 and r.content == PDF
    stranger = bearer(await citizen_token(client, numbers(1, 1930)[0]))
    r = await client.get(f"{API}/citizen/cases/{sent['case_ids'][0]}/attachments/{file_id}", headers=stranger)
    assert r.status_code == 404
    staff_url = f"{API}/units/{clinic.unit_id}/cases/{sent['case_ids'][0]}"
    staff_case = await client.get(staff_url, headers=clinic["receiver"].headers)
    assert [a["id"] for a in staff_case.json()["messages"][0]["attachments"]] == [file_id]
    # A staff reader downloads it too (and the read is in the PDL log).
    r = await client.get(f"{staff_url}/attachments/{file_id}", headers=clinic["receiver"].headers)
    assert r.status_code == 200 and r.content == PDF
    read = await conn.execute(text("SELECT count(*) FROM audit_events WHERE action = 'attachment_read'"))
    assert read.scalar_one() == 1
    # Sent once: the same file cannot go out with another send.
    r = await send(
        client, clinic, clinic["handler"], recipients, expect=422, attachment_ids=[file_id], **INFORMATION
    )
    assert r.json()["errors"][0]["loc"] == ["body", "attachment_ids", 0]


async def test_attachments_not_the_senders_own_unused_uploads_are_named_and_nothing_is_sent(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    other = await make_clinic(client, {"handler": ["case_handler"]})
    mine = await _upload(client, clinic.unit_id, clinic["handler"])
    colleague = await _upload(client, clinic.unit_id, clinic["receiver"])
    elsewhere = await _upload(client, other.unit_id, other["handler"])
    unknown = "0b7a3c1e-5d2f-4a6b-8c9d-0e1f2a3b4c5d"
    before = await counts(conn)
    r = await send(client, clinic, clinic["handler"], numbers(2), expect=422,
                   attachment_ids=[mine, colleague, elsewhere, unknown], **INFORMATION)  # fmt: skip
    assert [e["loc"][-1] for e in r.json()["errors"]] == [1, 2, 3]
    assert await counts(conn) == before
    used = await conn.execute(text("SELECT count(*) FROM attachments WHERE attached_at IS NOT NULL"))
    assert used.scalar_one() == 0
    assert (await conn.execute(text("SELECT count(*) FROM message_attachments"))).scalar_one() == 0


async def test_a_repeat_with_the_same_idempotency_key_returns_the_same_cases(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    body = {"recipients": numbers(3, 1940), **INFORMATION}
    headers = {**clinic["handler"].headers, "Idempotency-Key": "vaccination-2026-11"}
    first = await client.post(url(clinic), headers=headers, json=body)
    assert first.status_code == 201, first.text
    before = await counts(conn)
    again = await client.post(url(clinic), headers=headers, json=body)
    assert again.status_code == 201 and again.json() == first.json()
    assert (
        again.headers["Idempotent-Replayed"] == "true"
        and again.headers["Location"] == first.headers["Location"]
    )
    assert await counts(conn) == before
    other = await client.post(url(clinic), headers=headers, json={**body, "subject": "Annat"})
    assert other.status_code == 422


async def test_250_recipients_take_as_many_statements_as_3(
    client: httpx.AsyncClient, engine: AsyncEngine, clinic: Clinic
) -> None:
    """Set-based: the statements (and their SQL) do not depend on the number of recipients."""
    seen: dict[int, list[str]] = {}
    for n, year in ((3, 1930), (250, 1960)):
        with capture(engine) as statements:
            await send(client, clinic, clinic["handler"], numbers(n, year))
        # The test's savepoints aside (the app's transaction is one in a test's transaction).
        seen[n] = [s for s, _ in statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]
    assert seen[3] == seen[250]
    # the actor's roles, the rate-limit count, load, new citizens, the send itself
    assert len(seen[250]) == 5, seen[250]


@pytest.fixture
async def strict_client(
    settings: Settings, engine: AsyncEngine, conn: AsyncConnection
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with RATE_LIMIT_OUTBOUND = 2."""
    app = create_app(settings)
    strict = settings.model_copy(update={"rate_limit_outbound": 2})
    attach_services(app, build_services(strict, RolledBackDatabase(engine, conn)))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_the_hourly_limit_is_a_setting_and_answers_429_with_retry_after(
    strict_client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(strict_client, {"handler": ["case_handler"], "colleague": ["case_handler"]})
    for year in (1931, 1932):
        await send(strict_client, clinic, clinic["handler"], numbers(2, year))
    before = await counts(conn)
    r = await send(strict_client, clinic, clinic["handler"], numbers(2, 1933), expect=429)
    assert r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["Retry-After"]) <= 3600
    assert r.json()["status"] == 429 and r.json()["limit"] == 2
    assert await counts(conn) == before
    # Per handler: a colleague still sends.
    await send(strict_client, clinic, clinic["colleague"], numbers(2, 1933))


async def _set_window(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic, sends: int, hours_ago: int
) -> None:
    """The handler's outbound counter at `sends` in the window that began `hours_ago` hours ago:
    one real send makes the row (its key is an HMAC, app/services/rate_limits.py), then it is set."""
    await send(client, clinic, clinic["handler"], numbers(1, 1944))
    await conn.execute(
        text(
            "UPDATE rate_limit_counters SET hits = :n,"
            " window_start = window_start - make_interval(hours => :h) WHERE key LIKE 'outbound:%'"
        ),
        {"n": sends, "h": hours_ago},
    )


async def _outbound_hits(conn: AsyncConnection) -> int:
    hits = await conn.execute(text("SELECT hits FROM rate_limit_counters WHERE key LIKE 'outbound:%'"))
    return int(hits.scalar_one())


@pytest.mark.parametrize(("hours_ago", "expect"), [(0, 429), (1, 201)])
async def test_twenty_sends_per_hour_by_default_and_a_new_hour_starts_afresh(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic, hours_ago: int, expect: int
) -> None:
    await _set_window(client, conn, clinic, 20, hours_ago)
    await send(client, clinic, clinic["handler"], numbers(1), expect=expect)
    assert await _outbound_hits(conn) == (20 if expect == 429 else 1)


async def test_an_idempotent_replay_does_not_count(
    client: httpx.AsyncClient, conn: AsyncConnection, clinic: Clinic
) -> None:
    await _set_window(client, conn, clinic, 19, 0)
    headers: dict[str, Any] = {**clinic["handler"].headers, "Idempotency-Key": "k-1"}
    body = {"recipients": numbers(1), **INFORMATION}
    for _ in range(3):
        assert (await client.post(url(clinic), headers=headers, json=body)).status_code == 201
