"""Operations: liveness, readiness, metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from app.api.deps import public
from app.api.schemas.ops import Readiness
from app.db.migrations import schema_state

router = APIRouter(tags=["operations"], dependencies=[Depends(public)])


@router.get("/healthz", summary="The process is up")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Database reachable and schema at the newest migration",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Not ready; `detail` says why"}},
)
async def readyz(request: Request) -> JSONResponse:
    state = await schema_state(request.app.state.services.db.engine)
    status = 200 if state.ready else 503
    return JSONResponse(state.as_dict(), status_code=status)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
