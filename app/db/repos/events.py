"""Domain events: written with the change that causes them, read by the SSE stream, purged.

Writing. An event is a `domain_events` row inserted by the statement (or in the transaction)
of the change, so a rollback leaves no event, no delivery and no NOTIFY. With the rows, the
same statement writes one `webhook_deliveries` row per webhook of the unit that asked for the
type (`emit_ctes`). The migration's triggers do the rest: ids in commit order per unit, and a
NOTIFY (unit id and highest new id only) that the API processes' listeners turn into reads.
What an event says is app/domain/events.py's; here is only where it goes.

- a citizen's new case: one more CTE of the prebuilt insert (citizen_new_case.py);
- a staff transition: CTEs of `save_transition` (cases.py), from its UPDATE's row;
- a citizen's reply: CTEs of `save_reply` (citizen_threads.py);
- an outbound send: `outbound_sent_rows`, CTEs of the send's one statement (outbound.py).

Reading (the stream, app/services/case_stream.py): "events of unit X after id N", limited to
the cases a staff member reaches by the rule of case_reach.py.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Integer,
    String,
    any_,
    cast,
    column,
    delete,
    func,
    literal,
    select,
    true,
    values,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Select

from app.db.repos import case_reach
from app.db.tables import cases, domain_events, event_retention, webhook_deliveries, webhooks
from app.domain.events import Event, EventType

e = domain_events.c
EVENT_COLUMNS = ["unit_id", "case_id", "type", "data"]
ROW = (e.id, e.envelope_id, e.unit_id, e.case_id, e.type, e.occurred_at, e.data)


def emit_ctes(rows: Select[Any], name: str = "events") -> list[Any]:
    """The events of `rows` (unit_id, case_id, type, data — in the order they happened) and
    their webhook deliveries, as CTEs to add to the statement of the change."""
    written = (
        insert(domain_events)
        .from_select(EVENT_COLUMNS, rows)
        .returning(e.id, e.unit_id, e.case_id, e.type)
        .cte(name)
    )
    wh = webhooks.c
    fan_out = (
        insert(webhook_deliveries)
        .from_select(
            ["webhook_id", "event_id", "case_id"],
            select(wh.id, written.c.id, written.c.case_id).join(
                webhooks, (wh.unit_id == written.c.unit_id) & (written.c.type == any_(wh.events))
            ),
        )
        .on_conflict_do_nothing()
        .returning(webhook_deliveries.c.id)
        .cte(f"{name}_deliveries")
    )
    return [written, fan_out]


def rows_for(events: list[Event], unit_id: Any, case_id: Any, source: Any = None) -> Select[Any]:
    """`events` of one case as the rows `emit_ctes` takes. Unit and case are values, or columns
    of `source` (the change's UPDATE ... RETURNING, so nothing is written if it changed nothing)."""
    listed = values(
        column("n", Integer), column("type", String), column("data", JSONB), name="listed"
    ).data([(i, event.type.value, event.data) for i, event in enumerate(events)])
    rows = listed if source is None else source.join(listed, true())
    return select(unit_id, case_id, listed.c.type, listed.c.data).select_from(rows).order_by(listed.c.n)


async def emit(conn: AsyncConnection, unit_id: UUID, case_id: UUID, events: list[Event]) -> None:
    """Events of one case as a statement of their own (a change that is not one statement)."""
    if events:
        ctes = emit_ctes(rows_for(events, literal(unit_id), literal(case_id)))
        await conn.execute(select(func.count()).select_from(ctes[0]).add_cte(*ctes))


# --- outbound sends ------------------------------------------------------------------------


def outbound_sent_rows(new_cases: Any) -> Select[Any]:
    """`outbound.sent` rows for cases of an outbound send: `new_cases` is `cases` itself or a
    CTE over it (its INSERT ... RETURNING) with the columns id, unit_id, reference, status and
    outbound_id. The data is the one of app/domain/events.py's DATA_KEYS for the type (a test
    holds it to them); built in SQL because a send has up to 250 cases, one statement."""
    c = new_cases.c
    data = func.jsonb_build_object(
        "case_id", c.id, "reference", c.reference, "status", c.status, "outbound_id", c.outbound_id
    )
    return select(c.unit_id, c.id, literal(EventType.OUTBOUND_SENT.value, String), data).order_by(
        c.reference
    )


# --- reading -------------------------------------------------------------------------------


async def head(conn: AsyncConnection, unit_id: UUID) -> int:
    """The unit's latest event id (0 when none): where a stream without Last-Event-ID starts."""
    stmt = select(func.coalesce(func.max(e.id), 0)).where(e.unit_id == unit_id)
    return int((await conn.execute(stmt)).scalar_one())


async def since(conn: AsyncConnection, cursors: dict[UUID, int], limit: int) -> list[dict[str, Any]]:
    """Events after each unit's cursor, oldest first, for every unit in `cursors` (one query
    however many units: the listener's read of a burst of notifications)."""
    units = list(cursors)
    after = (
        func.unnest(
            cast(literal(units, ARRAY(e.unit_id.type)), ARRAY(e.unit_id.type)),
            cast(literal([cursors[u] for u in units], ARRAY(BigInteger)), ARRAY(BigInteger)),
        )
        .table_valued(column("unit_id"), column("after"))
        .render_derived(name="cursor")
    )
    stmt = (
        select(*ROW)
        .join(after, (e.unit_id == after.c.unit_id) & (e.id > after.c.after))
        .order_by(e.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def reached_since(
    conn: AsyncConnection, unit_id: UUID, after: int, sees_all: bool, staff_id: UUID, limit: int
) -> list[dict[str, Any]]:
    """A resumed stream's missed events: the unit's after `after`, of cases within reach."""
    stmt = (
        select(*ROW)
        .join(cases, cases.c.id == e.case_id)
        .where(e.unit_id == unit_id, e.id > after, case_reach.visible(literal(sees_all), staff_id))
        .order_by(e.id)
        .limit(limit)
    )
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


async def reached_cases(
    conn: AsyncConnection, unit_id: UUID, case_ids: list[UUID], staff_id: UUID
) -> set[UUID]:
    """Which of `case_ids` (a burst of live events) the staff member reaches now."""
    stmt = select(cases.c.id).where(
        cases.c.id.in_(case_ids), cases.c.unit_id == unit_id, case_reach.reached(staff_id)
    )
    return set((await conn.execute(stmt)).scalars().all())


# --- retention -----------------------------------------------------------------------------


async def purged_through(conn: AsyncConnection) -> int:
    stmt = select(func.coalesce(select(event_retention.c.purged_through).scalar_subquery(), 0))
    return int((await conn.execute(stmt)).scalar_one())


async def purge(conn: AsyncConnection, retention_days: float) -> int:
    """Drop events older than the retention (their finished deliveries go with them) and
    remember the highest id dropped. By id below the first event to keep: a forward scan of the
    primary key over what is dropped, no index on the time needed. Returns how many."""
    keep_from = (
        select(func.min(e.id))
        .where(e.occurred_at >= func.now() - func.make_interval(0, 0, 0, 0, 0, 0, retention_days * 86400))
        .scalar_subquery()
    )
    last = select(func.max(e.id)).scalar_subquery()
    gone = (
        delete(domain_events)
        .where(e.id < func.coalesce(keep_from, last + 1))
        .returning(e.id)
        .cte("gone")
    )
    highest = select(func.max(gone.c.id)).scalar_subquery()
    marking = insert(event_retention).from_select(
        ["id", "purged_through"], select(true(), highest).where(highest.isnot(None))
    )
    mark = marking.on_conflict_do_update(
        index_elements=["id"],
        set_={
            "purged_through": func.greatest(
                event_retention.c.purged_through, marking.excluded.purged_through
            )
        },
    ).cte("mark")
    stmt = select(func.count()).select_from(gone).add_cte(mark)
    return int((await conn.execute(stmt)).scalar_one())
