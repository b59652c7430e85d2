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

from app.domain.errors import DomainError, ValidationFailed

# structlog, so the traceback lands in the same JSON log line as the request id.
log = structlog.get_logger("careinbox.errors")
PROBLEM_BASE = "https://careinbox.example/problems/"
MEDIA_TYPE = "application/problem+json"


def problem(status: int, type_slug: str, title: str, detail: str, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + type_slug,
        "title": title,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _clean_errors(errors: Any) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        out.append(
            {"loc": list(e.get("loc", [])), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        )
    return out


async def _domain(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    # RFC 9457's own members are never overridden by an error's extras (that would be a 500).
    extra = {k: v for k, v in exc.extra.items() if k not in {"type", "title", "status", "detail"}}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    response = problem(exc.status, exc.type_slug, exc.title, exc.detail, **extra)
    response.headers.update(exc.headers)
    return response


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


async def _database(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    if getattr(exc.orig, "sqlstate", None) in _UNSTORABLE_TEXT:
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
    app.add_exception_handler(DBAPIError, _database)
    app.add_exception_handler(Exception, _unexpected)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        doc = generate()  # FastAPI caches the document; the rewrite below is idempotent
        _document_validation_problems(doc)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


PROBLEM_SCHEMA: dict[str, Any] = {
    "content": {
        MEDIA_TYPE: {
            "schema": {
                "type": "object",
                "required": ["type", "title", "status", "detail"],
                "properties": {
                    "type": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object"}},
                },
            }
        }
    },
    "description": "RFC 9457 problem details",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the problem responses a route can give."""
    return {code: {**PROBLEM_SCHEMA, "description": HTTPStatus(code).phrase} for code in codes}


def _document_validation_problems(doc: dict[str, Any]) -> None:
    """FastAPI documents every 422 as `application/json` HTTPValidationError; the app answers
    with a problem document instead (see `_validation`), so the contract must say so."""
    problem_422 = responses(422)[422]
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            if isinstance(operation, dict) and "422" in operation.get("responses", {}):
                operation["responses"]["422"] = dict(problem_422)
    schemas = doc.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
