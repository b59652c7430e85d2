"""Only a token's signature and `sub` identify (docs/identity-and-access.md; docs/security.md,
"forged or altered token"): HSA-id, personal number, roles and system-admin status come from the
database, so claims added to a validly signed token change nothing. A token lives no longer than the
maximum lifetime, whatever its `exp` says."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from jose import jwt
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.domain.errors import Unauthenticated
from app.identity.tokens import ALGORITHM, TokenService
from tests.fixtures.cases import add_case, add_citizen
from tests.fixtures.citizen import citizen, open_clinic, send_case
from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA, bearer, make_clinic

KEY = "5f0c9a3e7b1d24c86a0f9e3b7c2d51a4e8f60b3c9d7a2e15f4b8c06d3a9e7f21"


def _forge(token: str, settings: Settings, **claims: Any) -> str:
    """The same token with claims changed, signed with the real key (a leaked-key or
    confused-deputy scenario: only the signature and `sub` may count)."""
    payload = {**jwt.get_unverified_claims(token), **claims}
    return str(jwt.encode(payload, settings.token_signing_key, algorithm=ALGORITHM))


async def test_a_forged_admin_hsa_id_gives_no_admin_rights(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    clinic = await make_clinic(client, {"karin": ["case_receiver"]})
    karin = clinic["karin"]
    forged = bearer(_forge(karin.token, settings, idn=SYSTEM_ADMIN_HSA, hsa_id=SYSTEM_ADMIN_HSA))
    assert (await client.get(f"{API}/admin/regions", headers=forged)).status_code == 403
    me = (await client.get(f"{API}/me", headers=forged)).json()
    assert me["hsa_id"] == karin.hsa_id and me["system_roles"] == []


async def test_a_forged_hsa_id_does_not_change_whom_the_audit_log_names(
    client: httpx.AsyncClient, conn: AsyncConnection, settings: Settings
) -> None:
    clinic = await make_clinic(client, {"karin": ["case_receiver"], "hans": ["case_handler"]})
    karin, hans = clinic["karin"], clinic["hans"]
    citizen_id, _ = await add_citizen(conn)
    case_id = await add_case(conn, clinic.unit_id, citizen_id)
    forged = bearer(_forge(karin.token, settings, idn=hans.hsa_id))
    r = await client.get(f"{API}/units/{clinic.unit_id}/cases/{case_id}", headers=forged)
    assert r.status_code == 200, r.text
    logged = (
        await conn.execute(
            text("SELECT staff_hsa_id, staff_id::text FROM audit_events WHERE case_id = :c"), {"c": case_id}
        )
    ).all()
    assert logged == [(karin.hsa_id, karin.staff_id)]


async def test_a_citizen_token_with_another_personal_number_reads_only_its_own_data(
    client: httpx.AsyncClient, conn: AsyncConnection, settings: Settings
) -> None:
    setup = await open_clinic(client, conn, {"rec": ["case_receiver"]})
    victim, intruder = await citizen(client), await citizen(client)
    case = await send_case(client, victim, setup)
    # Staff reading the victim's case puts a line in the victim's PDL extract.
    r = await client.get(
        f"{API}/units/{setup.unit_id}/cases/{case['id']}", headers=setup.clinic["rec"].headers
    )
    assert r.status_code == 200
    victim_log = (await client.get(f"{API}/citizen/access-log", headers=victim.headers)).json()["items"]
    assert victim_log, "the victim's extract shows the read"

    token = intruder.headers["Authorization"].removeprefix("Bearer ")
    forged = bearer(_forge(token, settings, idn=victim.personal_number))
    assert (await client.get(f"{API}/citizen/access-log", headers=forged)).json()["items"] == []
    assert (await client.get(f"{API}/citizen/cases", headers=forged)).json()["items"] == []
    me = (await client.get(f"{API}/citizen/me", headers=forged)).json()
    assert me["personal_number"] == intruder.personal_number


def _signed(claims: dict[str, Any]) -> str:
    return str(jwt.encode(claims, KEY, algorithm=ALGORITHM))


def _claims(service: TokenService, **changes: Any) -> dict[str, Any]:
    import uuid

    claims = dict(jwt.get_unverified_claims(service.issue("staff", uuid.uuid4())))
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def test_the_maximum_lifetime_holds_whatever_exp_says() -> None:
    service = TokenService(KEY, "careinbox", ttl_seconds=600, max_lifetime_seconds=3600)
    now = int(time.time())
    refused = [
        # exp far in the future: a lifetime beyond the maximum
        _claims(service, iat=now, nbf=now, exp=now + 3601),
        # issued longer ago than the maximum (and exp pushed out to match)
        _claims(service, iat=now - 3700, nbf=now - 3700, exp=now + 100),
        # no iat: its age cannot be known
        _claims(service, iat=None),
        # issued in the future
        _claims(service, iat=now + 600, nbf=now, exp=now + 1200),
        # no jti: it could never be signed out
        _claims(service, jti=None),
    ]
    for claims in refused:
        with pytest.raises(Unauthenticated):
            service.verify(_signed(claims), "staff")
    # At the maximum exactly, still fine.
    service.verify(_signed(_claims(service, iat=now - 10, nbf=now - 10, exp=now - 10 + 3600)), "staff")


def test_a_remembered_token_expires_at_the_maximum_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.identity import tokens as tokens_module

    service = TokenService(KEY, "careinbox", ttl_seconds=60, max_lifetime_seconds=120)
    start = time.time()
    token = service.issue("staff", __import__("uuid").uuid4())
    service.verify(token, "staff")  # remembered
    monkeypatch.setattr(tokens_module.time, "time", lambda: start + 121)
    with pytest.raises(Unauthenticated):
        service.verify(token, "staff")


async def test_an_http_request_with_an_overlong_token_is_401(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    clinic = await make_clinic(client, {"karin": ["case_receiver"]})
    now = int(time.time())
    long_lived = _forge(
        clinic["karin"].token, settings, iat=now, nbf=now, exp=now + settings.token_max_lifetime_seconds + 1
    )
    r = await client.get(f"{API}/me", headers=bearer(long_lived))
    assert r.status_code == 401
