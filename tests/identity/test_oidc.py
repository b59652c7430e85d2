"""The OIDC adapters against a local JWKS server serving keys this test generated."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwk, jwt

from app.config import Settings
from app.container import Services, build_services
from app.domain.errors import Unauthenticated
from app.identity.oidc import (
    PERSONAL_NUMBER_CLAIM,
    JwksCache,
    OidcCitizenIdentityProvider,
    OidcStaffIdentityProvider,
    OidcVerifier,
)
from app.main import attach_services, create_app
from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA, bearer, hsa

ISSUER = "https://siths.example/op"
AUDIENCE = "careinbox"
HSA_CLAIM = "http://sambi.se/attributes/1/employeeHsaId"


@dataclass
class SigningKey:
    kid: str
    alg: str
    private_pem: bytes
    public_jwk: dict[str, Any]


def make_key(kid: str, alg: str) -> SigningKey:
    private: Any = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if alg == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return SigningKey(
        kid, alg, pem, {**jwk.construct(public, algorithm=alg).to_dict(), "kid": kid, "use": "sig"}
    )


@dataclass
class JwksServer:
    url: str
    keys: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {
        "rsa": make_key("rsa-1", "RS256"),
        "ec": make_key("ec-1", "ES256"),
        "new": make_key("rsa-2", "RS256"),
    }


@pytest.fixture
def jwks(keys: dict[str, SigningKey]) -> Iterator[JwksServer]:
    state = JwksServer(url="", keys=[keys["rsa"].public_jwk, keys["ec"].public_jwk])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.fetches += 1
            body = json.dumps({"keys": state.keys}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


def id_token(key: SigningKey, alg: str | None = None, **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "iat": now, "exp": now + 300, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    token: str = jwt.encode(
        claims, key.private_pem.decode(), algorithm=alg or key.alg, headers={"kid": key.kid}
    )
    return token


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def verifier(jwks: JwksServer, min_refresh: int = 0) -> OidcVerifier:
    return OidcVerifier(ISSUER, AUDIENCE, JwksCache(jwks.url, 300, min_refresh), leeway_seconds=60)


@pytest.mark.parametrize("which", ["rsa", "ec"])
async def test_valid_rs256_and_es256(jwks: JwksServer, keys: dict[str, SigningKey], which: str) -> None:
    claims = await verifier(jwks).verify(id_token(keys[which]))
    assert claims["sub"] == "user-1"


@pytest.mark.parametrize(
    ("overrides", "ok"),
    [
        ({"iss": "https://evil.example"}, False),
        ({"aud": "someone-else"}, False),
        ({"exp": -120}, False),  # beyond the 60 s leeway (times are seconds from now)
        ({"exp": -20}, True),  # within it: clocks drift
        ({"nbf": 600}, False),
        ({"exp": None}, False),
        ({"iat": None}, False),
    ],
)
async def test_claims_are_checked(
    jwks: JwksServer, keys: dict[str, SigningKey], overrides: dict[str, Any], ok: bool
) -> None:
    now = int(time.time())  # taken here, not at collection: the suite may run for minutes
    relative = {k: now + v if k in ("exp", "nbf") and v is not None else v for k, v in overrides.items()}
    token = id_token(keys["rsa"], **relative)
    if ok:
        await verifier(jwks).verify(token)
    else:
        with pytest.raises(Unauthenticated):
            await verifier(jwks).verify(token)


async def test_unknown_kid_refetches_the_keys(jwks: JwksServer, keys: dict[str, SigningKey]) -> None:
    v = verifier(jwks)
    await v.verify(id_token(keys["rsa"]))
    assert jwks.fetches == 1
    await v.verify(id_token(keys["ec"]))
    assert jwks.fetches == 1, "known keys come from the cache"
    jwks.keys = [keys["new"].public_jwk]  # the provider rotates its keys
    await v.verify(id_token(keys["new"]))
    assert jwks.fetches == 2


async def test_refetching_is_rate_limited(jwks: JwksServer, keys: dict[str, SigningKey]) -> None:
    v = verifier(jwks, min_refresh=60)
    await v.verify(id_token(keys["rsa"]))
    for _ in range(3):  # a flood of tokens with made-up key ids does not hammer the provider
        with pytest.raises(Unauthenticated):
            await v.verify(id_token(keys["new"]))
    assert jwks.fetches == 1


async def test_a_signature_from_another_key_with_a_known_kid_is_refused(
    jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    forged = id_token(SigningKey("rsa-1", "RS256", keys["new"].private_pem, {}))
    with pytest.raises(Unauthenticated):
        await verifier(jwks).verify(forged)


async def test_a_kid_naming_a_key_of_another_type_is_refused(
    jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    forged = id_token(SigningKey("rsa-1", "ES256", keys["ec"].private_pem, {}))
    with pytest.raises(Unauthenticated):
        await verifier(jwks).verify(forged)


async def test_hs256_none_and_garbage_are_refused(jwks: JwksServer, keys: dict[str, SigningKey]) -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": now, "exp": now + 300}
    # HS256 keyed with the provider's public key: the classic algorithm-confusion forgery
    # (python-jose refuses to build it, so it is put together by hand).
    public_pem = jwk.construct(keys["rsa"].public_jwk).to_pem()
    signing_input = f"{_b64({'alg': 'HS256', 'kid': 'rsa-1'})}.{_b64(claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    hs256 = f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"
    none_token = f"{_b64({'alg': 'none', 'kid': 'rsa-1'})}.{_b64(claims)}."
    unsigned = signing_input
    no_kid = jwt.encode(claims, keys["rsa"].private_pem.decode(), algorithm="RS256")
    for token in (hs256, none_token, no_kid, unsigned, "", "a.b.c", None, 42):
        with pytest.raises(Unauthenticated):
            await verifier(jwks).verify(token)


async def test_unreachable_jwks_is_401() -> None:
    v = OidcVerifier(ISSUER, AUDIENCE, JwksCache("http://127.0.0.1:1/jwks.json", 300, 0))
    token = id_token(make_key("k", "ES256"))
    with pytest.raises(Unauthenticated, match="unavailable"):
        await v.verify(token)


async def test_staff_provider_maps_the_hsa_claim(jwks: JwksServer, keys: dict[str, SigningKey]) -> None:
    provider = OidcStaffIdentityProvider(verifier(jwks), HSA_CLAIM)
    hsa_id = hsa()
    assert (
        await provider.authenticate({"id_token": id_token(keys["ec"], **{HSA_CLAIM: f" {hsa_id} "})})
        == hsa_id
    )
    for bad in ({}, {HSA_CLAIM: "not-an-hsa-id"}, {HSA_CLAIM: 12}):
        with pytest.raises(Unauthenticated):
            await provider.authenticate({"id_token": id_token(keys["ec"], **bad)})


async def test_citizen_provider_maps_the_personal_identity_number(
    jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    provider = OidcCitizenIdentityProvider(verifier(jwks))
    token = id_token(keys["rsa"], **{PERSONAL_NUMBER_CLAIM: "191212121212", "given_name": "Tolvan"})
    person = await provider.authenticate({"id_token": token})
    assert person.personal_number == "191212121212" and person.given_name == "Tolvan"
    for bad in ({}, {PERSONAL_NUMBER_CLAIM: "191212121213"}):
        with pytest.raises(Unauthenticated):
            await provider.authenticate({"id_token": id_token(keys["rsa"], **bad)})


async def test_citizen_name_claims_are_cleaned_text(jwks: JwksServer, keys: dict[str, SigningKey]) -> None:
    provider = OidcCitizenIdentityProvider(verifier(jwks))
    claims = {PERSONAL_NUMBER_CLAIM: "191212121212", "given_name": " To\u200blvan\u202e ", "family_name": 7}
    person = await provider.authenticate({"id_token": id_token(keys["rsa"], **claims)})
    assert (person.given_name, person.family_name) == ("Tolvan", "")


async def test_staff_token_endpoint_with_the_oidc_provider(
    settings: Settings, services: Services, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    oidc_settings = settings.model_copy(
        update={
            "staff_identity_provider": "oidc",
            "staff_oidc_issuer": ISSUER,
            "staff_oidc_audience": AUDIENCE,
            "staff_oidc_jwks_url": jwks.url,
        }
    )
    app = create_app(oidc_settings)
    attach_services(app, build_services(oidc_settings, services.db))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        url = f"{API}/auth/staff/token"
        r = await c.post(url, json={"id_token": id_token(keys["rsa"], **{HSA_CLAIM: SYSTEM_ADMIN_HSA})})
        assert r.status_code == 200, r.text
        admin = bearer(r.json()["access_token"])
        hsa_id = hsa()
        person = {"hsa_id": hsa_id, "given_name": "Oda", "family_name": "Idp", "title": "Läkare"}
        assert (await c.post(f"{API}/admin/directory/staff", headers=admin, json=person)).status_code == 204

        r = await c.post(url, json={"id_token": id_token(keys["ec"], **{HSA_CLAIM: hsa_id})})
        assert r.status_code == 200, r.text
        me = (await c.get(f"{API}/me", headers=bearer(r.json()["access_token"]))).json()
        assert me["hsa_id"] == hsa_id and me["given_name"] == "Oda"

        refused = [
            {"hsa_id": hsa_id},  # the stub's way in is closed
            {"id_token": id_token(keys["rsa"], **{HSA_CLAIM: hsa()})},  # not in the catalog
            {"id_token": id_token(keys["rsa"], iss="https://evil.example", **{HSA_CLAIM: hsa_id})},
            {"id_token": "garbage"},
        ]
        for body in refused:
            r = await c.post(url, json=body)
            assert r.status_code == 401, body
            assert r.headers["content-type"] == "application/problem+json"
