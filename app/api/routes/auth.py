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
@router.post(
    "/staff/token",
    operation_id="create_staff_token",
    response_model=AccessToken,
    responses=responses(401, 422, 429),
)
async def staff_token(svc: Svc, request: Request, body: StaffCredentialsIn = Body()) -> dict[str, Any]:
    """Sign in as staff

    The stub provider takes `{"hsa_id"}` (a demo identity, e.g. `SE2321000131-P000000000002`); the
    OIDC provider `{"id_token"}` from the SITHS identity provider. The answer's `access_token` goes
    in the Authorize dialog's `StaffToken` box.

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 401 unknown person or invalid id token; 429 too many sign-ins for this identity or
      address.
    """
    return await identity.staff_sign_in(svc, _given(body), client_address(request))


@router.post(
    "/citizen/token",
    operation_id="create_citizen_token",
    response_model=AccessToken,
    responses=responses(401, 422, 429),
)
async def citizen_token(svc: Svc, request: Request, body: CitizenCredentialsIn = Body()) -> dict[str, Any]:
    """Sign in as a citizen

    The stub provider (a BankID stand-in) takes `{"personal_number"}` in any written form, with
    optional names, `county_code` and `protected_identity` for the stub population register; the
    OIDC provider `{"id_token"}`. The answer's `access_token` goes in the `CitizenToken` box.

    - **Changes:** creates the citizen on first sign-in.
    - **Audit:** none (no patient data).
    - **Errors:** 401 invalid id token; 422 not a valid personal number; 429 too many sign-ins.
    """
    return await identity.citizen_sign_in(svc, _given(body), client_address(request))
