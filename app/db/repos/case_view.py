"""The full case for staff, in one statement, and the PDL event its view writes.

Both are compiled once (app/db/prepared.py): the case view is a hot path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, insert, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.tables import audit_events
from app.domain.audit import AuditAction

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
          FROM attachments a WHERE a.message_id = m.id
            -- an outbound send's files: stored once, shown with each case's first message
            OR (m.kind IN ('information', 'questions') AND a.outbound_id = c.outbound_id))
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
