"""Every list, filter and search is served by an index (api.md "Conventions", Lists).

The requests go through the API over a seeded table of 50,000 cases in five units (100,000
messages and audit events); every SELECT the app sends is captured and EXPLAINed with its own
parameters, and no plan may read cases, messages or audit_events with a sequential scan.
One seeding serves all the requests: it is the slow part.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import Services
from app.db.tables import units
from app.notify.worker import Worker
from tests.fixtures.clinic import API, bearer
from tests.fixtures.volume import Volume, capture, explain, is_query, seed, seq_scans

Request = tuple[str, str, dict[str, str], dict[str, Any]]  # label, path, headers, params


async def _offending(
    client: httpx.AsyncClient, conn: AsyncConnection, engine: AsyncEngine, requests: list[Request]
) -> dict[str, str]:
    """label → the first offending statement, for every request whose plans read a big table
    sequentially."""
    problems: dict[str, str] = {}
    for label, path, headers, params in requests:
        with capture(engine) as seen:
            r = await client.get(path, headers=headers, params=params)
        assert r.status_code == 200, (label, r.status_code, r.text)
        queries = [(s, p) for s, p in seen if is_query(s)]
        assert queries, label
        for statement, parameters in queries:
            found = seq_scans(await explain(conn, statement, parameters))
            if found:
                problems.setdefault(label, f"Seq Scan on {found}: {statement[:200]}")
    return problems


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def _staff_requests(client: httpx.AsyncClient, v: Volume) -> list[Request]:
    clinic = v.clinic
    cases = f"{API}/units/{clinic.unit_id}/cases"
    receiver, handler = clinic["receiver"].headers, clinic["handler"].headers
    first = await client.get(cases, headers=receiver, params={"limit": 50})
    assert first.status_code == 200, first.text
    cursor = first.json()["next_cursor"]
    assert cursor and len(first.json()["items"]) == 50
    case_type_id = first.json()["items"][0]["case_type"]["id"]
    week_ago, month_ago = _iso(datetime.now(UTC) - timedelta(days=7)), _iso(datetime.now(UTC) - timedelta(30))
    filters: dict[str, dict[str, Any]] = {
        "all": {},
        "page 2": {"cursor": cursor},
        "status new": {"status": "new"},
        "status closed": {"status": "closed"},
        "awaiting, page 2": {"status": "awaiting_citizen", "cursor": cursor},
        "assignee staff": {"assignee": clinic["handler"].staff_id},
        "assignee group": {"assignee": f"group:{v.group_id}"},
        "assignee me": {"assignee": "me"},
        "case type": {"case_type_id": case_type_id},
        "category": {"category": "prescription_renewal"},
        "personal number": {"personal_number": v.citizen_pnr},
        "overdue": {"overdue": "true"},
        "updated_before": {"updated_before": week_ago},
        "updated_after": {"updated_after": month_ago},
        "closed in a period": {"updated_after": month_ago, "updated_before": week_ago, "status": "closed"},
        "assigned overdue": {
            "status": "assigned",
            "assignee": clinic["handler2"].staff_id,
            "overdue": "true",
        },
    }
    requests = [(f"receiver, {k}", cases, receiver, f) for k, f in filters.items()]
    requests += [(f"handler, {k}", cases, handler, f) for k, f in filters.items() if "cursor" not in f]
    item = (await client.get(cases, headers=handler)).json()["items"][0]
    requests += [
        ("case view, receiver", f"{cases}/{item['id']}", receiver, {}),
        ("case view, handler", f"{cases}/{item['id']}", handler, {}),
    ]
    return requests


async def _other_requests(client: httpx.AsyncClient, v: Volume) -> list[Request]:
    clinic, citizen = v.clinic, bearer(v.citizen_token)
    audit = f"{API}/units/{clinic.unit_id}/audit-events"
    reviewer = clinic["reviewer"].headers
    first = (await client.get(audit, headers=reviewer)).json()
    assert len(first["items"]) == 50
    mine = (await client.get(f"{API}/citizen/cases", headers=citizen, params={"limit": 10})).json()
    assert mine["next_cursor"], "the seeded citizen should have more than one page"
    return [
        ("citizen's cases", f"{API}/citizen/cases", citizen, {}),
        (
            "citizen's cases, page 2",
            f"{API}/citizen/cases",
            citizen,
            {"limit": 10, "cursor": mine["next_cursor"]},
        ),
        ("citizen's access log", f"{API}/citizen/access-log", citizen, {}),
        ("follow-up", f"{API}/units/{clinic.unit_id}/follow-up", clinic["receiver"].headers, {}),
        ("audit list", audit, reviewer, {}),
        ("audit list, page 2", audit, reviewer, {"cursor": first["next_cursor"]}),
        ("audit by personal number", audit, reviewer, {"personal_number": v.citizen_pnr}),
        ("audit by action", audit, reviewer, {"action": "case_read"}),
        ("audit by staff", audit, reviewer, {"staff_hsa_id": "SE2321000131-E999999999999"}),
        ("audit by period", audit, reviewer, {"from": "2026-01-01", "to": "2026-06-30"}),
        *_statistics_requests(v),
    ]


def _statistics_requests(v: Volume) -> list[Request]:
    """A unit's statistics from its indexes, for a month up to a year."""
    clinic = v.clinic
    stats, admin = f"{API}/units/{clinic.unit_id}/statistics", clinic["admin"].headers
    today = datetime.now(UTC).date()
    periods = {"last 30 days": 30, "a quarter": 91, "a year": 365}
    return [
        (f"statistics, {k}", stats, admin, {"from": str(today - timedelta(days=d)), "to": str(today)})
        for k, d in periods.items()
    ]


async def _reminder_problems(
    conn: AsyncConnection, engine: AsyncEngine, settings: Settings, services: Services
) -> dict[str, str]:
    """The worker's reminder statements with reminders on at every unit: each reads a
    window of an index, never the whole case or message table."""
    await conn.execute(update(units).values(citizen_reminder_after_days=2, provider_reminder_enabled=True))
    worker = Worker(services.db, {}, clock=lambda: datetime.now(UTC))
    with capture(engine) as seen:
        await worker.schedule_reminders()
    inserts = [(s, p) for s, p in seen if s.lstrip().upper().startswith("INSERT INTO OUTBOX")]
    assert len(inserts) == 2, seen
    problems: dict[str, str] = {}
    for statement, parameters in inserts:
        found = seq_scans(await explain(conn, statement, parameters))
        if found:
            problems[f"reminders: {statement[:60]}"] = f"Seq Scan on {found}"
    return problems


async def test_no_sequential_scans_of_big_tables_at_volume(
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    engine: AsyncEngine,
    settings: Settings,
    services: Services,
) -> None:
    v = await seed(client, conn)
    requests = await _staff_requests(client, v) + await _other_requests(client, v)
    problems = await _offending(client, conn, engine, requests)
    problems |= await _reminder_problems(conn, engine, settings, services)
    assert not problems, "\n".join(f"{k}: {p}" for k, p in problems.items())
