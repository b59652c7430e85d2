"""JSON logs with a request id, and Prometheus request metrics."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("careinbox_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("careinbox_http_request_seconds", "HTTP request latency", ["method", "route"])
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def configure_logging(json_logs: bool) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")


def _route_template(scope: Scope) -> str:
    """The matched route's path template as served, e.g. `/api/v1/units/{unit_id}`.

    FastAPI (0.165+) sets `scope["route"]` to the route as declared in its router, without the
    prefix given to `include_router`; the full template lives on its effective route context.
    """
    fastapi_scope = scope.get("fastapi")
    context = fastapi_scope.get("effective_route_context") if isinstance(fastapi_scope, dict) else None
    template = getattr(context, "path_format", None) or getattr(scope.get("route"), "path", None)
    return template if isinstance(template, str) else "unmatched"


class RequestContextMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): request id in and out, access log, metrics."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("careinbox.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        status = 500
        started = False
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                status, started = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # The last resort is here rather than in Starlette's outer ServerErrorMiddleware, so the
            # traceback is logged with the request id bound and the 500 still carries X-Request-ID.
            self.log.error("unhandled error", exc_info=exc)
            if started:
                raise
            from app.api.problems import internal_error

            await internal_error()(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            path = _route_template(scope)
            REQUESTS.labels(scope["method"], path, str(status)).inc()
            LATENCY.labels(scope["method"], path).observe(elapsed)
            self.log.info(
                "request",
                method=scope["method"],
                route=path,
                status=status,
                ms=round(elapsed * 1000, 2),
            )
            structlog.contextvars.unbind_contextvars("request_id")
