"""The citizen's own profile and notification settings (`/citizen/me`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from app.api.deps import CitizenUser, Conn
from app.api.etag import IfNoneMatch, content_tagged
from app.api.problems import responses
from app.api.schemas.citizen import CitizenMe, CitizenMePatch
from app.api.strict_json import StrictJSONRoute
from app.services import identity

router = APIRouter(tags=["me"], route_class=StrictJSONRoute)


@router.get("/citizen/me", operation_id="get_citizen_me", response_model=CitizenMe, responses=responses(401))
async def get_citizen_me(conn: Conn, actor: CitizenUser, if_none_match: IfNoneMatch = None) -> Response:
    """Your citizen profile and notification choices

    Tagged with an `ETag`; `If-None-Match` with it → 304 while nothing changed.

    - **Changes:** nothing.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 401.
    """
    return content_tagged(CitizenMe, await identity.citizen_me(conn, actor), if_none_match)


@router.patch(
    "/citizen/me", operation_id="update_citizen_me", response_model=CitizenMe, responses=responses(401, 422)
)
async def patch_citizen_me(conn: Conn, actor: CitizenUser, body: CitizenMePatch) -> dict[str, Any]:
    """Change your e-mail, phone and how you are notified

    Only the fields sent change; notifications never carry case content.

    - **Changes:** your contact details and notification choices.
    - **Audit:** none (the citizen's own data; PDL logs staff access).
    - **Errors:** 422 an invalid e-mail address or phone number.
    """
    return await identity.update_citizen_me(conn, actor, body.model_dump(exclude_unset=True))
