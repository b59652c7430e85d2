"""The staff member's own profile and settings, and a refresh from the HSA directory (`/me`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import AnyStaff, Conn, Svc
from app.api.problems import responses
from app.api.schemas.me import Me, StaffSettingsPatch
from app.services import identity

router = APIRouter(tags=["me"])


@router.get("/me", response_model=Me, responses=responses(401))
async def get_me(conn: Conn, actor: AnyStaff) -> dict[str, Any]:
    return await identity.me(conn, actor)


@router.patch("/me/settings", response_model=Me, responses=responses(401, 422))
async def patch_settings(conn: Conn, actor: AnyStaff, body: StaffSettingsPatch) -> dict[str, Any]:
    return await identity.update_my_settings(conn, actor, body.model_dump(exclude_unset=True))


@router.post("/me/directory-sync", response_model=Me, responses=responses(401, 404))
async def directory_sync(conn: Conn, svc: Svc, actor: AnyStaff) -> dict[str, Any]:
    return await identity.directory_sync(conn, svc, actor)
