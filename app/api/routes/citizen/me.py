"""The citizen's own profile and notification settings (`/citizen/me`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import CitizenUser, Conn
from app.api.problems import responses
from app.api.schemas.citizen import CitizenMe, CitizenMePatch
from app.services import identity

router = APIRouter(tags=["me"])


@router.get("/citizen/me", response_model=CitizenMe, responses=responses(401))
async def get_citizen_me(conn: Conn, actor: CitizenUser) -> dict[str, Any]:
    return await identity.citizen_me(conn, actor)


@router.patch("/citizen/me", response_model=CitizenMe, responses=responses(401, 422))
async def patch_citizen_me(conn: Conn, actor: CitizenUser, body: CitizenMePatch) -> dict[str, Any]:
    return await identity.update_citizen_me(conn, actor, body.model_dump(exclude_unset=True))
