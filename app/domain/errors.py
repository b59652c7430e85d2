"""Domain errors. Each carries its problem type once; one handler renders RFC 9457."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from app.domain.audit import DeniedAccess


class DomainError(Exception):
    status: ClassVar[int] = 400
    type_slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"
    # A refused access to patient data that the PDL log records after the request's transaction
    # has rolled back (app/api/deps.py). Not one of `extra`: the client never sees it.
    denied: DeniedAccess | None = None

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers the problem carries (e.g. Retry-After); none by default."""
        return {}


class NotFound(DomainError):
    status = 404
    type_slug = "not-found"
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class Unauthenticated(DomainError):
    status = 401
    type_slug = "unauthenticated"
    title = "Authentication required"


class Conflict(DomainError):
    status = 409
    type_slug = "conflict"
    title = "Conflict"


class Unavailable(DomainError):
    """The service cannot take this request now (e.g. it is shutting down); try again soon."""

    status = 503
    type_slug = "unavailable"
    title = "Service unavailable"


class InvalidTransition(Conflict):
    type_slug = "invalid-transition"
    title = "The case cannot make this transition in its current status"


class PreconditionFailed(DomainError):
    status = 412
    type_slug = "precondition-failed"
    title = "The resource has changed since it was read"


class TooManyRequests(DomainError):
    """A rate limit is reached; `retry_after` (seconds) becomes the Retry-After header."""

    status = 429
    type_slug = "too-many-requests"
    title = "Too many requests"

    def __init__(self, detail: str, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, retry_after=retry_after, **extra)
        self.retry_after = retry_after

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class ValidationFailed(DomainError):
    """Input that is well-formed JSON but breaks a domain rule (422)."""

    status = 422
    type_slug = "validation-error"
    title = "The request is not valid"

    def __init__(self, detail: str, errors: list[dict[str, Any]] | None = None, **extra: Any):
        super().__init__(detail, **extra)
        self.errors = errors or []


def field_error(loc: list[str | int], msg: str, type_: str = "value_error") -> ValidationFailed:
    return ValidationFailed(msg, errors=[{"loc": ["body", *loc], "msg": msg, "type": type_}])


def check_version(what: str, version: int, if_match: frozenset[int] | None) -> None:
    """If-Match (the versions the client read; None = no precondition) against the current one.
    Every versioned resource answers a stale precondition alike: 412 with `current_version`."""
    if if_match is not None and version not in if_match:
        raise PreconditionFailed(
            f"the {what} has changed: it is at version {version}", current_version=version
        )


