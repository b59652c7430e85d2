"""The number of SQL statements per list request does not grow with the page size (api.md
"Conventions", Lists): no per-row look-ups (N+1) behind the inbox, the citizen's list or the audit list.

Counted with a `before_cursor_execute` listener on the engine, so every round trip counts,
including the actor's role query, savepoints and audit inserts.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from tests.fixtures.clinic import API, bearer
from tests.fixtures.volume import Volume, capture, seed

SIZES = (1, 7, 40)


@pytest.fixture
async def volume(client: httpx.AsyncClient, conn: AsyncConnection) -> Volume:
    v = await seed(client, conn, cases=4_000, citizens=100)
    # The seeded citizen owns every 500th case; give them enough for full pages of 40.
    await conn.execute(
        text(
            "UPDATE cases SET citizen_id = (SELECT id FROM citizens WHERE personal_number = :p) "
            "WHERE id IN (SELECT id FROM cases WHERE unit_id = :u ORDER BY id LIMIT 80)"
        ),
        {"p": v.citizen_pnr, "u": UUID(v.clinic.unit_id)},
    )
    await conn.execute(
        text(
            "INSERT INTO audit_events (occurred_at, staff_hsa_id, unit_hsa_id, unit_id, personal_number,"
            " action) SELECT now() - g * interval '1 hour', 'SE2321000131-E999999999999', u.hsa_id, u.id,"
            " :p, 'case_read' FROM units u CROSS JOIN generate_series(1, 50) g WHERE u.id = :u"
        ),
        {"p": v.citizen_pnr, "u": UUID(v.clinic.unit_id)},
    )
    return v


async def _counts(
    client: httpx.AsyncClient, engine: AsyncEngine, path: str, headers: dict[str, str], **params: Any
) -> list[int]:
    counts = []
    for size in SIZES:
        with capture(engine) as seen:
            r = await client.get(path, headers=headers, params={**params, "limit": size})
        assert r.status_code == 200, r.text
        assert len(r.json()["items"]) == size, (path, params, size)
        counts.append(len(seen))
    return counts


def _audit_inserts(statements: list[tuple[str, Any]]) -> list[str]:
    return [s for s, _ in statements if "INSERT INTO audit_events" in s]


async def test_inbox_list(client: httpx.AsyncClient, engine: AsyncEngine, volume: Volume) -> None:
    clinic = volume.clinic
    path = f"{API}/units/{clinic.unit_id}/cases"
    plain = []
    for who in ("receiver", "handler"):
        counts = await _counts(client, engine, path, clinic[who].headers)
        assert len(set(counts)) == 1 and counts[0] <= 6, (who, counts)
        plain.append(counts[0])
    # A personal-number search writes its audit event in the page's statement, as every page
    # writes its list event: no statement more than a plain page.
    counts = await _counts(
        client, engine, path, clinic["receiver"].headers, personal_number=volume.citizen_pnr
    )
    assert counts == [plain[0]] * len(SIZES), (counts, plain)


@pytest.mark.parametrize("search", [False, True])
async def test_an_inbox_page_and_its_audit_event_are_one_statement(
    client: httpx.AsyncClient, engine: AsyncEngine, volume: Volume, search: bool
) -> None:
    """The page's PDL event (one per page, not per row) rides in the page's own statement: a
    data-modifying CTE, one INSERT however many rows the page shows."""
    clinic = volume.clinic
    params: dict[str, Any] = {"limit": 40}
    if search:
        params["personal_number"] = volume.citizen_pnr
    with capture(engine) as seen:
        r = await client.get(
            f"{API}/units/{clinic.unit_id}/cases", headers=clinic["receiver"].headers, params=params
        )
    assert r.status_code == 200 and len(r.json()["items"]) == 40
    [statement] = _audit_inserts(seen)
    assert statement.lstrip().startswith("WITH") and statement.count("INSERT INTO audit_events") == 1


async def test_citizen_list(client: httpx.AsyncClient, engine: AsyncEngine, volume: Volume) -> None:
    counts = await _counts(client, engine, f"{API}/citizen/cases", bearer(volume.citizen_token))
    assert len(set(counts)) == 1 and counts[0] <= 6, counts


async def test_audit_list_and_access_log(
    client: httpx.AsyncClient, engine: AsyncEngine, volume: Volume
) -> None:
    clinic = volume.clinic
    counts = await _counts(
        client, engine, f"{API}/units/{clinic.unit_id}/audit-events", clinic["reviewer"].headers
    )
    assert len(set(counts)) == 1 and counts[0] <= 6, counts
    counts = await _counts(client, engine, f"{API}/citizen/access-log", bearer(volume.citizen_token))
    assert len(set(counts)) == 1 and counts[0] <= 6, counts


async def test_follow_up(client: httpx.AsyncClient, engine: AsyncEngine, volume: Volume) -> None:
    clinic = volume.clinic
    counts = []
    for size in SIZES:
        with capture(engine) as seen:
            r = await client.get(
                f"{API}/units/{clinic.unit_id}/follow-up",
                headers=clinic["receiver"].headers,
                params={"limit": size},
            )
        assert len(r.json()["overdue_cases"]) == size
        counts.append(len(seen))
        # The page's list event is written by the overdue page's own statement.
        [statement] = _audit_inserts(seen)
        assert statement.lstrip().startswith("WITH")
    assert len(set(counts)) == 1 and counts[0] <= 6, counts
