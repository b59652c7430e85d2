"""A bench database with a million cases, seeded inside PostgreSQL (INSERT ... SELECT
generate_series), migrated with alembic. Idempotent: a database that already holds the cases is
reused as it is.

Shape: 50 units in one region; the bench clinic holds every fifth case (200,000), the other 49
units the rest. 70 % of the cases are closed; at the clinic the open ones are assigned over 20
handlers and one group. One citizen message per case, plus the answer for the clinic's closed
cases; a "created" case event per clinic case.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from uuid import UUID

import asyncpg
from sqlalchemy.engine import make_url

from app.db.migrations import upgrade_to_head
from app.db.repos.statistics import FIRST_RESPONSE_BACKFILL, RESPONSE_TRIGGER

BENCH_DB = "careinbox_bench"
BENCH_CASES = 1_000_000
# The same shape at a tenth of the size, to show cost flat in table size.
SMALL_DB = "careinbox_bench_100k"
SMALL_CASES = 100_000
CLINIC_HSA = "SE2321000131-B000000000000"
RECEIVER_HSA = "SE2321000131-Q000000000001"
HANDLER_HSA = "SE2321000131-Q000000000002"

def seed_statements(cases: int) -> list[str]:
    """The seed for a database of `cases` cases (one citizen per five cases)."""
    citizens = max(cases // 5, 1)
    statements = [
        """INSERT INTO regions (name, county_code, hsa_id)
           VALUES ('Benchregionen', '14', 'SE2321000131-R999999999999')""",
        """INSERT INTO units (hsa_id, name, name_search, region_id, service_area_scope)
           SELECT CASE g WHEN 0 THEN 'SE2321000131-B000000000000'
                         ELSE 'SE2321000131-B' || lpad(g::text, 12, '0') END,
                  'Benchenhet ' || g, 'benchenhet ' || g, (SELECT id FROM regions LIMIT 1), 'national'
           FROM generate_series(0, 49) g""",
        """INSERT INTO staff (hsa_id, given_name, family_name, title)
           SELECT 'SE2321000131-Q' || lpad(g::text, 12, '0'), 'Bench', 'Person ' || g, 'Sjuksköterska'
           FROM generate_series(1, 22) g""",
        """INSERT INTO unit_role_assignments (unit_id, staff_id, role)
           SELECT u.id, s.id, CASE WHEN s.hsa_id = 'SE2321000131-Q000000000001' THEN 'case_receiver'
                                   ELSE 'case_handler' END
           FROM units u, staff s WHERE u.hsa_id = 'SE2321000131-B000000000000'""",
        """INSERT INTO groups (unit_id, name)
           SELECT id, 'Benchgruppen' FROM units WHERE hsa_id = 'SE2321000131-B000000000000'""",
        """INSERT INTO group_members (group_id, staff_id)
           SELECT g.id, s.id FROM groups g, staff s WHERE s.hsa_id = 'SE2321000131-Q000000000002'""",
        """INSERT INTO case_types (unit_id, name, category, terms_text, status, questions)
           SELECT u.id, 'Förnya recept', 'prescription_renewal', 'Svar inom två arbetsdagar.', 'active',
                  '[{"key": "medicine", "label": "Läkemedel", "type": "text", "required": true,
                     "options": []}]'::jsonb
           FROM units u""",
        # Valid personnummer (the API refuses others): a birth date over 68 years, a serial, and
        # the Luhn check digit over YYMMDD + serial.
        """CREATE FUNCTION pg_temp.luhn(s text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
             SELECT ((10 - sum(CASE WHEN i % 2 = 1
                                    THEN (substr(s, i, 1)::int * 2) / 10 + (substr(s, i, 1)::int * 2) % 10
                                    ELSE substr(s, i, 1)::int END) % 10) % 10)::int
             FROM generate_series(1, 9) i $$""",
        """INSERT INTO citizens (personal_number, given_name, family_name, county_code)
           SELECT to_char(d, 'YYYYMMDD') || serial || pg_temp.luhn(to_char(d, 'YYMMDD') || serial),
                  'Bench', 'Medborgare ' || g, '14'
           FROM generate_series(1, __CITIZENS__) g,
                LATERAL (SELECT date '1940-01-01' + (g % 25000) AS d,
                                lpad((g / 25000)::text, 3, '0') AS serial) p""",
        """CREATE TEMP TABLE bench_ids AS SELECT
             (SELECT array_agg(id ORDER BY hsa_id) FROM units) AS units,
             (SELECT array_agg(id ORDER BY hsa_id) FROM staff
               WHERE hsa_id <> 'SE2321000131-Q000000000001') AS handlers,
             (SELECT id FROM groups LIMIT 1) AS group_id,
             (SELECT array_agg(id ORDER BY id) FROM citizens) AS citizens""",
        """INSERT INTO cases (unit_id, citizen_id, case_type_id, reference, status, origin, subject,
                              form, answers, assignee_staff_id, assignee_group_id, due_at, created_at,
                              updated_at, closed_at, closure)
           SELECT b.units[1 + CASE WHEN g % 5 = 0 THEN 0 ELSE 1 + g % 49 END],
                  b.citizens[(1 + (g::bigint * 7919) % __CITIZENS__)::int], NULL, 'B-' || g, s.status,
                  'citizen',
                  'Förnya recept', '[]', '{"medicine": "Levaxin"}',
                  CASE WHEN g % 5 = 0 AND s.status <> 'new' AND (g / 5) % 15 <> 0
                       THEN b.handlers[1 + (g / 5) % 21] END,
                  CASE WHEN g % 5 = 0 AND s.status <> 'new' AND (g / 5) % 15 = 0 THEN b.group_id END,
                  now() - g * interval '30 seconds' + interval '2 days',
                  now() - g * interval '30 seconds',
                  now() - g * interval '30 seconds' + interval '1 hour',
                  CASE WHEN s.status = 'closed' THEN now() - g * interval '30 seconds' + interval '1 day' END,
                  CASE WHEN s.status = 'closed' THEN 'answered' END
           FROM generate_series(1, __CASES__) g CROSS JOIN bench_ids b
           CROSS JOIN LATERAL (SELECT CASE WHEN (g / 5) % 10 < 7 THEN 'closed'
             WHEN (g / 5) % 10 = 7 THEN 'new' WHEN (g / 5) % 10 = 8 THEN 'assigned'
             ELSE 'awaiting_citizen' END AS status) s""",
        """UPDATE cases c SET case_type_id = t.id FROM case_types t WHERE t.unit_id = c.unit_id""",
        # A bulk load: cases.first_response_at is set for all cases at once after the messages
        # (app/db/repos/statistics.py), not by the trigger per staff message.
        f"ALTER TABLE messages DISABLE TRIGGER {RESPONSE_TRIGGER}",
        """INSERT INTO messages (case_id, kind, body, author_type, author_display_name, created_at)
           SELECT id, 'citizen', 'Hej! Mitt recept tar slut.', 'citizen', 'Bench Medborgare', created_at
           FROM cases""",
        """INSERT INTO messages (case_id, kind, body, author_type, author_staff_id, author_display_name,
                                 author_staff_name, created_at, read_at)
           SELECT c.id, 'answer', 'Hej! Receptet är förnyat.', 'staff', c.assignee_staff_id,
                  'Bench Person', 'Bench Person', c.closed_at, c.closed_at + interval '1 hour'
           FROM cases c JOIN units u ON u.id = c.unit_id
           WHERE u.hsa_id = 'SE2321000131-B000000000000' AND c.status = 'closed'""",
        f"ALTER TABLE messages ENABLE TRIGGER {RESPONSE_TRIGGER}",
        FIRST_RESPONSE_BACKFILL,
        """INSERT INTO case_events (case_id, action, actor_type, to_status, created_at)
           SELECT c.id, 'created', 'citizen', 'new', c.created_at
           FROM cases c JOIN units u ON u.id = c.unit_id WHERE u.hsa_id = 'SE2321000131-B000000000000'""",
        """INSERT INTO case_participants (case_id, staff_id)
           SELECT id, assignee_staff_id FROM cases WHERE assignee_staff_id IS NOT NULL""",
    ]
    return [
        sql.replace("__CITIZENS__", str(citizens)).replace("__CASES__", str(cases)) for sql in statements
    ]


@dataclass(frozen=True)
class BenchIds:
    unit_id: UUID
    receiver: tuple[UUID, str]
    handler: tuple[UUID, str]
    case_type_id: UUID
    citizens: list[tuple[UUID, str]]  # for case creation (outbound writes to the same numbers)
    searched: list[str]  # for the personal-number search: citizens no bench run writes to
    case_ids: list[UUID]  # at the clinic, for the case view


def bench_url(server_url: str, database: str = BENCH_DB) -> str:
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def ensure_database(server_url: str, database: str = BENCH_DB) -> str:
    conn = await asyncpg.connect(_dsn(server_url))
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    url = bench_url(server_url, database)
    await asyncio.to_thread(upgrade_to_head, url)
    return url


async def seed(url: str, cases: int = BENCH_CASES) -> None:
    conn = await asyncpg.connect(_dsn(url))
    try:
        if await conn.fetchval("SELECT count(*) FROM units WHERE hsa_id = $1", CLINIC_HSA):
            print("bench database already seeded", flush=True)
            return
        started = time.perf_counter()
        async with conn.transaction():
            for sql in seed_statements(cases):
                t0 = time.perf_counter()
                await conn.execute(sql)
                print(f"  {time.perf_counter() - t0:6.1f}s  {' '.join(sql.split())[:70]}", flush=True)
        await conn.execute("VACUUM ANALYZE")
        print(f"seeded {cases} cases in {time.perf_counter() - started:.0f}s", flush=True)
    finally:
        await conn.close()


async def ensure_seeded(server_url: str, database: str, cases: int) -> str:
    url = await ensure_database(server_url, database)
    await seed(url, cases)
    return url


async def load_ids(url: str) -> BenchIds:
    conn = await asyncpg.connect(_dsn(url))
    try:
        unit_id = await conn.fetchval("SELECT id FROM units WHERE hsa_id = $1", CLINIC_HSA)
        staff = {r["hsa_id"]: r["id"] for r in await conn.fetch("SELECT id, hsa_id FROM staff")}
        case_type_id = await conn.fetchval("SELECT id FROM case_types WHERE unit_id = $1", unit_id)
        citizens = await conn.fetch(
            "SELECT id, personal_number FROM citizens ORDER BY personal_number LIMIT 200"
        )
        # The search's citizens are the other end of the register: creation and outbound add
        # cases to the first ones on every run, which would make the search's answer grow.
        searched = await conn.fetch(
            "SELECT personal_number FROM citizens ORDER BY personal_number DESC LIMIT 200"
        )
        cases = await conn.fetch(
            "SELECT id FROM cases WHERE unit_id = $1 ORDER BY created_at DESC LIMIT 500", unit_id
        )
        return BenchIds(
            unit_id=unit_id,
            receiver=(staff[RECEIVER_HSA], RECEIVER_HSA),
            handler=(staff[HANDLER_HSA], HANDLER_HSA),
            case_type_id=case_type_id,
            citizens=[(r["id"], r["personal_number"]) for r in citizens],
            searched=[r["personal_number"] for r in searched],
            case_ids=[r["id"] for r in cases],
        )
    finally:
        await conn.close()


if __name__ == "__main__":  # `python -m bench.seed [server-url]`: both bench databases, ahead of a run
    import sys

    from app.db.engine import to_async_url

    server = to_async_url(sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(ensure_seeded(server, SMALL_DB, SMALL_CASES))
    asyncio.run(ensure_seeded(server, BENCH_DB, BENCH_CASES))
