"""RFC 9457 problem details for every error the app returns."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.db.availability import EXCEPTION_TYPES, RETRY_AFTER_SECONDS, unavailable_reason
from app.domain.errors import DomainError, ValidationFailed

# structlog, so the traceback lands in the same JSON log line as the request id.
log = structlog.get_logger("careinbox.errors")
PROBLEM_BASE = "https://careinbox.example/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(
    status: int,
    type_slug: str,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        msg = str(e.get("msg", ""))
        ctx = e.get("ctx")
        if e.get("type") == "json_invalid" and isinstance(ctx, dict) and ctx.get("error"):
            msg = f"{msg}: {ctx['error']}"  # e.g. "duplicate key 'terms_accepted'"
        out.append({"loc": list(e.get("loc", [])), "msg": msg, "type": str(e.get("type", ""))})
    return out


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    # RFC 9457's own members are never overridden by an error's extras (that would be a 500).
    extra = {k: v for k, v in exc.extra.items() if k not in {"type", "title", "status", "detail"}}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    return problem(exc.status, exc.type_slug, exc.title, exc.detail, exc.headers or None, **extra)


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return problem(
        422,
        "validation-error",
        "The request is not valid",
        "one or more fields are missing or malformed",
        errors=_clean_errors(exc.errors()),
    )


_UNPARSABLE_BODY = "There was an error parsing the body"


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        # FastAPI answers 400 when the body is not even text (invalid UTF-8); for the contract
        # that is malformed JSON like any other, so 422 with the usual `errors`.
        return problem(
            422,
            "validation-error",
            "The request is not valid",
            "the body is not valid JSON",
            errors=[{"loc": ["body"], "msg": "the body is not valid UTF-8 JSON", "type": "json_invalid"}],
        )
    phrase = (
        HTTPStatus(exc.status_code).phrase if exc.status_code in HTTPStatus._value2member_map_ else "Error"
    )
    slug = phrase.lower().replace(" ", "-")
    detail = exc.detail if isinstance(exc.detail, str) else phrase
    response = problem(exc.status_code, slug, phrase, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error() -> JSONResponse:
    return problem(
        500, "internal-error", "Internal server error", "the server could not complete the request"
    )


# PostgreSQL refuses NUL and characters outside UTF-8 (22021 character_not_in_repertoire,
# 22P05 untranslatable_character). Text types strip them, but a field typed plain `str` that
# reaches the database would turn bad input into a 500; this makes it the 422 it is.
_UNSTORABLE_TEXT = {"22021", "22P05"}


def unavailable(reason: str) -> JSONResponse:
    return problem(
        503,
        "service-unavailable",
        "Service unavailable",
        f"{reason}; try again shortly",
        {"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


async def _database(_: Request, exc: Exception) -> JSONResponse:
    """Database trouble: bad text is the client's (422), an unavailable database is temporary
    (503 with Retry-After, app/db/availability.py), anything else a 500."""
    reason = unavailable_reason(exc)
    if reason is not None:
        log.warning("database unavailable", reason=reason, error=repr(exc))
        return unavailable(reason)
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _UNSTORABLE_TEXT:
        return problem(
            422,
            "validation-error",
            "The request is not valid",
            "the request contains characters that cannot be stored (such as NUL)",
            errors=[{"loc": ["request"], "msg": "NUL or an unstorable character", "type": "string_type"}],
        )
    log.error("database error", exc_info=exc)
    return internal_error()


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    # Normally RequestContextMiddleware answers first (with the request id); this catches the rest.
    log.error("unhandled error", exc_info=exc)
    return internal_error()


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    for exc_type in EXCEPTION_TYPES:
        app.add_exception_handler(exc_type, _database)
    app.add_exception_handler(Exception, _unexpected)


# Every 4xx/5xx response refers to the one `Problem` component (app/api/openapi_doc.py defines
# it and lists the problem types), so a generated client has one error model, not one per route.
PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "content": {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    "description": "RFC 9457 problem details",
}

# What each status means across the API; a route's own description names its particular causes.
STATUS_MEANINGS: dict[int, str] = {
    400: "The request could not be read",
    401: "No valid access token: missing, expired, revoked or for the other kind of user",
    403: "Within your reach, but your role does not allow this action",
    404: "Not found, or outside your reach (another unit, another citizen's case)",
    409: "Conflicts with the resource's current state (e.g. a message to a closed case)",
    412: "`If-Match` is stale: the resource changed since you read it (`current_version` says to what)",
    413: "The upload is larger than allowed",
    415: "The file's type is not accepted",
    422: "Invalid input; `errors[]` names each field (`loc`) and what is wrong (`msg`)",
    428: "This change needs `If-Match` with the ETag you read",
    429: "Too many requests; `Retry-After` says after how many seconds to try again",
    503: "Temporarily unavailable (database or shutdown); `Retry-After` says when to try again",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give."""
    return {code: {**PROBLEM_SCHEMA, "description": STATUS_MEANINGS[code]} for code in codes}
