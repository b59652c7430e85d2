"""The app runs as a least-privilege role, and the PDL log is append-only against it and against
TRUNCATE (domain.md "Audit (PDL)"; docs/operations.md, database roles). Every refusal here is
PostgreSQL's own."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import Services
from app.db.engine import create_engine, engine_options
from app.db.repos import outbox
from app.main import create_app
from app.notify.relay import worker_database
from tests.fixtures.citizen import Setup, add_case_type, citizen, new_case_body, set_unit
from tests.fixtures.clinic import API, make_clinic

APP_ROLE = "careinbox_app"


@pytest.fixture
async def as_app(database_url: str, settings: Settings) -> AsyncIterator[AsyncConnection]:
    """A connection exactly as the app opens one (engine_options), in a rolled-back transaction."""
    engine = create_engine(database_url, **engine_options(settings))
    try:
        async with engine.connect() as c:
            await c.begin()
            yield c
    finally:
        await engine.dispose()


async def _refused(conn: AsyncConnection, sql: str) -> str:
    with pytest.raises(DBAPIError) as refused:
        async with conn.begin_nested():
            await conn.execute(text(sql))
    return str(getattr(refused.value.orig, "sqlstate", ""))


async def test_the_app_role_cannot_change_or_empty_the_pdl_log(as_app: AsyncConnection) -> None:
    assert (await as_app.execute(text("SELECT current_user"))).scalar() == APP_ROLE
    await as_app.execute(
        text(
            "INSERT INTO audit_events (staff_hsa_id, unit_hsa_id, unit_id, action) "
            "VALUES ('SE2321000131-E000000000001', 'SE2321000131-U000000000001', "
            "gen_random_uuid(), 'case_read')"
        )
    )
    assert (await as_app.execute(text("SELECT count(*) FROM audit_events"))).scalar() >= 1
    for sql in (
        "UPDATE audit_events SET action = 'nothing'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "ALTER TABLE audit_events DISABLE TRIGGER ALL",
        "SET session_replication_role = replica",
        "DROP TRIGGER audit_events_append_only ON audit_events",
    ):
        assert await _refused(as_app, sql) in {"42501"}, sql  # insufficient_privilege / must be owner


async def test_truncate_is_refused_to_the_owner_too(conn: AsyncConnection) -> None:
    """The trigger is the second line: even the owner (the tests' superuser) may not TRUNCATE."""
    with pytest.raises(DBAPIError, match="append-only"):
        async with conn.begin_nested():
            await conn.execute(text("TRUNCATE audit_events"))


async def test_the_role_has_what_the_app_needs_and_no_more(conn: AsyncConnection) -> None:
    role = (
        await conn.execute(
            text(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = :r"
            ),
            {"r": APP_ROLE},
        )
    ).one()
    assert tuple(role) == (False, False, False, False)
    rows = await conn.execute(
        text(
            "SELECT tablename, tableowner, "
            "has_table_privilege(:r, quote_ident(tablename), 'SELECT'), "
            "has_table_privilege(:r, quote_ident(tablename), 'INSERT'), "
            "has_table_privilege(:r, quote_ident(tablename), 'UPDATE'), "
            "has_table_privilege(:r, quote_ident(tablename), 'DELETE'), "
            "has_table_privilege(:r, quote_ident(tablename), 'TRUNCATE') "
            "FROM pg_tables WHERE schemaname = 'public'"
        ),
        {"r": APP_ROLE},
    )
    for table, owner, select, insert, update, delete, truncate in rows:
        assert owner != APP_ROLE and not truncate, table
        expected = {
            "audit_events": (True, True, False, False),
            "alembic_version": (True, False, False, False),
        }.get(table, (True, True, True, True))
        assert (select, insert, update, delete) == expected, table
    sequences = await conn.execute(
        text(
            "SELECT sequencename FROM pg_sequences "
            "WHERE NOT has_sequence_privilege(:r, quote_ident(sequencename), 'USAGE')"
        ),
        {"r": APP_ROLE},
    )
    assert sequences.all() == []


async def test_the_served_app_connects_as_its_role(
    settings: Settings, engine: AsyncEngine, committed_services: Services
) -> None:
    """The real start-up path (lifespan, settings): every statement runs as the app role, and a
    whole case round trip (log-ins, case creation, a staff read with its PDL event, sign-out)
    works with its privileges. committed_services empties the tables afterwards."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        services: Services = app.state.services
        async with services.db.transaction() as c:
            assert (await c.execute(text("SELECT current_user"))).scalar() == APP_ROLE
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            clinic = await make_clinic(client, {"rec": ["case_receiver"]})
            async with engine.begin() as owner:  # catalog rows a local admin would make
                await set_unit(owner, clinic.unit_id, scope="national")
                case_type_id = await add_case_type(owner, clinic.unit_id)
            who = await citizen(client)
            body = new_case_body(Setup(clinic, case_type_id))
            r = await client.post(f"{API}/citizen/cases", headers=who.headers, json=body)
            assert r.status_code == 201, r.text
            r = await client.get(
                f"{API}/units/{clinic.unit_id}/cases/{r.json()['id']}", headers=clinic["rec"].headers
            )
            assert r.status_code == 200, r.text
            assert (await client.post(f"{API}/auth/logout", headers=clinic["rec"].headers)).status_code == 204
    async with engine.connect() as c:
        assert (await c.execute(text("SELECT count(*) FROM audit_events"))).scalar() == 1


async def test_tables_later_migrations_create_are_the_roles_to_use(conn: AsyncConnection) -> None:
    """Default privileges: a table the migrating owner creates after this migration (as the
    outbox's status columns came after the role, and attachments or the next feature will) is
    usable by the app without a GRANT of its own; TRUNCATE still is not."""
    await conn.execute(text("CREATE TABLE later_feature (id bigserial PRIMARY KEY, note text)"))
    granted = (
        await conn.execute(
            text(
                "SELECT has_table_privilege(:r, 'later_feature', 'SELECT, INSERT, UPDATE, DELETE'), "
                "has_table_privilege(:r, 'later_feature', 'TRUNCATE'), "
                "has_sequence_privilege(:r, 'later_feature_id_seq', 'USAGE')"
            ),
            {"r": APP_ROLE},
        )
    ).one()
    assert tuple(granted) == (True, False, True)


async def test_the_standalone_worker_leases_the_outbox_as_the_app_role(
    database_url: str, settings: Settings
) -> None:
    """`python -m app.cli worker` builds its engine with engine_options: it claims (SELECT … FOR
    UPDATE SKIP LOCKED, then UPDATE), renews, finishes and hands back outbox rows under the
    role's privileges, never as the login. Rolled back at the end."""
    db = worker_database(settings, database_url)
    try:
        async with db.engine.connect() as c:
            await c.begin()
            assert (await c.execute(text("SELECT current_user"))).scalar() == APP_ROLE
            ids = [
                (
                    await c.execute(
                        text(
                            "INSERT INTO outbox (channel, recipient, template, payload, dedup_key) "
                            "VALUES ('email', 'x@vc.example.se', 'unit_new_case', '{}', :k) RETURNING id"
                        ),
                        {"k": f"role-test:{n}"},
                    )
                ).scalar_one()
                for n in range(2)
            ]
            claimed = await outbox.claim(c, "role-test", ["email"], 10, 60.0)
            assert {r["id"] for r in claimed} >= set(ids)
            await outbox.extend_lease(c, "role-test", ids, 60.0)
            assert await outbox.finish(c, ids[0], "role-test", status="sent")
            await outbox.release(c, "role-test", [ids[1]])
            rows = await c.execute(
                text("SELECT status, locked_by FROM outbox WHERE id = ANY(:ids) ORDER BY id"), {"ids": ids}
            )
            assert [tuple(r) for r in rows] == [("sent", None), ("pending", None)]
            await c.rollback()
    finally:
        await db.dispose()
