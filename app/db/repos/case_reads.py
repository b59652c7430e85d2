"""Reading cases for staff: the inbox page and a case's summary (the full case: case_view.py).

The page is one SELECT with the case type, citizen and assignee names joined in and only the
summary columns selected, each under a label of its own (`SUMMARY_COLS`), so the service reads
the rows by name without per-row lookups. Every filter has an index (tables.py / migrations);
a handler's rows are limited by the ways of case_reach.py. The page's PDL event is inserted by
the same statement (list_audit.py, `_with_list_event`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Integer, bindparam, func, select, tuple_, union
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


def _conditions(shape: Shape) -> list[Any]:
    """The filters present in `shape` and the keyset bound, as WHERE terms on `cases`, with
    `bindparam`s named after the CaseFilters fields (values come with each call)."""
    where: list[Any] = [cases.c.unit_id == bindparam("unit_id")]
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
    if shape.after:
        bound = (
            bindparam("after_at", type_=cases.c.created_at.type),
            bindparam("after_id", type_=cases.c.id.type),
        )
        where.append(tuple_(cases.c.created_at, cases.c.id) < tuple_(*bound))
    return where


NEWEST_FIRST = (cases.c.created_at.desc(), cases.c.id.desc())


def _handler_page_ids(where: list[Any], n: Any) -> Any:
    """A handler's page of case ids: the newest n of each way they reach cases (case_reach.py),
    each branch an index scan with its own LIMIT, merged and cut to n."""
    staff_id = bindparam("scope_staff_id", type_=staff.c.id.type)
    branches = [b.order_by(*NEWEST_FIRST).limit(n) for b in case_reach.branches(staff_id, where)]
    merged = union(*branches).subquery("reach")
    return (
        select(merged.c.id).order_by(merged.c.created_at.desc(), merged.c.id.desc()).limit(n).subquery("page")
    )


@dataclass(frozen=True, slots=True)
class Shape:
    """Which filters a list request uses: one compiled statement per shape (at most a few
    dozen occur), so a request only supplies values (bench/analysis.md)."""

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


def _list_statement(shape: Shape) -> Prepared:
    where = _conditions(shape)
    n = bindparam("n", type_=Integer)
    stmt = _summary_select()
    if shape.scoped:
        page = _handler_page_ids(where, n)
        stmt = stmt.join(page, page.c.id == cases.c.id)
    else:
        stmt = stmt.where(*where)
    return Prepared(_with_list_event(shape, stmt.order_by(*NEWEST_FIRST).limit(n)))


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
        shown=bindparam("shown", type_=Integer),
        searched=bindparam("personal_number", type_=citizens.c.personal_number.type)
        if shape.personal_number
        else None,
    )


_LISTS: dict[Shape, Prepared] = {}


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
    among the cases within `reach`. The same statement logs the page for `viewer` (staff id,
    HSA-id): one PDL event naming the citizens of the `limit` rows shown."""
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
    )
    stmt = _LISTS.get(shape)
    if stmt is None:
        stmt = _LISTS[shape] = _list_statement(shape)
    after_at, after_id = after if after is not None else (None, None)
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
        n=limit + 1,
        viewer_staff_id=viewer[0],
        viewer_hsa_id=viewer[1],
        shown=limit,
    )


_SUMMARY = Prepared(
    _summary_select().where(cases.c.id == bindparam("case_id"), cases.c.unit_id == bindparam("unit_id"))
)


async def summary(conn: AsyncConnection, unit_id: UUID, case_id: UUID) -> NamedRow | None:
    return await _SUMMARY.named_row(conn, case_id=case_id, unit_id=unit_id)
