"""The contract's shared prose and components: API description, tags, headers, the Problem
component and its types. app/api/openapi_doc.py puts them into the document."""

from __future__ import annotations

from typing import Any

from app.api.problems import PROBLEM_BASE

API_DESCRIPTION = """\
Secure case inbox between citizens and their healthcare clinics: citizens send cases to a unit,
staff distribute, answer and close them; every read of patient data is PDL-audited.

**Signing in (Swagger UI's Authorize dialog).** There are two kinds of token, one box each:
- `StaffToken`: the `access_token` from `POST /api/v1/auth/staff/token` — for every staff,
  unit, region and national administration operation;
- `CitizenToken`: the `access_token` from `POST /api/v1/auth/citizen/token` — for the
  `/citizen/...` operations.

Both travel as `Authorization: Bearer <token>`; fill in the box that matches the operation (only
the token itself, without `Bearer`). **One-click stub login (dev):** with the stub identity
providers (`make run`), open a token operation, press *Try it out* and *Execute*: the example
body is a demo identity (e.g. `SE2321000131-P000000000002`, Hans Handläggare; the citizen
Tolvan Tolvansson, `191212121212`), and this page puts the returned token into the matching box
for you. `POST /api/v1/auth/logout` revokes it.

**Conventions.** JSON with `snake_case` fields, UUID ids, RFC 3339 UTC times. Lists are pages
`{"items", "next_cursor"}` with `limit` and an opaque `cursor`. Errors are RFC 9457 problems
(the `Problem` schema lists their types). A case's `version` is its `ETag`: send it back as
`If-Match` on a change (a stale one → 412) or as `If-None-Match` on a read (unchanged → 304).
`Idempotency-Key` makes case creation, messages and outbound sends safe to repeat. Every
response carries `X-Request-ID` (send your own to correlate logs). What may change within `v1`
and how deprecation is announced: docs/api-versioning.md; changes: docs/api-changelog.md.
"""

# In the order a user meets them: sign in, oneself, the citizen's side, the staff inbox, then
# administration from the unit up to the nation, and last the operator's endpoints.
TAGS: list[tuple[str, str]] = [
    ("identity", "Sign in (stub or OIDC identity providers) and sign out. Tokens are bearer tokens."),
    ("me", "The signed-in user's own profile and settings, staff (`/me`) or citizen (`/citizen/me`)."),
    (
        "citizen",
        "The citizen's side: which units one may contact and with what, attachments, sending a case, "
        "reading the answers and replying, and one's own PDL access log. Only one's own cases.",
    ),
    (
        "cases",
        "The unit's inbox for staff: list and read cases (audited), distribute, claim, answer, close, "
        "internal notes, attachments, follow-up of overdue cases and the live event stream.",
    ),
    ("outbound", "Cases started by the unit: one message to up to 250 citizens at once."),
    ("statistics", "The unit's case statistics (counts only, no personal data); JSON or CSV."),
    (
        "unit administration",
        "A unit's settings, staff and role assignments, groups, message templates and citizen grants.",
    ),
    (
        "case types",
        "What citizens can send: the unit's case types, regional templates, central case types and "
        "the fixed category list.",
    ),
    ("webhooks", "Signed webhook subscriptions of a unit and their delivery log."),
    ("audit", "The unit's PDL audit log for reviewers; CSV export."),
    ("national administration", "Regions, units, regional admins and the stub staff directory."),
    ("operations", "Liveness, readiness and metrics for the operator. Public, no personal data."),
]

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'The resource\'s version as a quoted tag (`"3"`); send it as `If-Match` on a '
        "change or `If-None-Match` on a read.",
        "schema": {"type": "string", "example": '"3"'},
    },
    "Location": {
        "description": "The URL of the resource just created.",
        "schema": {"type": "string", "format": "uri-reference"},
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the stored response to an earlier request with the same "
        "`Idempotency-Key` (nothing was created this time).",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-Request-ID": {
        "description": "The request's id (yours if you sent a valid `X-Request-ID`), also in the logs.",
        "schema": {"type": "string"},
    },
}

