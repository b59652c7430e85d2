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
            return TokenClaims(kind=kind, subject=UUID(claims["sub"]), identifier=str(claims["idn"]))
        except Unauthenticated:
            raise
        except (JWTError, KeyError, ValueError, TypeError, AttributeError) as exc:
            raise Unauthenticated("invalid or expired access token") from exc
