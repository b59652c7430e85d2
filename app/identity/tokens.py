"""The app's access tokens (python-jose, HS256 pinned).

Staff and citizen tokens carry different audiences, so one can never be used as the other. A
token says who (`sub`) and which token it is (`jti`, for sign-out) and nothing else: everything
about the person (HSA-id, personal number, roles, system-admin status) is read from the
database on every request (app/services/identity.py), as is whether the token was revoked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal
from uuid import UUID, uuid4

from jose import JWTError, jwt

from app.domain.errors import Unauthenticated

ALGORITHM = "HS256"
Kind = Literal["staff", "citizen"]
AUDIENCE: dict[Kind, str] = {"staff": "careinbox-staff", "citizen": "careinbox-citizen"}
# Verified tokens remembered per process (a few hundred bytes each).
VERIFIED_CACHE_SIZE = 4096
# A token issued this far in the future is a forgery or a broken clock; either way, refused.
IAT_LEEWAY_SECONDS = 60
DEFAULT_MAX_LIFETIME_SECONDS = 43200  # as TOKEN_MAX_LIFETIME_SECONDS' default


@dataclass(frozen=True, slots=True)
class TokenClaims:
    kind: Kind
    subject: UUID
    token_id: UUID
    # Unix time after which the token is refused (its `exp`, or earlier by the maximum lifetime).
    valid_until: int


class TokenService:
    def __init__(
        self,
        signing_key: str,
        issuer: str,
        ttl_seconds: int,
        max_lifetime_seconds: int = DEFAULT_MAX_LIFETIME_SECONDS,
    ) -> None:
        if ttl_seconds > max_lifetime_seconds:
            raise ValueError("the token lifetime exceeds the maximum lifetime")
        self._key = signing_key
        self._issuer = issuer
        self.ttl_seconds = ttl_seconds
        self.max_lifetime_seconds = max_lifetime_seconds
        self._verified: dict[tuple[str, Kind], tuple[TokenClaims, int]] = {}

    def issue(self, kind: Kind, subject: UUID) -> str:
        now = int(time.time())
        claims = {
            "iss": self._issuer,
            "aud": AUDIENCE[kind],
            "sub": str(subject),
            "kind": kind,
            "jti": str(uuid4()),
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl_seconds,
        }
        token: str = jwt.encode(claims, self._key, algorithm=ALGORITHM)
        return token

    def verify(self, token: str, kind: Kind) -> TokenClaims:
        # Checking the signature and claims costs more than the rest of a cheap request, and a
        # client sends the same token many times: a token verified once is remembered with its
        # validity window, which is checked on every use (outside it, the full check decides).
        # Revocation is not a property of the token: the caller checks it in the database.
        cached = self._verified.get((token, kind))
        if cached is not None:
            claims, not_before = cached
            if not_before <= int(time.time()) <= claims.valid_until:
                return claims
            del self._verified[(token, kind)]
        claims, not_before = self._verify(token, kind)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[(token, kind)] = (claims, not_before)
        return claims

    def forget(self, token: str) -> None:
        """Drop a signed-out token from this process's cache (the database check decides anyway)."""
        for kind in AUDIENCE:
            self._verified.pop((token, kind), None)

    def _verify(self, token: str, kind: Kind) -> tuple[TokenClaims, int]:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise Unauthenticated("unsupported token algorithm")
            claims = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=AUDIENCE[kind],
                issuer=self._issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_sub": True,
                    "require_aud": True,
                    "require_jti": True,
                },
            )
            if claims.get("kind") != kind:
                raise Unauthenticated("token of the wrong kind")
            issued, expires = int(claims["iat"]), int(claims["exp"])
            now = int(time.time())
            if issued > now + IAT_LEEWAY_SECONDS:
                raise Unauthenticated("token issued in the future")
            if expires - issued > self.max_lifetime_seconds:
                raise Unauthenticated("token lifetime exceeds the maximum")
            valid_until = min(expires, issued + self.max_lifetime_seconds)
            if now > valid_until:
                raise Unauthenticated("invalid or expired access token")
            verified = TokenClaims(
                kind=kind,
                subject=UUID(claims["sub"]),
                token_id=UUID(str(claims["jti"])),
                valid_until=valid_until,
            )
            # jose accepted exp (and nbf if present) as numbers; the window is kept in whole
            # seconds as jose compares them.
            return verified, int(claims.get("nbf", 0))
        except Unauthenticated:
            raise
        except (JWTError, KeyError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise Unauthenticated("invalid or expired access token") from exc
