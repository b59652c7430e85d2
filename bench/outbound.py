"""Issue 10 in the bench: an outbound send to 250 citizens and a quarter's statistics.

The send is measured one at a time (its own concurrency of 1): the figure to watch is its server
time for 250 recipients (target ≤ 100 ms at a million cases), and a mass send is a rare,
deliberate act, not a request a clinic's staff fire eight at once. Its replay sends the app's own
statements (rate-limit count, load, new citizens, the send) with fresh ids and references.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx

from app.domain.identifiers import luhn_ok
from app.identity.tokens import TokenService
from bench.seed import BenchIds

API = "/api/v1"
RECIPIENTS = 250


def _personal_numbers(n: int) -> list[str]:
    """n valid personal numbers (born 1940 onwards, one a day), as citizens would be written."""
    out: list[str] = []
    day = date(1940, 1, 1)
    while len(out) < n:
        stem = day.strftime("%y%m%d") + "123"
        check = next(d for d in "0123456789" if luhn_ok(stem + d))
        out.append(day.strftime("%Y%m%d") + "123" + check)
        day += timedelta(days=1)
    return out


def _send_substitutions(run_tag: str) -> Any:
    def build(r: httpx.Response, statements: list[tuple[str, tuple[Any, ...]]]) -> Any:
        body = r.json()
        case_ids = [UUID(i) for i in body["case_ids"]]
        # The message ids and case references travel only in the send's own statement.
        (params,) = [p for sql, p in statements if "INSERT INTO outbound_sends" in sql]
        arrays = [p for p in params if isinstance(p, list) and len(p) == len(case_ids)]
        (message_ids,) = [a for a in arrays if isinstance(a[0], UUID) and a != case_ids]
        (references,) = [a for a in arrays if isinstance(a[0], str) and "-" in a[0]]

        def subs(n: int) -> dict[Any, Any]:
            out: dict[Any, Any] = {UUID(body["id"]): uuid4()}
            out.update({c: uuid4() for c in case_ids})
            out.update({m: uuid4() for m in message_ids})
            out.update({ref: f"O{run_tag}{n:08d}{i:03d}" for i, ref in enumerate(references)})
            return out

        return subs

    return build


def _send_essential(sql: str) -> bool:
    """The actor's query and the one statement that writes everything a send creates."""
    return sql.lstrip().upper().startswith("SELECT STAFF.HSA_ID") or "INSERT INTO outbound_sends" in sql


def outbound_paths(ids: BenchIds, tokens: TokenService, run_tag: str) -> list[Any]:
    from bench import floor
    from bench.paths import HotPath

    handler = {"Authorization": f"Bearer {tokens.issue('staff', ids.handler[0])}"}
    receiver = {"Authorization": f"Bearer {tokens.issue('staff', ids.receiver[0])}"}
    recipients = _personal_numbers(RECIPIENTS)
    unit = ids.unit_id

    def send(n: int) -> dict[str, Any]:
        return {
            "recipients": recipients,
            "kind": "information",
            "subject": "Dags för influensavaccination",
            "body": "Hej!\nNu kan du boka tid för influensavaccination på vårdcentralen.",
        }

    today = date.today()
    quarter = f"from={today - timedelta(days=90)}&to={today}"
    return [
        HotPath(
            f"outbound to {RECIPIENTS} citizens (one at a time)",
            "POST",
            lambda n: f"{API}/units/{unit}/outbound",
            lambda n: handler,
            body=send,
            expect=201,
            substitutions=_send_substitutions(run_tag),
            concurrency=1,
            floor=lambda rp: floor.writes(rp, _send_essential),
        ),
        HotPath(
            "statistics, last 90 days",
            "GET",
            lambda n: f"{API}/units/{unit}/statistics?{quarter}",
            lambda n: receiver,
        ),
    ]
