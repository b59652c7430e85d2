"""The PDL event of a list page, written by the statement that reads the page.

A page of the inbox or of the follow-up shows several citizens' cases. It is logged as ONE
audit event naming every citizen it showed (`audit_events.personal_numbers`, GIN-indexed for the
citizen's extract and the reviewer's filter), never one row per case, and in the same round trip
as the page: the page's SELECT becomes a CTE, a data-modifying CTE inserts the event from the
page's own rows, and the outer SELECT returns the page unchanged:

    WITH page AS (<the page's SELECT, limit + 1 rows>),
         logged AS (INSERT INTO audit_events (...)
                    SELECT ..., array_agg(DISTINCT pnr ORDER BY pnr), ...
                    FROM (SELECT pnr FROM page ORDER BY <page order> LIMIT <shown>) shown
                    [HAVING count(*) > 0])
    SELECT * FROM page ORDER BY <page order>

Only the rows shown are named (the page reads one extra row to know whether there is a next
page). An insert that fails fails the statement, so the page is never served unlogged, as for
the case view. A page that shows no case logs nothing, except a personal-number search, which is
an access to that citizen's data whatever it finds (and keeps its own action and column).

The page's SELECT carries `citizen_id`; the event reads the personal numbers of the rows shown
by key. Who and
where come as SQL expressions: bind parameters for a prebuilt statement (app/db/prepared.py),
literals otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Integer, Select, distinct, func, literal, literal_column, null, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert
from sqlalchemy.sql.expression import CTE

from app.db.tables import audit_events, citizens, units
from app.domain.audit import AuditAction, AuditOutcome

_COLUMNS = (
    "staff_id",
    "staff_hsa_id",
    "unit_id",
    "unit_hsa_id",
    "action",
    "personal_number",
    "personal_numbers",
    "outcome",
    "detail",
)


def audited_page(
    page: Select[Any],
    order: Callable[[CTE], Sequence[Any]],
    *,
    action: AuditAction,
    staff_id: Any,
    staff_hsa_id: Any,
    unit_id: Any,
    shown: Any,
    searched: Any = None,
) -> Select[Any]:
    """`page` (ordered and limited) with its list event: returns the same rows in `order`.

    `shown`: how many of the page's rows are served (the rest only tell "more"); `searched`:
    the personal number of a personal-number search (the event names that citizen and is
    written even when nothing is found), else None."""
    rows = page.cte("page")
    # The page names its citizens by id: the shown rows' personal numbers are read here, by
    # primary key, for the event only (the page itself need not join `citizens`).
    pnr_of_row = select(citizens.c.personal_number.label("pnr")).join_from(
        rows, citizens, citizens.c.id == rows.c.citizen_id
    )
    if isinstance(shown, int):  # written into the SQL: a bound LIMIT hides the size from the plan
        shown = literal_column(str(shown), Integer)
    shown_rows = pnr_of_row.order_by(*order(rows)).limit(shown).subquery("shown")
    pnr = shown_rows.c.pnr
    unit_hsa = select(units.c.hsa_id).where(units.c.id == unit_id).scalar_subquery()
    result_count = func.jsonb_build_object(literal_column("'result_count'"), func.count())
    event = select(
        staff_id,
        staff_hsa_id,
        unit_id,
        unit_hsa,
        literal(action.value, audit_events.c.action.type),
        searched if searched is not None else null(),
        null() if searched is not None else func.array_agg(aggregate_order_by(distinct(pnr), pnr)),
        literal(AuditOutcome.SUCCESS.value, audit_events.c.outcome.type),
        result_count,
    ).select_from(shown_rows)
    if searched is None:
        event = event.having(func.count() > 0)  # an empty page showed nobody
    logged = insert(audit_events).from_select(list(_COLUMNS), event).cte("logged")
    return select(rows).order_by(*order(rows)).add_cte(logged)
