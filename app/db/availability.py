"""Whether a failure is the database being unavailable rather than a fault in the request.

Down (connection refused, the socket gone), starting up or shutting down, out of connections,
or not answering within the configured timeouts (app/db/engine.py): all are the server side's,
temporary, and worth a retry, so the API answers 503 with `Retry-After` instead of 500
(app/api/problems.py), and `/readyz` gives the same reason. Nothing here keeps state: once the
server is back, the pool's next connection works and requests succeed without a restart.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import AsyncAdapt_asyncpg_dbapi
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

RETRY_AFTER_SECONDS = 5

# Exceptions that can mean the database is unavailable, as raised to a request: SQLAlchemy's
# wrapped errors (its asyncpg adapter's own too), its pool's time-out, asyncpg's own errors when
# connecting (SQLAlchemy passes them through unwrapped), and OS-level errors (TimeoutError
# included) from the socket.
EXCEPTION_TYPES: tuple[type[Exception], ...] = (
    StatementError,  # DBAPIError's base: a driver error that is no DB-API error, e.g. a time-out
    AsyncAdapt_asyncpg_dbapi.Error,
    PoolTimeout,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    OSError,
)

_BY_SQLSTATE = {
    "57P01": "the database is shutting down",  # admin_shutdown
    "57P02": "the database restarted",  # crash_shutdown
    "57P03": "the database is starting up",  # cannot_connect_now
    "53300": "the database has no free connections",  # too_many_connections
    "57014": "the database did not answer in time",  # statement_timeout (query_canceled)
    "55P03": "the database did not answer in time",  # lock_not_available (lock_timeout)
    "25P03": "the database ended an idle transaction",  # idle_in_transaction_session_timeout
}
_BY_CLASS = {
    "08": "the database connection failed",  # connection_exception
    "53": "the database is out of resources",  # insufficient_resources
}


def _sqlstate(exc: BaseException) -> str | None:
    state = getattr(exc, "sqlstate", None)
    return state if isinstance(state, str) else None


def unavailable_reason(exc: BaseException) -> str | None:
    """A short reason when `exc` means the database is unavailable, else None."""
    if isinstance(exc, PoolTimeout):
        return "no database connection was free in time"
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        state = _sqlstate(current)
        if state is not None:
            reason = _BY_SQLSTATE.get(state) or _BY_CLASS.get(state[:2])
            if reason is not None:
                return reason
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return "the database connection was lost"
        if isinstance(current, TimeoutError):
            return "the database did not answer in time"
        if isinstance(current, OSError | asyncpg.InterfaceError):
            return f"the database is unreachable ({type(current).__name__})"
        nested = current.orig if isinstance(current, StatementError) else None
        current = nested or current.__cause__
    return None
