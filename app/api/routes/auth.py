"""Token endpoints for staff (SITHS) and citizens (BankID)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Public, Svc, client_address
from app.api.problems import responses
from app.api.strict_json import StrictJSONRoute
from app.api.types import CountyCode, Flag
from app.services import identity

router = APIRouter(prefix="/auth", tags=["identity"], dependencies=[Public], route_class=StrictJSONRoute)


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


# No request transaction here: a log-in counts against the rate limits in a transaction of its own
# before it goes on (a failed log-in must count), then runs in its own (app/services/identity.py).
@router.post("/staff/token", response_model=TokenResponse, responses=responses(401, 422, 429))
async def staff_token(svc: Svc, request: Request, body: StaffCredentials = Body()) -> dict[str, Any]:
    return await identity.staff_sign_in(svc, _given(body), client_address(request))


@router.post("/citizen/token", response_model=TokenResponse, responses=responses(401, 422, 429))
async def citizen_token(svc: Svc, request: Request, body: CitizenCredentials = Body()) -> dict[str, Any]:
    return await identity.citizen_sign_in(svc, _given(body), client_address(request))
