"""OIDC adapters: verify an identity provider's signed ID token against its JWKS.

Algorithms are pinned to RS256/ES256; keys are cached and re-fetched when an unknown key id
appears (the provider rotated its keys), at most once per `min_refresh_seconds`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from jose import JWTError, jwk, jwt
from jose.exceptions import JOSEError

from app.config import Settings
from app.domain.errors import Unauthenticated
from app.domain.identifiers import InvalidIdentifier, parse_hsa_id, parse_personal_number
from app.domain.text import normalize_line
from app.identity.ports import RegisterPerson

ALLOWED_ALGORITHMS = ("RS256", "ES256")
PERSONAL_NUMBER_CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"


class JwksCache:
    def __init__(self, url: str, ttl_seconds: int = 300, min_refresh_seconds: int = 10) -> None:
        self.url = url
        self.ttl_seconds = ttl_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> dict[str, Any]:
        now = time.monotonic()
        if kid not in self._keys or now - self._fetched_at > self.ttl_seconds:
            async with self._lock:
                stale = now - self._fetched_at > self.min_refresh_seconds
                if (kid not in self._keys and stale) or now - self._fetched_at > self.ttl_seconds:
                    await self._refresh()
        if kid not in self._keys:
            raise Unauthenticated("the ID token is signed with an unknown key")
        return self._keys[kid]

    async def _refresh(self) -> None:
        try:
            async with httpx.AsyncClient(timeout=5.0) as client:
                response = await client.get(self.url)
                response.raise_for_status()
                document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            if self._keys:
                return  # keep serving known keys while the provider is briefly unreachable
            raise Unauthenticated("the identity provider's keys are unavailable") from exc
        self._keys = {
            k["kid"]: k
            for k in document.get("keys", [])
            if isinstance(k, dict) and "kid" in k and k.get("alg", "RS256") in ALLOWED_ALGORITHMS
        }
        self._fetched_at = time.monotonic()


class OidcVerifier:
    def __init__(self, issuer: str, audience: str, jwks: JwksCache, leeway_seconds: int = 60) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.leeway_seconds = leeway_seconds

    async def verify(self, id_token: Any) -> dict[str, Any]:
        if not isinstance(id_token, str) or not id_token:
            raise Unauthenticated("an id_token is required")
        try:
            header = jwt.get_unverified_header(id_token)
        except JWTError as exc:
            raise Unauthenticated("the ID token is malformed") from exc
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise Unauthenticated("the ID token's algorithm is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise Unauthenticated("the ID token names no key id")
        key_data = await self.jwks.key(kid)
        try:
            key = jwk.construct(key_data, algorithm=alg)
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key,
                algorithms=[alg],
                audience=self.audience,
                issuer=self.issuer,
                options={"leeway": self.leeway_seconds, "require_exp": True, "require_iat": True},
            )
        # JOSEError, not only JWTError: a key id naming a key of another type (an RSA key for an
        # ES256 header) raises JWKError, which must be a 401 and not a 500.
        except (JOSEError, ValueError, TypeError) as exc:
            raise Unauthenticated("the ID token is not valid") from exc
        return claims


def _verifier(
    issuer: str | None, audience: str | None, jwks_url: str | None, settings: Settings
) -> OidcVerifier:
    if not (issuer and audience and jwks_url):
        from app.config import ConfigurationError

        raise ConfigurationError("OIDC needs an issuer, an audience and a JWKS URL")
    return OidcVerifier(
        issuer, audience, JwksCache(jwks_url, settings.oidc_jwks_cache_seconds), settings.oidc_leeway_seconds
    )


class OidcStaffIdentityProvider:
    """SITHS via OIDC: the HSA-id comes from a configurable claim."""

    name = "oidc"

    def __init__(self, verifier: OidcVerifier, hsa_claim: str) -> None:
        self.verifier = verifier
        self.hsa_claim = hsa_claim

    @classmethod
    def from_settings(cls, s: Settings) -> OidcStaffIdentityProvider:
        v = _verifier(s.staff_oidc_issuer, s.staff_oidc_audience, s.staff_oidc_jwks_url, s)
        return cls(v, s.staff_oidc_hsa_claim)

    async def authenticate(self, credentials: dict[str, Any]) -> str:
        claims = await self.verifier.verify(credentials.get("id_token"))
        raw = claims.get(self.hsa_claim)
        if not isinstance(raw, str):
            raise Unauthenticated("the ID token carries no HSA-id")
        try:
            return parse_hsa_id(raw)
        except InvalidIdentifier as exc:
            raise Unauthenticated("the ID token's HSA-id is not valid") from exc


class OidcCitizenIdentityProvider:
    """BankID via OIDC (Sweden Connect claims)."""

    name = "oidc"

    def __init__(self, verifier: OidcVerifier) -> None:
        self.verifier = verifier

    @classmethod
    def from_settings(cls, s: Settings) -> OidcCitizenIdentityProvider:
        return cls(_verifier(s.citizen_oidc_issuer, s.citizen_oidc_audience, s.citizen_oidc_jwks_url, s))

    async def authenticate(self, credentials: dict[str, Any]) -> RegisterPerson:
        claims = await self.verifier.verify(credentials.get("id_token"))
        raw = claims.get(PERSONAL_NUMBER_CLAIM)
        if not isinstance(raw, str):
            raise Unauthenticated("the ID token carries no personal identity number")
        try:
            pnr = parse_personal_number(raw)
        except InvalidIdentifier as exc:
            raise Unauthenticated("the ID token's personal identity number is not valid") from exc
        return RegisterPerson(
            personal_number=pnr,
            given_name=_name(claims.get("given_name")),
            family_name=_name(claims.get("family_name")),
            county_code=None,
            protected_identity=False,
        )


def _name(value: Any) -> str:
    """A name claim as plain text (domain.md "Text"): cleaned like every name the app stores."""
    return normalize_line(value) if isinstance(value, str) else ""
