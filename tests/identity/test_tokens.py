"""The app's access tokens: every forged, stale or misdirected token is a 401 problem."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import pytest
from jose import jwt

from app.config import Settings
from app.identity.tokens import ALGORITHM, AUDIENCE, TokenService
from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA, bearer, citizen_token, pnr, staff_token

STAFF_ROUTE = f"{API}/me"
CITIZEN_ROUTE = f"{API}/citizen/me"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.get_unverified_claims(token)
    return claims


def _assert_401(r: httpx.Response) -> None:
    assert r.status_code == 401, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 401 and body["title"] and body["detail"] and body["type"]
    assert "Traceback" not in r.text
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.fixture
async def tokens(client: httpx.AsyncClient) -> dict[str, str]:
    return {
        "staff": await staff_token(client, SYSTEM_ADMIN_HSA),
        "citizen": await citizen_token(client, pnr()),
    }


async def test_valid_tokens_work_on_their_own_routes(
    client: httpx.AsyncClient, tokens: dict[str, str]
) -> None:
    assert (await client.get(STAFF_ROUTE, headers=bearer(tokens["staff"]))).status_code == 200
    assert (await client.get(CITIZEN_ROUTE, headers=bearer(tokens["citizen"]))).status_code == 200


async def test_tokens_are_not_interchangeable(client: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    _assert_401(await client.get(STAFF_ROUTE, headers=bearer(tokens["citizen"])))
    _assert_401(await client.get(CITIZEN_ROUTE, headers=bearer(tokens["staff"])))


@pytest.mark.parametrize("kind", ["staff", "citizen"])
async def test_alg_none_is_refused(client: httpx.AsyncClient, tokens: dict[str, str], kind: str) -> None:
    claims = _claims(tokens[kind])
    for alg in ("none", "None", "NONE"):
        forged = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{_b64(claims)}."
        route = STAFF_ROUTE if kind == "staff" else CITIZEN_ROUTE
        _assert_401(await client.get(route, headers=bearer(forged)))


async def test_other_algorithms_with_the_right_key_are_refused(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
) -> None:
    claims = _claims(tokens["staff"])
    forged = jwt.encode(claims, settings.token_signing_key, algorithm="HS512")
    _assert_401(await client.get(STAFF_ROUTE, headers=bearer(forged)))


async def test_a_wrong_key_is_refused(client: httpx.AsyncClient, tokens: dict[str, str]) -> None:
    forged = jwt.encode(_claims(tokens["staff"]), "another-key-" + "x" * 40, algorithm=ALGORITHM)
    _assert_401(await client.get(STAFF_ROUTE, headers=bearer(forged)))


async def test_an_expired_token_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
) -> None:
    claims = _claims(tokens["staff"])
    now = int(time.time())
    claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 10)
    expired = jwt.encode(claims, settings.token_signing_key, algorithm=ALGORITHM)
    _assert_401(await client.get(STAFF_ROUTE, headers=bearer(expired)))
    no_exp = {k: v for k, v in claims.items() if k != "exp"}
    _assert_401(
        await client.get(
            STAFF_ROUTE, headers=bearer(jwt.encode(no_exp, settings.token_signing_key, algorithm=ALGORITHM))
        )
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("aud", "somebody-else"), ("iss", "evil"), ("aud", AUDIENCE["citizen"]), ("kind", "citizen")],
)
async def test_a_wrong_audience_issuer_or_kind_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings, field: str, value: str
) -> None:
    claims = {**_claims(tokens["staff"]), field: value}
    token = jwt.encode(claims, settings.token_signing_key, algorithm=ALGORITHM)
    _assert_401(await client.get(STAFF_ROUTE, headers=bearer(token)))


@pytest.mark.parametrize("kind", ["staff", "citizen"])
async def test_a_tampered_payload_is_refused(
    client: httpx.AsyncClient, tokens: dict[str, str], kind: str
) -> None:
    header, _, signature = tokens[kind].split(".")
    claims = _claims(tokens[kind])
    claims["idn"] = SYSTEM_ADMIN_HSA if kind == "staff" else pnr()
    claims["exp"] = claims["exp"] + 1
    tampered = f"{header}.{_b64(claims)}.{signature}"
    route = STAFF_ROUTE if kind == "staff" else CITIZEN_ROUTE
    _assert_401(await client.get(route, headers=bearer(tampered)))


@pytest.mark.parametrize(
    "authorization",
    [
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not.a.jwt",
        "Bearer a.b",
        "Bearer ....",
        "Token x",
    ],
)
async def test_missing_or_malformed_authorization(client: httpx.AsyncClient, authorization: str) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    _assert_401(await client.get(STAFF_ROUTE, headers=headers))
    _assert_401(await client.get(CITIZEN_ROUTE, headers=headers))


async def test_a_token_for_a_subject_that_is_not_a_uuid(
    client: httpx.AsyncClient, tokens: dict[str, str], settings: Settings
) -> None:
    claims = {**_claims(tokens["staff"]), "sub": "not-a-uuid"}
    token = jwt.encode(claims, settings.token_signing_key, algorithm=ALGORITHM)
    _assert_401(await client.get(STAFF_ROUTE, headers=bearer(token)))


def test_issued_tokens_carry_pinned_claims(settings: Settings) -> None:
    service = TokenService(settings.token_signing_key, settings.token_issuer, 60)
    import uuid

    subject = uuid.uuid4()
    token = service.issue("citizen", subject)
    assert jwt.get_unverified_header(token)["alg"] == ALGORITHM
    claims = _claims(token)
    assert claims["iss"] == settings.token_issuer and claims["aud"] == AUDIENCE["citizen"]
    assert claims["kind"] == "citizen" and claims["exp"] - claims["iat"] == 60
    # Only who and which token: nothing about the person that the database should say.
    assert set(claims) == {"iss", "aud", "sub", "kind", "jti", "iat", "nbf", "exp"}
    verified = service.verify(token, "citizen")
    assert verified.subject == subject and str(verified.token_id) == claims["jti"]
