"""A unit with tens of thousands of cases, for plan and statement-count tests (issue 4 point 10).

Seeding is plain `INSERT ... SELECT generate_series` inside the test's rolled-back transaction,
then ANALYZE (which sees the transaction's own rows), so the planner judges the queries on a
realistic table rather than on the handful of rows a functional test writes.
`capture` records every statement the app sends while a block runs, so tests check the SQL the
repositories really produce.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.db.repos.statistics import FIRST_RESPONSE_BACKFILL, RESPONSE_TRIGGER
from tests.helpers import API, Clinic, add_staff, citizen_token, make_clinic, pnr

BIG_TABLES = frozenset({"cases", "messages", "audit_events"})

SEED_SQL = [
    # Four more units in the clinic's region: the clinic holds only part of the table.
    """
    INSERT INTO units (hsa_id, name, name_search, region_id, service_area_scope)
    SELECT 'SE2321000131-V' || lpad(g::text, 10, '0'), 'Volymenhet ' || g, 'volymenhet ' || g,
           CAST(:region_id AS uuid), 'national'
    FROM generate_series(1, 4) g
    """,
    """
    INSERT INTO case_types (unit_id, name, category, status)
    SELECT u.id, 'Ärendetyp ' || k, CASE k WHEN 1 THEN 'prescription_renewal' ELSE 'other' END, 'active'
    FROM units u CROSS JOIN generate_series(1, 2) k
    WHERE u.id = :unit_id OR u.hsa_id LIKE 'SE2321000131-V%'
    """,
    """
    INSERT INTO citizens (personal_number, given_name, family_name)
    SELECT '19' || lpad(g::text, 10, '0'), 'Volym', 'Person ' || g
    FROM generate_series(1, CAST(:citizens AS int)) g
    """,
    # Eighteen colleagues: the clinic's assigned cases are spread over twenty handlers.
    """
    INSERT INTO staff (hsa_id, given_name, family_name, title)
    SELECT 'SE2321000131-W' || lpad(g::text, 10, '0'), 'Kollega', 'Nummer ' || g, 'Sjuksköterska'
    FROM generate_series(1, 18) g
    """,
    # Every 5th case is the clinic's. Statuses: 70 % closed, 10 % each new / assigned /
    # awaiting_citizen; created over the last year. At the clinic one in fifteen assigned cases
    # goes to the group, the rest to the twenty handlers; other units' cases have no assignee.
    """
    INSERT INTO cases (unit_id, citizen_id, case_type_id, reference, status, origin, subject,
                       assignee_staff_id, assignee_group_id, due_at, created_at, updated_at,
                       closed_at, closure)
    SELECT ut.unit_ids[1 + g % 5],
           cz.ids[1 + (g * 7919) % array_length(cz.ids, 1)],
           NULL, 'VOL-' || g, s.status, 'citizen', 'Volymärende ' || g,
           CASE WHEN s.status <> 'new' AND g % 5 = 0 AND (g / 5) % 15 <> 0
                THEN st.ids[1 + (g / 5) % 20] END,
           CASE WHEN s.status <> 'new' AND g % 5 = 0 AND (g / 5) % 15 = 0
                THEN CAST(:group_id AS uuid) END,
           now() - g * interval '10 minutes' + interval '2 days',
           now() - g * interval '10 minutes',
           now() - g * interval '10 minutes' + interval '1 hour',
           CASE WHEN s.status = 'closed' THEN now() - g * interval '10 minutes' + interval '1 day' END,
           CASE WHEN s.status = 'closed' THEN 'answered' END
    FROM generate_series(1, CAST(:cases AS int)) g
    CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM citizens
                WHERE personal_number LIKE '19000%') cz
    CROSS JOIN (SELECT CAST(:unit_id AS uuid) || array_agg(id ORDER BY id) AS unit_ids FROM units
                WHERE hsa_id LIKE 'SE2321000131-V%') ut
    CROSS JOIN (SELECT CAST(:staff_ids AS uuid[]) || array_agg(id ORDER BY id) AS ids FROM staff
                WHERE hsa_id LIKE 'SE2321000131-W%') st
    CROSS JOIN LATERAL (SELECT CASE
        WHEN (g / 5) % 10 < 7 THEN 'closed' WHEN (g / 5) % 10 = 7 THEN 'new'
        WHEN (g / 5) % 10 = 8 THEN 'assigned' ELSE 'awaiting_citizen' END AS status) s
    """,
    """
    UPDATE cases c SET case_type_id = t.id
    FROM (SELECT DISTINCT ON (unit_id) unit_id, id FROM case_types ORDER BY unit_id, id) t
    WHERE c.unit_id = t.unit_id AND c.reference LIKE 'VOL-%'
    """,
    # One real (loginable) citizen owns every 500th case, for the citizen's own list and search.
    """
    UPDATE cases SET citizen_id = :citizen_id
    WHERE reference LIKE 'VOL-%' AND substr(reference, 5)::int % 500 = 0
    """,
    """
    INSERT INTO case_participants (case_id, staff_id)
    SELECT id, assignee_staff_id FROM cases WHERE assignee_staff_id IS NOT NULL
    """,
    # A bulk load: the first-response trigger set-based afterwards (app/db/repos/statistics.py).
    f"ALTER TABLE messages DISABLE TRIGGER {RESPONSE_TRIGGER}",
    """
    INSERT INTO messages (case_id, kind, body, author_type, author_display_name, created_at)
    SELECT c.id, CASE k WHEN 1 THEN 'citizen_message' ELSE 'answer' END, 'Meddelande ' || k,
           CASE k WHEN 1 THEN 'citizen' ELSE 'staff' END, 'Volym', c.created_at + k * interval '1 hour'
    FROM cases c CROSS JOIN generate_series(1, 2) k WHERE c.reference LIKE 'VOL-%'
    """,
    f"ALTER TABLE messages ENABLE TRIGGER {RESPONSE_TRIGGER}",
    FIRST_RESPONSE_BACKFILL,
    """
    INSERT INTO audit_events (occurred_at, staff_hsa_id, staff_id, unit_hsa_id, unit_id,
                              personal_number, action, case_id)
    SELECT c.created_at + k * interval '1 minute', 'SE2321000131-E999999999999', NULL, u.hsa_id,
           c.unit_id, z.personal_number, CASE k WHEN 1 THEN 'case_read' ELSE 'message_sent' END, c.id
    FROM cases c JOIN units u ON u.id = c.unit_id JOIN citizens z ON z.id = c.citizen_id
    CROSS JOIN generate_series(1, 2) k WHERE c.reference LIKE 'VOL-%'
    """,
    "ANALYZE units",
    "ANALYZE citizens",
    "ANALYZE case_types",
    "ANALYZE cases",
    "ANALYZE case_participants",
    "ANALYZE messages",
    "ANALYZE audit_events",
    "ANALYZE groups",
    "ANALYZE staff",
    "ANALYZE group_members",
]


@dataclass
class Volume:
    clinic: Clinic
    group_id: str
    citizen_pnr: str  # a citizen with cases at the clinic and elsewhere
    citizen_token: str


async def seed(
    client: httpx.AsyncClient, conn: AsyncConnection, *, cases: int = 50_000, citizens: int = 5_000
) -> Volume:
    clinic = await make_clinic(
        client,
        {
            "receiver": ["case_receiver"],
            "handler": ["case_handler"],
            "reviewer": ["reviewer"],
            "admin": ["local_admin"],
        },
    )
    clinic.people["handler2"] = await add_staff(client, clinic, ["case_handler"])
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/groups",
        headers=clinic.admin.headers,
        json={"name": "Volymgruppen", "member_ids": [clinic["handler"].staff_id]},
    )
    if r.status_code == 201:
        group_id = str(r.json()["id"])
    else:  # the groups endpoint is another helper's; fall back to a direct insert
        group_id = str(
            (
                await conn.execute(
                    text("INSERT INTO groups (unit_id, name) VALUES (:u, 'Volymgruppen') RETURNING id"),
                    {"u": UUID(clinic.unit_id)},
                )
            ).scalar_one()
        )
        await conn.execute(
            text("INSERT INTO group_members (group_id, staff_id) VALUES (:g, :s)"),
            {"g": UUID(group_id), "s": UUID(clinic["handler"].staff_id or "")},
        )
    citizen_pnr = pnr(1980, 3, 4)
    token = await citizen_token(client, citizen_pnr)
    citizen_id = (
        await conn.execute(text("SELECT id FROM citizens WHERE personal_number = :p"), {"p": citizen_pnr})
    ).scalar_one()
    params = {
        "citizen_id": citizen_id,
        "region_id": UUID(clinic.region_id),
        "unit_id": UUID(clinic.unit_id),
        "staff_ids": [UUID(clinic["handler"].staff_id or ""), UUID(clinic["handler2"].staff_id or "")],
        "group_id": UUID(group_id),
        "cases": cases,
        "citizens": citizens,
    }
    for sql in SEED_SQL:
        used = {k: v for k, v in params.items() if f":{k}" in sql}
        await conn.execute(text(sql), used)
    return Volume(clinic, group_id, citizen_pnr, token)


@contextmanager
def capture(engine: AsyncEngine) -> Iterator[list[tuple[str, Any]]]:
    """Every (statement, parameters) sent to the database while the block runs."""
    seen: list[tuple[str, Any]] = []

    def listener(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


def is_query(statement: str) -> bool:
    head = statement.lstrip().upper()
    return head.startswith(("SELECT", "WITH"))


def seq_scans(plan: Any) -> list[str]:
    """Relations among BIG_TABLES that a plan reads with a sequential scan."""
    found: list[str] = []
    if isinstance(plan, dict):
        if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES:
            found.append(str(plan["Relation Name"]))
        for value in plan.values():
            found += seq_scans(value)
    elif isinstance(plan, list):
        for value in plan:
            found += seq_scans(value)
    return found


async def explain(conn: AsyncConnection, statement: str, parameters: Any) -> Any:
    result = await conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters)
    plan = result.scalar_one()
    return plan
