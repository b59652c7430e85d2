"""Shared setup for the outbound tests: a clinic with a handler, a receiver and a local admin,
a send through the API, and counts of everything a send writes."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.helpers import API, Clinic, Person, pnr

ROLES = {
    "handler": ["case_handler"],
    "receiver": ["case_receiver"],
    "admin": ["local_admin"],
    "reviewer": ["reviewer"],
}
QUESTIONS: list[dict[str, Any]] = [
    {"key": "feeling", "label": "Hur mår du?", "type": "single_choice", "required": True,
     "options": ["Bra", "Dåligt"]},
    {"key": "fever", "label": "Har du feber?", "type": "yes_no", "required": False, "options": []},
]  # fmt: skip
INFORMATION = {"subject": "Dags för vaccination", "body": "Hej!\nNu kan du boka din vaccination.",
               "kind": "information"}  # fmt: skip
QUESTIONNAIRE = {"subject": "Hälsodeklaration", "body": "Hej!\nSvara gärna före operationen.",
                 "kind": "questions", "questions": QUESTIONS}  # fmt: skip
# What a send writes, counted before and after to prove "nothing created".
TABLES = ("outbound_sends", "cases", "messages", "case_events", "audit_events", "outbox", "citizens")


def url(c: Clinic, tail: str = "") -> str:
    return f"{API}/units/{c.unit_id}/outbound{tail}"


def numbers(n: int, year: int = 1950) -> list[str]:
    """n distinct valid personal numbers (12 digits)."""
    return [pnr(year + i // 900 % 50, 1 + i // 28 % 12, 1 + i % 28, i % 1000) for i in range(n)]


async def send(
    client: httpx.AsyncClient, c: Clinic, who: Person, recipients: list[str], expect: int = 201, **body: Any
) -> httpx.Response:
    content = body or INFORMATION
    r = await client.post(url(c), headers=who.headers, json={"recipients": recipients, **content})
    assert r.status_code == expect, r.text
    return r


async def counts(conn: AsyncConnection) -> dict[str, int]:
    out = {}
    for table in TABLES:
        out[table] = (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return out
