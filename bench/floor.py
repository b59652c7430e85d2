"""The floor of each hot path: a hand-written best case through raw asyncpg.

The replay (capture.py) sends the app's own SQL, so it cannot see SQL that is itself expensive.
A floor sends the smallest SQL that returns the same data, written by hand, and encodes the
answer with the app's JSON encoder (orjson, same options), in one transaction per request like
the app. Every floor starts with the actor's query (app/db/repos/actors.py): reading who asks,
their roles and whether the token was revoked is part of every request's work, not overhead.

- inbox pages (first, filtered, the handler's merged page, a personal-number search): the page
  from `cases` alone by its index, then one batched look-up of the page's distinct citizens,
  case types, staff and groups; the search adds its PDL audit insert;
- case view: the case with its names and its messages, notes and events as JSON aggregates in
  one statement, then its PDL audit insert;
- case creation and outbound: the app's own writes are already one set-based statement each
  (with the load before it); the floor sends only the actor's query, the load and that statement
  (no rate-limit count, no idempotency, no other reads), and encodes the answer.

The inbox's PDL event per page (one insert naming the personal numbers shown) is part of the
floor too, as the app writes it in the page's own statement.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import orjson

from app.db.repos import actors
from bench.capture import Replay

_OPTS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
PAGE = 50

_PAGE_COLS = (
    "id, reference, status, origin, subject, case_type_id, citizen_id, assignee_staff_id, "
    "assignee_group_id, created_at, due_at, closed_at, closure, unread_by_citizen, version"
)
INBOX = f"""SELECT {_PAGE_COLS} FROM cases WHERE unit_id = $1
ORDER BY created_at DESC, id DESC LIMIT {PAGE + 1}"""
FILTERED = f"""SELECT {_PAGE_COLS} FROM cases WHERE unit_id = $1 AND status = $2
ORDER BY created_at DESC, id DESC LIMIT {PAGE + 1}"""
SEARCH = f"""SELECT {_PAGE_COLS} FROM cases
WHERE citizen_id = (SELECT id FROM citizens WHERE personal_number = $2) AND unit_id = $1
ORDER BY created_at DESC, id DESC LIMIT {PAGE + 1}"""
HANDLER = f"""SELECT {_PAGE_COLS} FROM cases WHERE id IN (
  SELECT id FROM (
    (SELECT id, created_at FROM cases WHERE assignee_staff_id = $2 AND unit_id = $1
     ORDER BY created_at DESC, id DESC LIMIT {PAGE + 1})
    UNION
    (SELECT g.id, g.created_at FROM group_members m CROSS JOIN LATERAL (
       SELECT id, created_at FROM cases WHERE assignee_group_id = m.group_id AND unit_id = $1
       ORDER BY created_at DESC, id DESC LIMIT {PAGE + 1}) g
     WHERE m.staff_id = $2 ORDER BY g.created_at DESC, g.id DESC LIMIT {PAGE + 1})
    UNION
    (SELECT case_id, case_created_at FROM case_participants WHERE staff_id = $2 AND unit_id = $1
     ORDER BY case_created_at DESC, case_id DESC LIMIT {PAGE + 1})
  ) r ORDER BY created_at DESC, id DESC LIMIT {PAGE + 1})
ORDER BY created_at DESC, id DESC"""
NAMES = """SELECT 'c' AS kind, id, personal_number AS a, given_name AS b, family_name AS c,
       protected_identity AS p FROM citizens WHERE id = ANY($1::uuid[])
