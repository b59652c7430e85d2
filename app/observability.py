"""JSON logs with a request id, and Prometheus request metrics."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any, TextIO

import orjson
import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("careinbox_http_requests_total", "HTTP requests", ["method", "route", "status"])
ATTACHMENTS_PURGED = Counter(
    "careinbox_attachments_purged_total", "Uploads deleted because nobody attached them within 24 h"
)
LATENCY = Histogram("careinbox_http_request_seconds", "HTTP request latency", ["method", "route"])
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# Where JSON access lines go directly (set by configure_logging); None = through structlog.
_access_stream: TextIO | None = None


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
    global _access_stream
    _access_stream = sys.stderr if json_logs else None


def _write_access_line(stream: TextIO, fields: dict[str, Any]) -> None:
    """The access line as structlog's JSON chain renders it (same fields, same order: the
    event's own, then bound context, level, timestamp), without the processor chain: it is
    written once per request (bench/analysis.md)."""
    for key, value in structlog.contextvars.get_contextvars().items():
        fields.setdefault(key, value)
    fields["level"] = "info"
    fields["timestamp"] = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    stream.write(orjson.dumps(fields, default=repr).decode() + "\n")
    stream.flush()


# Metric children by label values: `labels()` takes a lock and builds a key on every call.
_counters: dict[tuple[str, str, str], Any] = {}
_histograms: dict[tuple[str, str], Any] = {}


def _observe(method: str, route: str, status: int, elapsed: float) -> None:
    key = (method, route, str(status))
    counter = _counters.get(key)
    if counter is None:
        counter = _counters[key] = REQUESTS.labels(*key)
    counter.inc()
    histogram = _histograms.get(key[:2])
    if histogram is None:
        histogram = _histograms[key[:2]] = LATENCY.labels(method, route)
    histogram.observe(elapsed)


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
        incoming = next((v for k, v in scope["headers"] if k == b"x-request-id"), b"").decode("latin-1")
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
            _observe(scope["method"], path, status, elapsed)
            fields = {
                "method": scope["method"],
                "route": path,
                "status": status,
                "ms": round(elapsed * 1000, 2),
            }
            if _access_stream is not None:
                _write_access_line(_access_stream, {**fields, "event": "request"})
            else:
                self.log.info("request", **fields)
            structlog.contextvars.unbind_contextvars("request_id")
