"""The SQL of which cases a staff member reaches (the rule: app/domain/reach.py), written once.

Each `Way` is one condition on the rows of its source: `cases` itself, or a table whose
`case_id` leads to the case (case_participants). Everything else is derived from that:

- `branches`: one SELECT of (id, created_at) per way, newest first, for the handler's inbox
  page, which limits and merges them (case_reads.py): each branch is an index scan in page
  order, where one `id IN (every reachable id)` would make the planner hash every case of the
  unit;
- `reached`: the same ways as one condition on a `cases` row (the case view's WHERE and the
  write path's check), a way through another table as an EXISTS;
- the write path: `reaches` before the lock, `claimed_from_my_group` for a lost claim race,
  `their_groups_at` for the aggregate's facts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, assert_never
from uuid import UUID

from sqlalchemy import Select, String, Table, exists, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from app.db.tables import case_events, case_participants, cases, group_members, groups
from app.domain.reach import CaseReach, Way


def member_groups(staff_id: Any, *, as_text: bool = False) -> Select[Any]:
    """The groups a staff member belongs to, as a sub-select (no extra round trip)."""
    group_id = func.cast(group_members.c.group_id, String) if as_text else group_members.c.group_id
    return select(group_id).where(group_members.c.staff_id == staff_id)


def _way(way: Way, staff_id: Any) -> tuple[Table | None, ColumnElement[bool]]:
    """(source, condition): source None = the condition is on `cases` itself; otherwise a
    table whose `case_id` leads to the case and the condition is on its rows."""
    match way:
        case Way.ASSIGNED_TO_THEM:
            return None, cases.c.assignee_staff_id == staff_id
        case Way.ASSIGNED_TO_THEIR_GROUP:
            return None, cases.c.assignee_group_id.in_(member_groups(staff_id))
        case Way.TOOK_PART:
            return case_participants, case_participants.c.staff_id == staff_id
    assert_never(way)


def reached(staff_id: Any) -> ColumnElement[bool]:
    """A `cases` row the staff member reaches by some way."""
    terms = []
    for way in Way:
        source, condition = _way(way, staff_id)
        if source is not None:
            condition = exists().where(source.c.case_id == cases.c.id, condition)
        terms.append(condition)
    return or_(*terms)


def visible(sees_all: Any, staff_id: Any) -> ColumnElement[bool]:
    """A `cases` row within a `CaseReach` given as two values (so a prebuilt statement can take
    them as parameters): everything when `sees_all`, else what `reached` allows."""
    return or_(sees_all, reached(staff_id))


def _page_keys(source: Table | None) -> tuple[Any, Any, Any]:
    """The case's unit_id, created_at and id as the way's source holds them: case_participants
    keeps copies (migration b8d2e6f1a4c9), so a branch through it is read in page order from
    its own index without visiting `cases`."""
    if source is None:
        return cases.c.unit_id, cases.c.created_at, cases.c.id
    return source.c.unit_id, source.c.case_created_at, source.c.case_id


def branches(
    staff_id: Any, page_terms: Callable[[Any, Any, Any], list[Any]], filters: list[Any], rows: Any
) -> list[Select[Any]]:
    """Per way, the (id, created_at) of the newest `rows` cases it reaches: `page_terms(unit_id,
    created_at, id)` (the unit and the keyset bound) apply to the way's own copies of those
    columns, `filters` to `cases` (joined only when there are any)."""
    out = []
    for way in Way:
        if way is Way.ASSIGNED_TO_THEIR_GROUP:
            out.append(_group_branch(staff_id, page_terms, filters, rows))
            continue
        source, condition = _way(way, staff_id)
        unit_id, created_at, case_id = _page_keys(source)
        src: Any = cases if source is None else source
        if source is not None and filters:
            src = source.join(cases, cases.c.id == source.c.case_id)
        out.append(
            select(case_id.label("id"), created_at.label("created_at"))
            .select_from(src)
            .where(condition, *page_terms(unit_id, created_at, case_id), *filters)
            .order_by(created_at.desc(), case_id.desc())
            .limit(rows)
        )
    return out


def _group_branch(
    staff_id: Any, page_terms: Callable[[Any, Any, Any], list[Any]], filters: list[Any], rows: Any
) -> Select[Any]:
    """The group way as one index scan per group (LATERAL, `ix_cases_assignee_group` in page
    order, `rows` each): with `assignee_group_id IN (their groups)` the planner walks the whole
    unit's index and filters (30 ms a page at 1 M cases instead of well under 1)."""
    member = group_members.alias("member")
    per_group = (
        select(cases.c.id, cases.c.created_at)
        .where(
            cases.c.assignee_group_id == member.c.group_id,
            *page_terms(cases.c.unit_id, cases.c.created_at, cases.c.id),
            *filters,
        )
        .order_by(cases.c.created_at.desc(), cases.c.id.desc())
        .limit(rows)
        .correlate(member)  # only to the membership row: `cases` is the lateral's own
        .lateral("per_group")
    )
    return (
        select(per_group.c.id.label("id"), per_group.c.created_at.label("created_at"))
        .select_from(member.join(per_group, true()))
        .where(member.c.staff_id == staff_id)
        .order_by(per_group.c.created_at.desc(), per_group.c.id.desc())
        .limit(rows)
    )


async def reaches(conn: AsyncConnection, unit_id: UUID, case_id: UUID, reach: CaseReach) -> bool:
    """Whether the case is at the unit and within reach, as of before any lock wait: a member
    who lost a claim race reached the case when asking, so they learn it was taken (409), not
    that it vanished. Who sees all needs no query (the lock finds the case or not)."""
    if reach.sees_all:
        return True
    stmt = select(cases.c.id).where(
        cases.c.id == case_id, cases.c.unit_id == unit_id, reached(reach.staff_id)
    )
    return (await conn.execute(stmt)).first() is not None


async def claimed_from_my_group(conn: AsyncConnection, case_id: UUID, staff_id: UUID) -> bool:
    """Whether a colleague just claimed the case from a group this staff member belongs to: the
    claim must be the case's latest event, so a late claimer learns it was taken (409) while a
    case that has since moved on stays out of reach (404)."""
    latest = select(func.max(case_events.c.id)).where(case_events.c.case_id == case_id).scalar_subquery()
    stmt = select(case_events.c.id).where(
        case_events.c.id == latest,
        case_events.c.action == "claimed",
        case_events.c.detail["group_id"].astext.in_(member_groups(staff_id, as_text=True)),
    )
    return (await conn.execute(stmt.limit(1))).first() is not None


def their_groups_at(unit_id: UUID, staff_id: UUID) -> ColumnElement[Any]:
    """The staff member's groups at the unit as an array, NULL (not an empty array) when they
    are in none: what the case aggregate needs to decide a claim."""
    return (
        select(func.array_agg(groups.c.id))
        .where(groups.c.unit_id == unit_id, groups.c.id.in_(member_groups(staff_id)))
        .scalar_subquery()
    )
