"""An access that cannot be logged does not happen (domain.md "Audit (PDL)": the audit event is
written in the same transaction as the access). When the audit insert fails, a case change is
rolled back whole (status, version, message, notification, case event) and a case read returns
no case content; the caller gets an RFC 9457 problem (the server's fault: 500 internal-error,
no stack trace), and the same request goes through once the log takes writes again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.clinic import API, make_clinic

# Both rolled back with the test's transaction.
_REFUSE = (
    "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'the audit log takes no writes (test)'; END $$",
    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events"
    " FOR EACH ROW WHEN (NEW.case_id = '{case}') EXECUTE FUNCTION test_refuse_audit()",
)

_STATE = text(
    "SELECT c.status, c.version, c.closure, c.closed_at, c.unread_by_citizen,"
    " (SELECT count(*) FROM messages m WHERE m.case_id = c.id),"
    " (SELECT count(*) FROM case_events e WHERE e.case_id = c.id),"
    " (SELECT count(*) FROM audit_events a WHERE a.case_id = c.id),"
    " (SELECT count(*) FROM outbox o WHERE o.payload ->> 'case_id' = c.id::text)"
    " FROM cases c WHERE c.id = :c"
)

SUBJECT = "Förnya recept mot eksem"

# method, path under the case, body, status once the log takes writes again
REQUESTS: dict[str, tuple[str, str, Any, int]] = {
    "answer": ("POST", "/messages", {"kind": "answer", "body": "Receptet är förnyat."}, 201),
    "close": ("POST", "/close", {"reason": "closed_without_answer"}, 200),
    "read": ("GET", "", None, 200),
}


async def _state(conn: AsyncConnection, case: UUID) -> tuple[Any, ...]:
    return tuple((await conn.execute(_STATE, {"c": case})).one())


@pytest.mark.parametrize("request_name", sorted(REQUESTS))
async def test_a_failed_audit_insert_leaves_no_trace(
    client: httpx.AsyncClient, conn: AsyncConnection, request_name: str
) -> None:
    method, tail, body, success = REQUESTS[request_name]
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    handler = clinic["h"]
    citizen, _ = await add_citizen(conn, email="sven@example.se", notify_by_email=True)
    case = await add_case(
        conn, clinic.unit_id, citizen, status="assigned", assignee_staff_id=handler.staff_id, subject=SUBJECT
    )
    before = await _state(conn, case)
    assert before[:2] == ("assigned", 1)
    for statement in _REFUSE:
        await conn.exec_driver_sql(statement.format(case=case))
    url = f"{API}/units/{clinic.unit_id}/cases/{case}{tail}"

    r = await client.request(method, url, headers=handler.headers, json=body)
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert set(problem) == {"type", "title", "status", "detail"} and problem["type"].endswith(
        "/internal-error"
    )
    assert "audit" not in r.text and "Traceback" not in r.text and SUBJECT not in r.text
    assert r.headers["x-request-id"]
    assert await _state(conn, case) == before

    await conn.exec_driver_sql("DROP TRIGGER test_refuse_audit ON audit_events")
    r = await client.request(method, url, headers=handler.headers, json=body)
    assert r.status_code == success, r.text
    after = await _state(conn, case)
    assert after[7] == before[7] + 1  # now the access is logged
    if method == "POST":
        assert after[1] == 2  # and the change made
