"""Reading cases for staff: the inbox page and a case's summary (the full case: case_view.py).

The inbox page is two statements: the page's rows from `cases` alone (`PAGE_COLS`), whose
statement also inserts the page's PDL event (list_audit.py, `_with_list_event`), then the names
it shows for its distinct citizens, case types, assignees and groups in one batched look-up
(`page_names`). A case's summary after a change is one SELECT with those names joined in
(`SUMMARY_COLS`, each under a label of its own, read by name). Every filter has an index
(tables.py / migrations); a handler's rows are limited by the ways of case_reach.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Integer, any_, bindparam, func, literal_column, null, select, tuple_, union, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import NamedRow, Prepared
from app.db.repos import case_reach, list_audit
from app.db.tables import case_types, cases, citizens, groups, staff
from app.domain.audit import AuditAction
from app.domain.reach import CaseReach

# Labelled wherever two tables share a column name: every column is read by its label.
SUMMARY_COLS = (
    cases.c.id,
    cases.c.reference,
    cases.c.status,
    cases.c.origin,
    cases.c.subject,
    cases.c.case_type_id,
    case_types.c.name.label("case_type_name"),
    case_types.c.category.label("case_type_category"),
    citizens.c.personal_number.label("citizen_personal_number"),
    citizens.c.given_name.label("citizen_given_name"),
    citizens.c.family_name.label("citizen_family_name"),
    citizens.c.protected_identity.label("citizen_protected_identity"),
    cases.c.assignee_staff_id,
    staff.c.given_name.label("assignee_given_name"),
    staff.c.family_name.label("assignee_family_name"),
    cases.c.assignee_group_id,
    groups.c.name.label("assignee_group_name"),
    cases.c.created_at,
    cases.c.due_at,
    cases.c.closed_at,
    cases.c.closure,
    cases.c.unread_by_citizen,
    cases.c.version,
)


@dataclass(frozen=True, slots=True)
class CaseFilters:
    status: str | None = None
    assignee_staff_id: UUID | None = None
    assignee_group_id: UUID | None = None
    case_type_id: UUID | None = None
    category: str | None = None
    personal_number: str | None = None
    overdue: bool = False
    updated_before: datetime | None = None
    updated_after: datetime | None = None


def summary_from() -> Any:
    """`cases` with what SUMMARY_COLS reads of the citizen, case type and assignee joined in."""
    return (
        cases.join(citizens, citizens.c.id == cases.c.citizen_id)
        .outerjoin(case_types, case_types.c.id == cases.c.case_type_id)
        .outerjoin(staff, staff.c.id == cases.c.assignee_staff_id)
        .outerjoin(groups, groups.c.id == cases.c.assignee_group_id)
    )


def _summary_select() -> Any:
    return select(*SUMMARY_COLS).select_from(summary_from())


# The inbox page reads `cases` alone: the planner then weighs one table's indexes, not a
# five-way join, and the generic plan PostgreSQL keeps for the prepared statement is the one it
# would pick for any values (bench/analysis.md). The names come in one batched statement
# (`page_names`) for the page's distinct citizens, case types, assignees and groups.
PAGE_COLS = (
    cases.c.id,
    cases.c.reference,
    cases.c.status,
    cases.c.origin,
    cases.c.subject,
    cases.c.case_type_id,
    cases.c.citizen_id,
    cases.c.assignee_staff_id,
    cases.c.assignee_group_id,
    cases.c.created_at,
    cases.c.due_at,
    cases.c.closed_at,
    cases.c.closure,
    cases.c.unread_by_citizen,
    cases.c.version,
)


def _filters(shape: Shape) -> list[Any]:
    """The filters present in `shape` as WHERE terms on `cases`, with `bindparam`s named after
    the CaseFilters fields (values come with each call)."""
    where: list[Any] = []
    if shape.personal_number:
        citizen = select(citizens.c.id).where(citizens.c.personal_number == bindparam("personal_number"))
        where.append(cases.c.citizen_id == citizen.scalar_subquery())
    if shape.status:
        where.append(cases.c.status == bindparam("status"))
    if shape.assignee_staff_id:
        where.append(cases.c.assignee_staff_id == bindparam("assignee_staff_id"))
    if shape.assignee_group_id:
        where.append(cases.c.assignee_group_id == bindparam("assignee_group_id"))
    if shape.case_type_id:
        where.append(cases.c.case_type_id == bindparam("case_type_id"))
    if shape.category:
        types = select(case_types.c.id).where(
            case_types.c.unit_id == bindparam("unit_id"), case_types.c.category == bindparam("category")
        )
        where.append(cases.c.case_type_id.in_(types))
    if shape.overdue:
        # Matches the partial index ix_cases_unit_open_due (status <> 'closed').
        where += [cases.c.status != "closed", cases.c.due_at < func.now()]
    if shape.updated_before:
        where.append(cases.c.updated_at < bindparam("updated_before"))
    if shape.updated_after:
        where.append(cases.c.updated_at > bindparam("updated_after"))
    return where


def _page_terms(shape: Shape) -> Any:
    """(unit_id, created_at, id) columns → the unit and the keyset bound on them."""

    def terms(unit_id: Any, created_at: Any, case_id: Any) -> list[Any]:
        out = [unit_id == bindparam("unit_id")]
        if shape.after:
            bound = (
                bindparam("after_at", type_=cases.c.created_at.type),
                bindparam("after_id", type_=cases.c.id.type),
            )
            out.append(tuple_(created_at, case_id) < tuple_(*bound))
        return out

    return terms


NEWEST_FIRST = (cases.c.created_at.desc(), cases.c.id.desc())


@dataclass(frozen=True, slots=True)
class Shape:
    """Which filters a list request uses, and its page size: one compiled statement per shape
    (a few dozen occur), so a request only supplies values. The row limit is written into the
    SQL: with `LIMIT $n` PostgreSQL's generic plan assumes a tenth of the table and loses to
    custom plans, which it then plans afresh on every execution (bench/analysis.md)."""

    scoped: bool
    personal_number: bool
    status: bool
    assignee_staff_id: bool
    assignee_group_id: bool
    case_type_id: bool
    category: bool
    overdue: bool
    updated_before: bool
    updated_after: bool
    after: bool
    rows: int


def _list_statement(shape: Shape) -> Prepared:
    filters, page_terms = _filters(shape), _page_terms(shape)
    stmt = select(*PAGE_COLS)
    if shape.scoped:
        # A handler's page: the newest `rows` of each way they reach cases (case_reach.py),
        # each branch an index scan with its own LIMIT, merged and cut to `rows`.
        staff_id = bindparam("scope_staff_id", type_=staff.c.id.type)
        branches = case_reach.branches(staff_id, page_terms, filters, _rows(shape))
        merged = union(*branches).subquery("reach")
        page = (
            select(merged.c.id)
            .order_by(merged.c.created_at.desc(), merged.c.id.desc())
            .limit(_rows(shape))
            .subquery("page")
        )
        stmt = stmt.join_from(cases, page, page.c.id == cases.c.id)
    else:
        stmt = stmt.where(*page_terms(cases.c.unit_id, cases.c.created_at, cases.c.id), *filters)
    return Prepared(_with_list_event(shape, stmt.order_by(*NEWEST_FIRST).limit(_rows(shape))))


def _rows(shape: Shape) -> Any:
    """The page size written into the SQL, not bound: with `LIMIT $n` a generic plan does not know
    the page is small and may hash-join whole tables (50 ms a page at 1 M cases, not 1 ms)."""
    return literal_column(str(int(shape.rows)), Integer)


def _with_list_event(shape: Shape, page: Any) -> Any:
    """The page's PDL event, inserted by the page's own statement (list_audit.py): the inbox's
    one addition to the page read, kept apart from how the page is found."""
    return list_audit.audited_page(
        page,
        lambda rows: (rows.c.created_at.desc(), rows.c.id.desc()),
        action=AuditAction.CASE_LIST_SEARCH if shape.personal_number else AuditAction.CASE_LIST_READ,
        staff_id=bindparam("viewer_staff_id", type_=staff.c.id.type),
        staff_hsa_id=bindparam("viewer_hsa_id", type_=staff.c.hsa_id.type),
        unit_id=bindparam("unit_id", type_=cases.c.unit_id.type),
        shown=shape.rows - 1,
        searched=bindparam("personal_number", type_=citizens.c.personal_number.type)
        if shape.personal_number
        else None,
    )


_LISTS: dict[Shape, Prepared] = {}

# The page's plan is the same for every unit, but PostgreSQL weighs the generic plan by an
# average unit's size and a big clinic's custom plan by its own: the custom plan always looks
# cheaper, so it is planned afresh on every request (~1.6 ms of planning against ~0.1 ms of
# execution at 100 k cases). For the rest of the request's transaction (the page, its names, an
# audit insert: look-ups by key) the cached generic plan is used instead (bench/analysis.md); set
# per transaction, so no other request is affected. Not for the updated_before / updated_after
# ranges, whose best index depends on how wide the range is, and not for a handler's merged
# page: its generic plan reads the assigned branches through a BitmapAnd with the unit's whole
# index (24 ms against 8 ms custom at 100 k; bench/analysis.md).
_GENERIC_PLANS = Prepared(select(func.set_config("plan_cache_mode", "force_generic_plan", True)))


async def list_cases(
    conn: AsyncConnection,
    unit_id: UUID,
    f: CaseFilters,
    *,
    reach: CaseReach,
    viewer: tuple[UUID, str],
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> Sequence[NamedRow]:
    """Newest first, keyset on (created_at, id), limit + 1 rows (the extra one says "more"),
    among the cases within `reach`: PAGE_COLS, the names by `page_names`. The same statement logs
    the page for `viewer` (staff id, HSA-id): one PDL event naming the citizens of the `limit`
    rows shown."""
    shape = Shape(
        not reach.sees_all,
        f.personal_number is not None,
        f.status is not None,
        f.assignee_staff_id is not None,
        f.assignee_group_id is not None,
        f.case_type_id is not None,
        f.category is not None,
        f.overdue,
        f.updated_before is not None,
        f.updated_after is not None,
        after is not None,
        limit + 1,
    )
    stmt = _LISTS.get(shape)
    if stmt is None:
        stmt = _LISTS[shape] = _list_statement(shape)
    after_at, after_id = after if after is not None else (None, None)
    if not (shape.scoped or shape.updated_before or shape.updated_after):
        await _GENERIC_PLANS.rows(conn)
    return await stmt.named(
        conn,
        unit_id=unit_id,
        personal_number=f.personal_number,
        status=f.status,
        assignee_staff_id=f.assignee_staff_id,
        assignee_group_id=f.assignee_group_id,
        case_type_id=f.case_type_id,
        category=f.category,
        updated_before=f.updated_before,
        updated_after=f.updated_after,
        after_at=after_at,
        after_id=after_id,
        scope_staff_id=reach.staff_id,
        viewer_staff_id=viewer[0],
        viewer_hsa_id=viewer[1],
    )


def _uuids(name: str) -> Any:
    return bindparam(name, type_=ARRAY(PgUUID(as_uuid=True)))


# One row per distinct citizen, case type, assignee and group of a page: (kind, id, a, b, c,
# protected). Each branch reads its table's primary key with `= ANY(array)`.
_NULL = null()
_NAMES = Prepared(
    union_all(
        select(
            literal_column("'c'").label("kind"),
            citizens.c.id,
            citizens.c.personal_number.label("a"),
            citizens.c.given_name.label("b"),
            citizens.c.family_name.label("c"),
            citizens.c.protected_identity.label("protected"),
        ).where(citizens.c.id == any_(_uuids("citizen_ids"))),
        select(
            literal_column("'t'"), case_types.c.id, case_types.c.name, case_types.c.category, _NULL, _NULL
        ).where(case_types.c.id == any_(_uuids("case_type_ids"))),
        select(
            literal_column("'s'"), staff.c.id, _NULL, staff.c.given_name, staff.c.family_name, _NULL
        ).where(staff.c.id == any_(_uuids("staff_ids"))),
        select(literal_column("'g'"), groups.c.id, groups.c.name, _NULL, _NULL, _NULL).where(
            groups.c.id == any_(_uuids("group_ids"))
        ),
    )
)


@dataclass(frozen=True, slots=True)
class PageNames:
    """What a page shows by id: citizen → (personal number, given, family, protected), case type
    → (name, category), staff → (given, family), group → name."""

    citizens: dict[UUID, tuple[str, str | None, str | None, bool]]
    case_types: dict[UUID, tuple[str, str]]
    staff: dict[UUID, tuple[str | None, str | None]]
    groups: dict[UUID, str]


async def page_names(conn: AsyncConnection, rows: Sequence[NamedRow]) -> PageNames:
    names = PageNames({}, {}, {}, {})
    if not rows:
        return names
    found = await _NAMES.named(
        conn,
        citizen_ids=list({r["citizen_id"] for r in rows}),
        case_type_ids=list({r["case_type_id"] for r in rows if r["case_type_id"] is not None}),
        staff_ids=list({r["assignee_staff_id"] for r in rows if r["assignee_staff_id"] is not None}),
        group_ids=list({r["assignee_group_id"] for r in rows if r["assignee_group_id"] is not None}),
    )
    for n in found:
        kind = n["kind"]
        if kind == "c":
            names.citizens[n["id"]] = (n["a"], n["b"], n["c"], n["protected"])
        elif kind == "t":
            names.case_types[n["id"]] = (n["a"], n["b"])
        elif kind == "s":
            names.staff[n["id"]] = (n["b"], n["c"])
        else:
            names.groups[n["id"]] = n["a"]
    return names


_SUMMARY = Prepared(
    _summary_select().where(cases.c.id == bindparam("case_id"), cases.c.unit_id == bindparam("unit_id"))
)


async def summary(conn: AsyncConnection, unit_id: UUID, case_id: UUID) -> NamedRow | None:
    return await _SUMMARY.named_row(conn, case_id=case_id, unit_id=unit_id)
