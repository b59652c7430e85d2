"""Case rows are read by column label, never by position: a statement that selects the summary
columns in another order gives the same summary, and no two columns of the inbox page or the
case view share a label (a shared label would make one field read the other's value)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import httpx
from sqlalchemy import bindparam, event, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.repos import case_view
from app.db.repos.case_reads import SUMMARY_COLS, summary_from
from app.db.tables import cases
from app.domain.reach import CaseReach
from app.services.case_queries import summary
from tests.fixtures.cases import add_case, add_case_type, add_citizen, add_group
from tests.fixtures.clinic import make_clinic


@contextmanager
def _through_sqlalchemy(conn: AsyncConnection) -> Iterator[None]:
    """Someone listening to statements: `Prepared` takes its exec_driver_sql path."""

    def listener(*_: Any) -> None:
        return None

    sync = conn.sync_connection
    assert sync is not None
    event.listen(sync, "before_cursor_execute", listener)
    try:
        yield
    finally:
        event.remove(sync, "before_cursor_execute", listener)


def _statement(columns: Any) -> Prepared:
    return Prepared(select(*columns).select_from(summary_from()).where(cases.c.id == bindparam("case_id")))


async def test_the_summary_does_not_depend_on_the_column_order(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    citizen, number = await add_citizen(conn, given_name="Greta", family_name="Garbo")
    case_type = await add_case_type(conn, clinic.unit_id, name="Boka tid", category="book_appointment")
    assigned = await add_case(
        conn,
        clinic.unit_id,
        citizen,
        case_type_id=case_type,
        status="assigned",
        assignee_staff_id=clinic["h"].staff_id,
    )
    grouped = await add_case(
        conn,
        clinic.unit_id,
        citizen,
        status="assigned",
        assignee_group_id=await add_group(conn, clinic.unit_id, [], name="Sjuksköterskor"),
    )
    as_declared, reversed_ = _statement(SUMMARY_COLS), _statement(reversed(SUMMARY_COLS))
    for case_id in (assigned, grouped):
        for path in ("asyncpg", "sqlalchemy"):
            if path == "asyncpg":
                rows = [await p.named_row(conn, case_id=case_id) for p in (as_declared, reversed_)]
            else:
                with _through_sqlalchemy(conn):
                    rows = [await p.named_row(conn, case_id=case_id) for p in (as_declared, reversed_)]
            first, second = (summary(r) for r in rows if r is not None)
            assert first == second, (case_id, path)
    row = await as_declared.named_row(conn, case_id=assigned)
    assert row is not None
    item = summary(row)
    assert item["citizen"] == {"personal_number": number, "name": "Greta Garbo", "protected_identity": False}
    assert item["assignee"]["name"] == "Anna Andersson" and item["case_type"]["name"] == "Boka tid"
    assert item["case_type"]["category"] == "book_appointment"


async def test_no_two_columns_share_a_label(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    labels = [c.key for c in select(*SUMMARY_COLS).selected_columns]
    assert len(labels) == len(set(labels)) == len(SUMMARY_COLS)
    clinic = await make_clinic(client, {"rec": ["case_receiver"]})
    citizen, _ = await add_citizen(conn)
    case_id = await add_case(conn, clinic.unit_id, citizen)
    reach = CaseReach(staff_id=UUID(clinic["rec"].staff_id), sees_all=True)
    row: Any = await case_view.detail(conn, UUID(clinic.unit_id), case_id, reach)
    assert row is not None
    keys = list(row.keys())  # an asyncpg Record: its column labels, duplicates included
    assert len(keys) == len(set(keys)) and set(labels) <= set(keys)
