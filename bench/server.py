"""The app under uvicorn on loopback, for the benchmark: `python -m bench.server URL PORT`.

One worker process (or N: a third argument), the production code path (JSON logs included, to
/dev/null by the caller).
uvicorn uses uvloop and httptools (project dependencies) by itself.

Two bench-only routes, added to this process's app only and placed first (so they pay the least
routing of any route), measure what a request costs before any of its own work — best-case
ceilings the hot paths behind the same guards cannot beat on this machine:

- GET /bench/units/{unit_id}/guarded: the case reader's guard (token, role query) and the request
  transaction (BEGIN, COMMIT), then an empty JSON object;
- POST /bench/citizen/guarded: the citizen's token and a case-creation body parsed and
  validated, then an empty JSON object (no statement, so no transaction is begun).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated
from uuid import UUID

import uvicorn
from fastapi import Depends, FastAPI, Response

from app.api.deps import CitizenUser, Conn, requires
from app.api.schemas.citizen import CitizenCaseIn
from app.config import Settings
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.main import create_app

CaseReader = Annotated[StaffActor, Depends(requires(P.CASE_READ_ALL, P.CASE_READ_ASSIGNED))]


def add_floor_routes(app: FastAPI) -> None:
    async def guarded(unit_id: UUID, conn: Conn, actor: CaseReader) -> Response:
        return Response(b"{}", media_type="application/json")

    async def citizen_guarded(conn: Conn, actor: CitizenUser, body: CitizenCaseIn) -> Response:
        return Response(b"{}", media_type="application/json")

    app.add_api_route("/bench/units/{unit_id}/guarded", guarded, methods=["GET"], include_in_schema=False)
    app.add_api_route("/bench/citizen/guarded", citizen_guarded, methods=["POST"], include_in_schema=False)
    # First in line: routing walks the routes in order, so these pay the least routing of any
    # route, and their figures are a best case for every endpoint behind the same guards.
    routes = app.router.routes
    routes[:0] = [routes.pop(), routes.pop()]


def build() -> FastAPI:
    """The bench app (uvicorn's factory, so N worker processes can each build their own)."""
    # The bench lifts the rate limits: one citizen creates thousands of cases a minute here.
    url = os.environ["BENCH_SERVER_DATABASE_URL"]
    # No outbox worker in the serving process: production runs it apart (`app.cli worker`), and
    # in here its polls and housekeeping would be measured as the API's latency.
    settings = Settings(
        app_env="dev", database_url=url, log_json=True, rate_limits_enabled=False, outbox_worker_in_app=False
    )
    app = create_app(settings)
    add_floor_routes(app)
    return app


def main(url: str, port: int, workers: int = 1) -> None:
    os.environ["BENCH_SERVER_DATABASE_URL"] = url
    uvicorn.run(
        "bench.server:build",
        factory=True,
        workers=workers,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)