Statuses = dict[str, tuple[str, ...]]
_CASE_READ: Statuses = {"200": ("ETag",), "304": ("ETag",)}
_CASE_CHANGE: Statuses = {"200": ("ETag",)}
_CREATED_TAGGED: Statuses = {"201": ("ETag",)}
_IDEMPOTENT_TAGGED: Statuses = {"201": ("ETag", "Idempotent-Replayed")}
# Which operations send which of the headers above, per success status.
OPERATION_HEADERS: dict[str, Statuses] = {
    "get_unit_case": _CASE_READ,
    "get_citizen_case": _CASE_READ,
    "get_me": _CASE_READ,
    "get_citizen_me": _CASE_READ,
    "get_unit": _CASE_READ,
    "assign_case": _CASE_CHANGE,
    "claim_case": _CASE_CHANGE,
    "close_case": _CASE_CHANGE,
    "add_case_note": _CREATED_TAGGED,
    "send_case_message": _IDEMPOTENT_TAGGED,
    "reply_to_citizen_case": _IDEMPOTENT_TAGGED,
    "create_citizen_case": {"201": ("ETag", "Location", "Idempotent-Replayed")},
    "send_outbound": {"201": ("Location", "Idempotent-Replayed")},
    "create_case_type": _CREATED_TAGGED,
    "copy_region_template": _CREATED_TAGGED,
    "get_case_type": _CASE_CHANGE,
    "update_case_type": _CASE_CHANGE,
    "activate_case_type": _CASE_CHANGE,
    "deactivate_case_type": _CASE_CHANGE,
    "activate_central_case_type": {"200": ("ETag",), "201": ("ETag",)},
}

# Every problem `type` the app sends (PROBLEM_BASE + slug) and what it means.
PROBLEM_TYPES: dict[str, str] = {
    "bad-request": "400: the request could not be read at all.",
    "unauthenticated": "401: no valid access token (missing, expired, revoked, wrong kind).",
    "forbidden": "403: the resource is within reach, but the caller's role does not allow the action.",
    "not-found": "404: no such resource, or outside the caller's reach (never a 403 for those).",
    "method-not-allowed": "405: the path exists, the method does not.",
    "conflict": "409: the request conflicts with the current state (e.g. a name taken, a key in use).",
    "invalid-transition": "409: the case cannot make this transition in its current status.",
    "precondition-failed": "412: `If-Match` is stale; `current_version` is the version now.",
    "payload-too-large": "413: the file is larger than allowed.",
    "unsupported-media-type": "415: the file's real type is not accepted.",
    "validation-error": "422: invalid input; `errors[]` names the fields.",
    "idempotency-key-reused": "422: the `Idempotency-Key` was used before with another body.",
    "too-many-requests": "429: a rate limit is reached; wait `Retry-After` seconds.",
    "upload-quota-exceeded": "429: too many unused uploads; wait `Retry-After` seconds or attach one.",
    "internal-error": "500: the server failed; the request id in `X-Request-ID` finds it in the logs.",
    "service-unavailable": "503: the database is unavailable for now; try again after `Retry-After`.",
    "unavailable": "503: the service is shutting down or busy; try again shortly.",
}

_TYPE_LIST = "\n".join(f"- `{PROBLEM_BASE}{slug}` — {text}" for slug, text in PROBLEM_TYPES.items())

PROBLEM_COMPONENT: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "type": "object",
        "description": "An RFC 9457 problem (`application/problem+json`). Its types:\n\n" + _TYPE_LIST,
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "format": "uri", "description": "The problem type (list above)."},
            "title": {"type": "string", "description": "A short summary of the type."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "What went wrong with this request."},
            "instance": {"type": "string", "description": "The request this problem is about."},
            "errors": {
                "type": "array",
                "description": "422 only: one entry per invalid field.",
                "items": {"$ref": "#/components/schemas/ProblemFieldError"},
            },
            "current_version": {"type": "integer", "description": "412 only: the version now."},
            "retry_after": {"type": "integer", "description": "429 only: as the Retry-After header."},
        },
        "example": {
            "type": f"{PROBLEM_BASE}validation-error",
            "title": "The request is not valid",
            "status": 422,
            "detail": "one or more fields are missing or malformed",
            "errors": [{"loc": ["body", "terms_accepted"], "msg": "Field required", "type": "missing"}],
        },
    },
    "ProblemFieldError": {
        "title": "ProblemFieldError",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": {
                "type": "array",
                "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                "description": "Where: `body`, `query`, `header` or `path`, then the field's path.",
            },
            "msg": {"type": "string", "description": "What is wrong."},
            "type": {"type": "string", "description": "A machine-readable error kind."},
        },
    },
}
