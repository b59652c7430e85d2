"""The staff member's own profile and settings, and a refresh from the HSA directory (`/me`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.api.deps import AnyStaff, Conn, Svc
from app.api.etag import IfNoneMatch, content_tagged
from app.api.problems import responses
from app.api.schemas.me import Me, StaffSettingsPatch
from app.api.strict_json import StrictJSONRoute
from app.services import identity

router = APIRouter(tags=["me"], route_class=StrictJSONRoute)


@router.get("/me", operation_id="get_me", response_model=Me, responses=responses(401))
async def get_me(conn: Conn, actor: AnyStaff, if_none_match: IfNoneMatch = None) -> Response:
    """Your staff profile, settings, units with roles and system roles

    Tagged with an `ETag`; `If-None-Match` with it → 304 while nothing changed.

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 401.
    """
    return content_tagged(Me, await identity.me(conn, actor), if_none_match)


@router.patch(
    "/me/settings", operation_id="update_my_settings", response_model=Me, responses=responses(401, 422)
)
async def patch_settings(conn: Conn, actor: AnyStaff, body: StaffSettingsPatch) -> dict[str, Any]:
    """Change your own settings (signature, name shown to citizens, notifications)

    Only the fields sent change.

    - **Changes:** your settings.
    - **Audit:** none (no patient data).
    - **Errors:** 422 an invalid e-mail address or phone number.
    """
    return await identity.update_my_settings(conn, actor, body.model_dump(exclude_unset=True))


@router.post(
    "/me/directory-sync",
    operation_id="sync_me_from_directory",
    response_model=Me,
    responses=responses(401, 404),
)
async def directory_sync(conn: Conn, svc: Svc, actor: AnyStaff) -> dict[str, Any]:
    """Refresh your name, title, e-mail and phone from the HSA directory

    - **Changes:** your profile, from the directory.
    - **Audit:** none (no patient data).
    - **Errors:** 404 the directory does not know you.
    """
    return await identity.directory_sync(conn, svc, actor)
