"""Token endpoints for staff (SITHS) and citizens (BankID)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Conn, Public, Svc
from app.api.problems import responses
from app.api.types import CountyCode, Flag
from app.services import identity

router = APIRouter(prefix="/auth", tags=["identity"], dependencies=[Public])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class StaffCredentials(BaseModel):
    """Stub provider: `hsa_id`. OIDC provider: `id_token` from the SITHS identity provider."""

    model_config = ConfigDict(extra="forbid")
    hsa_id: str | None = Field(default=None, max_length=64)
    id_token: str | None = Field(default=None, max_length=16384)


class CitizenCredentials(BaseModel):
    """Stub provider: a BankID stand-in whose optional fields feed the stub population register.
    OIDC provider: `id_token`."""

    model_config = ConfigDict(extra="forbid")
    personal_number: str | None = Field(default=None, max_length=20)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    # Register data, not proof of identity: malformed is a 422 like any bad input, not a 401.
    county_code: CountyCode | None = None
    protected_identity: Flag | None = None
    id_token: str | None = Field(default=None, max_length=16384)


def _given(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(exclude_none=True)


@router.post("/staff/token", response_model=TokenResponse, responses=responses(401, 422))
async def staff_token(conn: Conn, svc: Svc, body: StaffCredentials = Body()) -> dict[str, Any]:
    return await identity.staff_login(conn, svc, _given(body))


@router.post("/citizen/token", response_model=TokenResponse, responses=responses(401, 422))
async def citizen_token(conn: Conn, svc: Svc, body: CitizenCredentials = Body()) -> dict[str, Any]:
    return await identity.citizen_login(conn, svc, _given(body))
