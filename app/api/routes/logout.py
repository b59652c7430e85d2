"""Sign-out: the presented token, staff or citizen, is refused from now on."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.api.deps import Conn, SignedInUser, Svc
from app.api.problems import responses
from app.api.strict_json import StrictJSONRoute
from app.services import identity

router = APIRouter(prefix="/auth", tags=["identity"], route_class=StrictJSONRoute)


@router.post(
    "/logout", operation_id="logout", status_code=204, response_class=Response, responses=responses(401)
)
async def logout(conn: Conn, svc: Svc, who: SignedInUser) -> Response:
    """Sign out: revoke the presented token

    - **Changes:** the token is refused from now on (either kind).
    - **Audit:** none (no patient data).
    - **Errors:** 401 no valid token.
    """
    await identity.logout(conn, svc, who.token, who.claims)
    return Response(status_code=204)
