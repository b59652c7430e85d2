"""The app's access tokens (python-jose, HS256 pinned).

Staff and citizen tokens carry different audiences, so one can never be used as the other.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from jose import JWTError, jwt

from app.domain.errors import Unauthenticated

ALGORITHM = "HS256"
Kind = Literal["staff", "citizen"]
AUDIENCE: dict[Kind, str] = {"staff": "careinbox-staff", "citizen": "careinbox-citizen"}
# Verified tokens remembered per process (a few hundred bytes each).
VERIFIED_CACHE_SIZE = 4096


@dataclass(frozen=True, slots=True)
class TokenClaims:
    kind: Kind
    subject: UUID
    # hsa_id for staff, personal number for citizens
    identifier: str


class TokenService:
    def __init__(self, signing_key: str, issuer: str, ttl_seconds: int) -> None:
        self._key = signing_key
        self._issuer = issuer
        self.ttl_seconds = ttl_seconds
        self._verified: dict[tuple[str, Kind], tuple[TokenClaims, int, int]] = {}

    def issue(self, kind: Kind, subject: UUID, identifier: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self._issuer,
            "aud": AUDIENCE[kind],
            "sub": str(subject),
            "kind": kind,
            "idn": identifier,
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
        cached = self._verified.get((token, kind))
        if cached is not None:
            claims, not_before, expires = cached
            if not_before <= int(time.time()) <= expires:
                return claims
            del self._verified[(token, kind)]
        claims, not_before, expires = self._verify(token, kind)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[(token, kind)] = (claims, not_before, expires)
        return claims

    def _verify(self, token: str, kind: Kind) -> tuple[TokenClaims, int, int]:
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
                options={"require_exp": True, "require_sub": True, "require_aud": True},
            )
            if claims.get("kind") != kind:
                raise Unauthenticated("token of the wrong kind")
            verified = TokenClaims(kind=kind, subject=UUID(claims["sub"]), identifier=str(claims["idn"]))
            # jose accepted exp (and nbf if present) as numbers; the window is kept in whole
            # seconds as jose compares them.
            return verified, int(claims.get("nbf", 0)), int(claims["exp"])
        except Unauthenticated:
            raise
        except (JWTError, KeyError, ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise Unauthenticated("invalid or expired access token") from exc
