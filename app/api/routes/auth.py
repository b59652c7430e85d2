"""Token endpoints for staff (SITHS) and citizens (BankID)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body
from pydantic import BaseModel

from app.api.deps import Conn, Public, Svc
from app.api.problems import responses
from app.api.schemas.auth import AccessToken, CitizenCredentialsIn, StaffCredentialsIn
from app.services import identity

router = APIRouter(prefix="/auth", tags=["identity"], dependencies=[Public])


def _given(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(exclude_none=True)


@router.post("/staff/token", response_model=AccessToken, responses=responses(401, 422))
async def staff_token(conn: Conn, svc: Svc, body: StaffCredentialsIn = Body()) -> dict[str, Any]:
    return await identity.staff_login(conn, svc, _given(body))


@router.post("/citizen/token", response_model=AccessToken, responses=responses(401, 422))
async def citizen_token(conn: Conn, svc: Svc, body: CitizenCredentialsIn = Body()) -> dict[str, Any]:
    return await identity.citizen_login(conn, svc, _given(body))
