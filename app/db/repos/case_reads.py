"""Reading cases for staff: the inbox page and the full case, each in one statement.

The page is one SELECT with the case type, citizen and assignee names joined in and only the
summary columns selected; rows come back as tuples in `SUMMARY_COLS` order so the service can
shape them without per-row lookups. Every filter has an index (tables.py / migrations).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Integer, bindparam, func, insert, select, text, tuple_, union
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.repos.cases import my_group_ids
from app.db.tables import audit_events, case_participants, case_types, cases, citizens, groups, staff
from app.domain.audit import AuditAction

SUMMARY_COLS = (
    cases.c.id,
    cases.c.reference,
    cases.c.status,
    cases.c.origin,
    cases.c.subject,
    cases.c.case_type_id,
    case_types.c.name,
    case_types.c.category,
    citizens.c.personal_number,
    citizens.c.given_name,
    citizens.c.family_name,
    citizens.c.protected_identity,
    cases.c.assignee_staff_id,
    staff.c.given_name,
    staff.c.family_name,
    cases.c.assignee_group_id,
    groups.c.name,
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


def _summary_select() -> Any:
    return (
        select(*SUMMARY_COLS)
        .select_from(cases)
        .join(citizens, citizens.c.id == cases.c.citizen_id)
        .outerjoin(case_types, case_types.c.id == cases.c.case_type_id)
        .outerjoin(staff, staff.c.id == cases.c.assignee_staff_id)
        .outerjoin(groups, groups.c.id == cases.c.assignee_group_id)
    )


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
    """A handler's page of case ids: the newest n of each way they reach cases (assigned to
    them, to their groups, taken part in), each branch an index scan with its own LIMIT, merged.
    An `id IN (all reachable ids)` would make the planner hash every case of the unit."""
    staff_id = bindparam("scope_staff_id", type_=staff.c.id.type)
    mine = select(cases.c.id, cases.c.created_at).where(cases.c.assignee_staff_id == staff_id, *where)
    groups_ = select(cases.c.id, cases.c.created_at).where(
        cases.c.assignee_group_id.in_(my_group_ids(cast(UUID, staff_id))), *where
    )
    took_part = (
        select(cases.c.id, cases.c.created_at)
        .select_from(case_participants.join(cases, cases.c.id == case_participants.c.case_id))
        .where(case_participants.c.staff_id == staff_id, *where)
    )
    branches = [b.order_by(*NEWEST_FIRST).limit(n) for b in (mine, groups_, took_part)]
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
    return Prepared(stmt.order_by(*NEWEST_FIRST).limit(n))


_LISTS: dict[Shape, Prepared] = {}


async def list_cases(
    conn: AsyncConnection,
    unit_id: UUID,
    f: CaseFilters,
    *,
    scope_staff_id: UUID | None,
    limit: int,
    after: tuple[datetime, UUID] | None,
) -> list[Sequence[Any]]:
    """Newest first, keyset on (created_at, id), limit + 1 rows (the extra one says "more").
    `scope_staff_id` None = every case of the unit."""
    shape = Shape(
        scope_staff_id is not None,
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
    rows = await stmt.rows(
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
        scope_staff_id=scope_staff_id,
        n=limit + 1,
    )
    return list(rows)


_SUMMARY = Prepared(
    _summary_select().where(cases.c.id == bindparam("case_id"), cases.c.unit_id == bindparam("unit_id"))
)


async def summary(conn: AsyncConnection, unit_id: UUID, case_id: UUID) -> Sequence[Any] | None:
    return await _SUMMARY.row(conn, case_id=case_id, unit_id=unit_id)


# The full case in one round trip: the summary columns plus messages, notes and events as JSON
# arrays built by PostgreSQL. Timestamps inside JSON are rendered as RFC 3339 UTC here, since
# json_build_object would use the session's time zone.
_DETAIL_SQL = """
SELECT
  c.id, c.reference, c.status, c.origin, c.subject, c.case_type_id, ct.name, ct.category,
  ci.personal_number, ci.given_name, ci.family_name, ci.protected_identity,
  c.assignee_staff_id, s.given_name, s.family_name, c.assignee_group_id, g.name,
  c.created_at, c.due_at, c.closed_at, c.closure, c.unread_by_citizen, c.version,
  c.form, c.answers, u.hsa_id AS unit_hsa_id,
  (SELECT coalesce(json_agg(json_build_object(
      'id', m.id, 'kind', m.kind, 'body', m.body, 'answers', m.answers,
      'author', json_build_object(
          'type', m.author_type, 'staff_id', m.author_staff_id,
          'display_name', coalesce(m.author_staff_name, m.author_display_name),
          'citizen_facing_name', m.author_display_name),
      'created_at', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'read_at', to_char(m.read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
      'attachments', (SELECT coalesce(json_agg(json_build_object(
            'id', a.id, 'filename', a.filename, 'content_type', a.content_type, 'size', a.size)
            ORDER BY a.created_at, a.id), '[]'::json)
          FROM attachments a WHERE a.message_id = m.id)
    ) ORDER BY m.created_at, m.id), '[]'::json)
   FROM messages m WHERE m.case_id = c.id) AS messages,
  (SELECT coalesce(json_agg(json_build_object(
      'id', n.id, 'body', n.body,
      'author', json_build_object('staff_id', n.author_staff_id,
                                  'name', concat_ws(' ', ns.given_name, ns.family_name)),
      'created_at', to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    ) ORDER BY n.created_at, n.id), '[]'::json)
   FROM case_notes n JOIN staff ns ON ns.id = n.author_staff_id WHERE n.case_id = c.id) AS notes,
  (SELECT coalesce(json_agg(json_build_object(
      'id', e.id, 'action', e.action,
      'actor', json_build_object('type', e.actor_type, 'staff_id', e.actor_staff_id,
                                 'name', CASE WHEN es.id IS NULL THEN NULL
                                         ELSE concat_ws(' ', es.given_name, es.family_name) END),
      'from_status', e.from_status, 'to_status', e.to_status, 'detail', e.detail,
      'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    ) ORDER BY e.id), '[]'::json)
   FROM case_events e LEFT JOIN staff es ON es.id = e.actor_staff_id WHERE e.case_id = c.id) AS events
FROM cases c
JOIN citizens ci ON ci.id = c.citizen_id
JOIN units u ON u.id = c.unit_id
LEFT JOIN case_types ct ON ct.id = c.case_type_id
LEFT JOIN staff s ON s.id = c.assignee_staff_id
LEFT JOIN groups g ON g.id = c.assignee_group_id
WHERE c.id = :case_id AND c.unit_id = :unit_id
  AND (:sees_all
       OR c.assignee_staff_id = :staff_id
       OR c.assignee_group_id IN (SELECT gm.group_id FROM group_members gm WHERE gm.staff_id = :staff_id)
       OR EXISTS (SELECT 1 FROM case_participants p WHERE p.case_id = c.id AND p.staff_id = :staff_id))
"""
_DETAIL = Prepared(text(_DETAIL_SQL))


async def detail(
    conn: AsyncConnection, unit_id: UUID, case_id: UUID, staff_id: UUID, sees_all: bool
) -> Sequence[Any] | None:
    """None when the case is not at the unit or out of a handler's reach (→ 404)."""
    return await _DETAIL.row(conn, case_id=case_id, unit_id=unit_id, staff_id=staff_id, sees_all=sees_all)


# The PDL event of a case view, as audit.record writes it, compiled once (the case view is a
# hot path; audit.record builds its INSERT per call).
_CASE_READ_AUDIT = Prepared(
    insert(audit_events).values(
        staff_id=bindparam("staff_id"),
        staff_hsa_id=bindparam("staff_hsa_id"),
        unit_id=bindparam("unit_id"),
        unit_hsa_id=bindparam("unit_hsa_id"),
        action=AuditAction.CASE_READ.value,
        personal_number=bindparam("personal_number"),
        case_id=bindparam("case_id"),
        outcome="success",
        detail={},
    )
)


async def record_case_read(
    conn: AsyncConnection,
    *,
    staff_id: UUID,
    staff_hsa_id: str,
    unit_id: UUID,
    unit_hsa_id: str,
    personal_number: str | None,
    case_id: UUID,
) -> None:
    await _CASE_READ_AUDIT.rows(
        conn,
        staff_id=staff_id,
        staff_hsa_id=staff_hsa_id,
        unit_id=unit_id,
        unit_hsa_id=unit_hsa_id,
        personal_number=personal_number,
        case_id=case_id,
    )
