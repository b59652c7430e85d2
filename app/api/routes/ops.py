"""Operations: liveness, readiness, metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import public
from app.api.schemas.ops import Readiness
from app.api.strict_json import StrictJSONRoute
from app.db.migrations import schema_state

router = APIRouter(tags=["operations"], dependencies=[Depends(public)], route_class=StrictJSONRoute)


@router.get("/healthz", operation_id="get_health", summary="The process is up")
async def healthz() -> dict[str, str]:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    """
    return {"status": "ok"}


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="Database reachable and schema at the newest migration",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready; `detail` says why"}},
)
async def readyz(request: Request) -> JSONResponse:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    - **Errors:** 503 with the same body when not ready (`detail` says why).
    """
    services = request.app.state.services
    state = await schema_state(services.db.engine, services.settings.readyz_timeout_seconds)
    status = 200 if state.ready else 503
    return JSONResponse(state.as_dict(), status_code=status)


@router.get(
    "/metrics",
    operation_id="get_metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics() -> Response:
    """- **Changes:** nothing.
    - **Audit:** none (no patient data).
    """
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
