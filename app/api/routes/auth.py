"""Token endpoints for staff (SITHS) and citizens (BankID)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel

from app.api.deps import Public, Svc, client_address
from app.api.problems import responses
from app.api.schemas.auth import AccessToken, CitizenCredentialsIn, StaffCredentialsIn
from app.api.strict_json import StrictJSONRoute
from app.services import identity

router = APIRouter(prefix="/auth", tags=["identity"], dependencies=[Public], route_class=StrictJSONRoute)


def _given(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(exclude_none=True)


# No request transaction here: a log-in counts against the rate limits in a transaction of its own
# before it goes on (a failed log-in must count), then runs in its own (app/services/identity.py).
@router.post("/staff/token", response_model=AccessToken, responses=responses(401, 422, 429))
async def staff_token(svc: Svc, request: Request, body: StaffCredentialsIn = Body()) -> dict[str, Any]:
    return await identity.staff_sign_in(svc, _given(body), client_address(request))


@router.post("/citizen/token", response_model=AccessToken, responses=responses(401, 422, 429))
async def citizen_token(svc: Svc, request: Request, body: CitizenCredentialsIn = Body()) -> dict[str, Any]:
    return await identity.citizen_sign_in(svc, _given(body), client_address(request))