UNION ALL SELECT 't', id, name, category, NULL, NULL FROM case_types WHERE id = ANY($2::uuid[])
UNION ALL SELECT 's', id, NULL, given_name, family_name, NULL FROM staff WHERE id = ANY($3::uuid[])
UNION ALL SELECT 'g', id, name, NULL, NULL, NULL FROM groups WHERE id = ANY($4::uuid[])"""
AUDIT = """INSERT INTO audit_events (staff_id, staff_hsa_id, unit_id, unit_hsa_id, action,
  personal_number, case_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, 'success', $8::jsonb)"""
PAGE_AUDIT = """INSERT INTO audit_events (staff_id, staff_hsa_id, unit_id, unit_hsa_id, action,
  personal_numbers, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, 'success', $7::jsonb)"""
VIEW = """SELECT c.id, c.reference, c.status, c.origin, c.subject, c.case_type_id, t.name AS type_name,
  t.category, z.personal_number, z.given_name AS cg, z.family_name AS cf, z.protected_identity,
  c.assignee_staff_id, s.given_name AS sg, s.family_name AS sf, c.assignee_group_id,
  g.name AS group_name, c.created_at, c.due_at, c.closed_at, c.closure, c.unread_by_citizen,
  c.version, c.form, c.answers, u.hsa_id AS unit_hsa_id,
  (SELECT coalesce(json_agg(json_build_object('id', m.id, 'kind', m.kind, 'body', m.body,
     'answers', m.answers, 'author', json_build_object('type', m.author_type,
     'staff_id', m.author_staff_id, 'display_name', coalesce(m.author_staff_name, m.author_display_name),
     'citizen_facing_name', m.author_display_name),
     'created_at', to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
     'read_at', to_char(m.read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
     'attachments', '[]'::json) ORDER BY m.created_at, m.id), '[]'::json)
   FROM messages m WHERE m.case_id = c.id) AS messages,
  (SELECT coalesce(json_agg(json_build_object('id', n.id, 'body', n.body,
     'author', json_build_object('staff_id', n.author_staff_id),
     'created_at', to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
     ORDER BY n.created_at, n.id), '[]'::json) FROM case_notes n WHERE n.case_id = c.id) AS notes,
  (SELECT coalesce(json_agg(json_build_object('id', e.id, 'action', e.action,
     'actor', json_build_object('type', e.actor_type, 'staff_id', e.actor_staff_id),
     'from_status', e.from_status, 'to_status', e.to_status, 'detail', e.detail,
     'created_at', to_char(e.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
     ORDER BY e.id), '[]'::json) FROM case_events e WHERE e.case_id = c.id) AS events
FROM cases c JOIN citizens z ON z.id = c.citizen_id JOIN units u ON u.id = c.unit_id
LEFT JOIN case_types t ON t.id = c.case_type_id LEFT JOIN staff s ON s.id = c.assignee_staff_id
LEFT JOIN groups g ON g.id = c.assignee_group_id
WHERE c.id = $1 AND c.unit_id = $2"""


def _name(given: str | None, family: str | None) -> str:
    return " ".join(p for p in (given, family) if p)


async def _names(conn: asyncpg.Connection, rows: list[Any]) -> dict[tuple[str, UUID], Any]:
    found = await conn.fetch(
        NAMES,
        list({r["citizen_id"] for r in rows}),
        list({r["case_type_id"] for r in rows if r["case_type_id"]}),
        list({r["assignee_staff_id"] for r in rows if r["assignee_staff_id"]}),
        list({r["assignee_group_id"] for r in rows if r["assignee_group_id"]}),
    )
    return {(n["kind"], n["id"]): n for n in found}


def _page(rows: list[Any], names: dict[tuple[str, UUID], Any]) -> bytes:
    items = []
    for r in rows[:PAGE]:
        citizen = names[("c", r["citizen_id"])]
        t = names.get(("t", r["case_type_id"]))
        if r["assignee_group_id"]:
            assignee: Any = {
                "type": "group",
                "id": r["assignee_group_id"],
                "name": names[("g", r["assignee_group_id"])]["a"],
            }
        elif r["assignee_staff_id"]:
            s = names[("s", r["assignee_staff_id"])]
            assignee = {"type": "staff", "id": r["assignee_staff_id"], "name": _name(s["b"], s["c"])}
        else:
            assignee = None
        items.append(
            {
                "id": r["id"],
                "reference": r["reference"],
                "status": r["status"],
                "origin": r["origin"],
                "subject": r["subject"],
                "case_type": {"id": r["case_type_id"], "name": t["a"], "category": t["b"]} if t else None,
                "citizen": {
                    "personal_number": citizen["a"],
                    "name": _name(citizen["b"], citizen["c"]),
                    "protected_identity": citizen["p"],
                },
                "assignee": assignee,
                "created_at": r["created_at"],
                "due_at": r["due_at"],
                "closed_at": r["closed_at"],
                "closure": r["closure"],
                "unread_by_citizen": r["unread_by_citizen"],
                "version": r["version"],
            }
        )
    more = "cursor" if len(rows) > PAGE else None
    return orjson.dumps({"items": items, "next_cursor": more}, default=str, option=_OPTS)


@dataclass(frozen=True)
class Who:
    """The actor as the floor's first statement reads them, and the audit's fixed facts."""

    staff_id: UUID
    staff_hsa_id: str
    token_id: UUID
    unit_id: UUID
    unit_hsa_id: str


async def _actor(conn: asyncpg.Connection, who: Who) -> None:
    # The app's own prebuilt actor query, its arguments placed as the app places them.
    query = actors._STAFF
    rows = await conn.fetch(query.sql, *query.args({"staff_id": who.staff_id, "token_id": who.token_id}))
    assert rows, "the bench's staff member is missing"


Floor = Callable[[asyncpg.Pool, int], Awaitable[bool]]


def inbox(who: Who, *, status: str | None = None, audit: bool = False) -> Floor:
    async def run(pool: asyncpg.Pool, n: int) -> bool:
        async with pool.acquire() as conn, conn.transaction():
            await _actor(conn, who)
            if status is None:
                rows = await conn.fetch(INBOX, who.unit_id)
            else:
                rows = await conn.fetch(FILTERED, who.unit_id, status)
            names = await _names(conn, rows)
            body = _page(rows, names)
            if audit:
                await _page_audit(conn, who, rows, names)
        return bool(body)

    return run


def handler_page(who: Who, *, audit: bool = False) -> Floor:
    async def run(pool: asyncpg.Pool, n: int) -> bool:
        async with pool.acquire() as conn, conn.transaction():
            await _actor(conn, who)
            rows = await conn.fetch(HANDLER, who.unit_id, who.staff_id)
            names = await _names(conn, rows)
            body = _page(rows, names)
            if audit:
                await _page_audit(conn, who, rows, names)
        return bool(body)

    return run


async def _page_audit(
    conn: asyncpg.Connection, who: Who, rows: list[Any], names: dict[tuple[str, UUID], Any]
) -> None:
    """One PDL event for a page, naming the personal numbers shown, as the app writes it: the
    numbers come from the names already read, so the floor pays only the insert."""
    shown = rows[:PAGE]
    if not shown:
        return
    pnrs = sorted({names[("c", r["citizen_id"])]["a"] for r in shown})
    await conn.execute(
        PAGE_AUDIT,
        who.staff_id,
        who.staff_hsa_id,
        who.unit_id,
        who.unit_hsa_id,
        "case_list_read",
        pnrs,
        orjson.dumps({"result_count": len(shown)}).decode(),
    )


def search(who: Who, personal_numbers: list[str]) -> Floor:
    async def run(pool: asyncpg.Pool, n: int) -> bool:
        pnr = personal_numbers[n % len(personal_numbers)]
        async with pool.acquire() as conn, conn.transaction():
            await _actor(conn, who)
            rows = await conn.fetch(SEARCH, who.unit_id, pnr)
            body = _page(rows, await _names(conn, rows))
            detail = orjson.dumps({"result_count": min(len(rows), PAGE)}).decode()
            await conn.execute(
                AUDIT, who.staff_id, who.staff_hsa_id, who.unit_id, who.unit_hsa_id,
                "case_list_search", pnr, None, detail,
            )  # fmt: skip
        return bool(body)

    return run


def case_view(who: Who, case_ids: list[UUID]) -> Floor:
    async def run(pool: asyncpg.Pool, n: int) -> bool:
        case_id = case_ids[n % len(case_ids)]
        async with pool.acquire() as conn, conn.transaction():
            await _actor(conn, who)
            r = await conn.fetchrow(VIEW, case_id, who.unit_id)
            assert r is not None
            out = dict(r)  # messages, notes, events: decoded by the pool's JSON codec, as in the app
            body = orjson.dumps(out, default=str, option=_OPTS)
            await conn.execute(
                AUDIT, who.staff_id, who.staff_hsa_id, who.unit_id, r["unit_hsa_id"],
                "case_read", r["personal_number"], case_id, "{}",
            )  # fmt: skip
        return bool(body)

    return run


def writes(replay: Replay, keep: Callable[[str], bool]) -> Floor:
    """A write path's floor: of the app's captured statements only those `keep` accepts (the
    actor's query, the load, the one set-based write), replayed with the same substitutions,
    and the answer encoded."""
    kept = [i for i, (sql, _) in enumerate(replay.statements) if keep(sql)]

    async def run(pool: asyncpg.Pool, n: int) -> bool:
        params = replay.params(n)
        async with pool.acquire() as conn, conn.transaction():
            last: Any = None
            for i in kept:
                last = await conn.fetch(replay.statements[i][0], *params[i])
        return bool(orjson.dumps([dict(r) for r in last], default=str, option=_OPTS))

    return run
