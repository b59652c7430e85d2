"""The measured requests: the hot paths (with how to vary their captured SQL per replay) and the
floors (what a request costs before its own work)."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import httpx

from app.identity.tokens import TokenService
from bench import floor, wrk
from bench.outbound import outbound_paths
from bench.seed import CLINIC_HSA, HANDLER_HSA, RECEIVER_HSA, BenchIds

API = "/api/v1"


@dataclass
class HotPath:
    name: str
    method: str
    path: Any  # (n) -> str
    headers: Any  # (n) -> dict
    body: Any = None  # (n) -> dict | None
    expect: int = 200
    # built from the captured response and statements: (response, statements) -> (n) -> dict
    substitutions: Any = None
    rotation: int = 1  # how many distinct requests the load rotates over
    concurrency: int | None = None  # this path's own concurrency, when not the bench's
    floor: Any = None  # (replay) -> bench.floor.Floor: its hand-written best case
    flat: bool = False  # also measured at 100 k cases: cost must be flat in table size

    def wrk_requests(self) -> list[wrk.WrkRequest]:
        out = []
        for n in range(self.rotation):
            headers = dict(self.headers(n))
            body = None
            if self.body:
                headers["Content-Type"] = "application/json"
                body = json.dumps(self.body(n), ensure_ascii=False)
            out.append(wrk.WrkRequest(self.method, self.path(n), headers, body))
        return out


def hot_paths(ids: BenchIds, tokens: TokenService, floors: list[HotPath]) -> list[HotPath]:
    """The hot paths; `floors` gets the requests that measure what comes before their work."""
    receiver = {"Authorization": f"Bearer {tokens.issue('staff', ids.receiver[0])}"}
    handler = {"Authorization": f"Bearer {tokens.issue('staff', ids.handler[0])}"}
    # The floors' actor (their first statement reads who asks, as every request does).
    as_receiver = floor.Who(ids.receiver[0], RECEIVER_HSA, uuid4(), ids.unit_id, CLINIC_HSA)
    as_handler = floor.Who(ids.handler[0], HANDLER_HSA, uuid4(), ids.unit_id, CLINIC_HSA)
    pnrs = ids.searched
    audit = INBOX_AUDIT
    citizens = [{"Authorization": f"Bearer {tokens.issue('citizen', c)}"} for c, _ in ids.citizens]
    unit = ids.unit_id
    run_tag = secrets.token_hex(3)

    def new_case(n: int) -> dict[str, Any]:
        return {
            "unit_id": str(unit),
            "case_type_id": str(ids.case_type_id),
            "answers": {"medicine": "Levaxin 50 mikrogram"},
            "message": "Hej! Mitt recept tar slut nästa vecka.",
            "terms_accepted": True,
        }

    def creation_subs(r: httpx.Response, statements: Any = None) -> Any:
        body = r.json()
        first_id, first_pnr = ids.citizens[0]

        def subs(n: int) -> dict[Any, Any]:
            cid, pnr = ids.citizens[n % len(ids.citizens)]
            out: dict[Any, Any] = {
                body["id"]: uuid4(),
                body["reference"]: f"R{run_tag}{n:09d}",
                first_id: cid,
                first_pnr: pnr,
            }
            for m in body.get("messages", []):
                out[m["id"]] = uuid4()
            return out

        return subs

    def view_subs(r: httpx.Response, statements: Any = None) -> Any:
        first = ids.case_ids[0]
        return lambda n: {first: ids.case_ids[n % len(ids.case_ids)]}

    floors.extend(
        [
            HotPath("GET /healthz: HTTP stack only", "GET", lambda n: "/healthz", lambda n: {}),
            HotPath(
                "staff guard + transaction, no work (GET)",
                "GET",
                lambda n: f"/bench/units/{unit}/guarded",
                lambda n: receiver,
            ),
            HotPath(
                "citizen token + case body parsed, no work (POST)",
                "POST",
                lambda n: "/bench/citizen/guarded",
                lambda n: citizens[n % len(citizens)],
                body=new_case,
                rotation=len(citizens),
            ),
        ]
    )
    return [
        HotPath(
            "inbox, first page",
            "GET",
            lambda n: f"{API}/units/{unit}/cases",
            lambda n: receiver,
            floor=lambda rp: floor.inbox(as_receiver, audit=audit),
            flat=True,
        ),
        HotPath(
            "inbox, filtered page (status=awaiting_citizen)",
            "GET",
            lambda n: f"{API}/units/{unit}/cases?status=awaiting_citizen",
            lambda n: receiver,
            floor=lambda rp: floor.inbox(as_receiver, status="awaiting_citizen", audit=audit),
        ),
        HotPath(
            "inbox, handler's merged page",
            "GET",
            lambda n: f"{API}/units/{unit}/cases",
            lambda n: handler,
            floor=lambda rp: floor.handler_page(as_handler, audit=audit),
        ),
        HotPath(
            "inbox, personal-number search",
            "GET",
            lambda n: f"{API}/units/{unit}/cases?personal_number={pnrs[n % len(pnrs)]}",
            lambda n: receiver,
            substitutions=lambda r, st: lambda n: {pnrs[0]: pnrs[n % len(pnrs)]},
            rotation=len(pnrs),
            floor=lambda rp: floor.search(as_receiver, pnrs),
            flat=True,
        ),
        HotPath(
            "case view",
            "GET",
            lambda n: f"{API}/units/{unit}/cases/{ids.case_ids[n % len(ids.case_ids)]}",
            lambda n: receiver,
            substitutions=view_subs,
            rotation=len(ids.case_ids),
            floor=lambda rp: floor.case_view(as_receiver, ids.case_ids),
            flat=True,
        ),
        HotPath(
            "case creation (citizen)",
            "POST",
            lambda n: f"{API}/citizen/cases",
            lambda n: citizens[n % len(citizens)],
            body=new_case,
            expect=201,
            substitutions=creation_subs,
            rotation=len(citizens),
            floor=lambda rp: floor.writes(rp, _creation_essential),
        ),
        *outbound_paths(ids, tokens, run_tag),
    ]


# The app writes a PDL event per inbox page (domain.md, Audit): so does the floor.
INBOX_AUDIT = True


def _creation_essential(sql: str) -> bool:
    """The actor's query, the load and the one insert of case creation."""
    s = sql.lstrip().upper()
    return s.startswith("SELECT CITIZENS.PERSONAL_NUMBER") or "NEXTVAL" in s or "INSERT INTO CASES" in s
