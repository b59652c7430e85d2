"""Hot-path statements compiled once and sent straight to asyncpg in the request's transaction.

SQLAlchemy caches compiled SQL, but a Core statement built per request is still constructed and
walked for its cache key on every execution, and each execution goes through an execution
context, a cursor adapter and a result object: on the inbox, the case view and case creation
that was most of the request's CPU (bench/analysis.md). A `Prepared` is a Core statement written
once with `bindparam()` placeholders (so it stays readable and checked against
app/db/tables.py), compiled once for PostgreSQL/asyncpg at import time. A call only orders the
values and applies the types' bind processors (JSONB → text, as SQLAlchemy would), then:

- inside the transaction SQLAlchemy began on this connection (its BEGIN sent now if the asyncpg
  adapter had not sent it yet), and with no one listening to the engine's or connection's
  events, it runs on the asyncpg connection itself (asyncpg keeps the server-side prepared
  statement), with database errors raised as SQLAlchemy's DBAPIError like any other statement;
- otherwise (a test or the bench's capture listening for statements, autocommit) through
  `exec_driver_sql`, so the same SQL and parameters are seen by every `before_cursor_execute`
  listener.

Rows are sequences (indexable) either way; `named()` / `named_row()` give rows read by column
label (`row["name"]`: asyncpg's Record as it comes, or the mapping of SQLAlchemy's row), and
`mapping()` a dict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, cast

from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
_Slot = tuple[str | None, Any, Callable[[Any], Any] | None]


def _observed(sync: Any) -> bool:
    """Whether anyone listens to statements on this connection or its engine now. SQLAlchemy's
    `_has_events` flag stays set after the last listener is removed, which would keep the direct
    path off for good once any test (or tool) had listened."""
    return any(
        bool(getattr(target.dispatch, name))
        for target in (sync, sync.engine)
        for name in ("before_cursor_execute", "after_cursor_execute")
    )


class NamedRow(Protocol):
    """A row read by column label, never by position: reordering a statement's columns cannot
    silently swap two fields."""

    def __getitem__(self, key: str, /) -> Any: ...


class Prepared:
    """One statement, compiled once: `await p.rows(conn, name=value, ...)`."""

    __slots__ = ("_slots", "sql")

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)
        self.sql: str = compiled.string
        processors = compiled._bind_processors
        slots: list[_Slot] = []
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            processor: Callable[[Any], Any] | None = cast(Any, processors.get(name))
            if bind.expanding:
                raise ValueError("expanding parameters need per-call SQL; use = any(array)")
            if not bind.required and bind.callable is None:
                # A literal written into the statement (e.g. literal("email")): fixed once.
                value = processor(bind.value) if processor else bind.value
                slots.append((None, value, None))
            else:
                slots.append((bind.key, None, processor))
        self._slots = tuple(slots)

    def args(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for key, fixed, processor in self._slots:
            if key is None:
                out.append(fixed)
            else:
                value = params[key]
                # As SQLAlchemy does, None goes through the processor too (JSONB: JSON null).
                out.append(processor(value) if processor is not None else value)
        return tuple(out)

    async def rows(self, conn: AsyncConnection, **params: Any) -> Sequence[Any]:
        args = self.args(params)
        sync = conn.sync_connection
        if sync is not None and sync.in_transaction() and not _observed(sync):
            fairy = sync.connection
            driver, adapted = fairy.driver_connection, fairy.dbapi_connection
            if driver is not None and await _began(driver, adapted):
                try:
                    return cast(Sequence[Any], await driver.fetch(self.sql, *args))
                except Exception as error:
                    raise _translated(sync.dialect, adapted, self.sql, args, error) from error
        return (await conn.exec_driver_sql(self.sql, args)).all()

    async def row(self, conn: AsyncConnection, **params: Any) -> Sequence[Any] | None:
        """The only row, or None; more than one is a bug in the statement."""
        found = await self.rows(conn, **params)
        if len(found) > 1:
            raise RuntimeError("more than one row")
        return found[0] if found else None

    async def named(self, conn: AsyncConnection, **params: Any) -> Sequence[NamedRow]:
        found = await self.rows(conn, **params)
        if found and isinstance(found[0], Row):  # the exec_driver_sql path
            return [row._mapping for row in found]
        return cast(Sequence[NamedRow], found)  # asyncpg Records are read by label as they are

    async def named_row(self, conn: AsyncConnection, **params: Any) -> NamedRow | None:
        """The only row, or None, read by label."""
        found = await self.named(conn, **params)
        if len(found) > 1:
            raise RuntimeError("more than one row")
        return found[0] if found else None

    async def mapping(self, conn: AsyncConnection, **params: Any) -> dict[str, Any] | None:
        found = await self.row(conn, **params)
        if found is None:
            return None
        return dict(found._mapping) if isinstance(found, Row) else dict(cast(Any, found).items())


async def _began(driver: Any, adapted: Any) -> bool:
    """Whether the database transaction is open, sending its BEGIN now if SQLAlchemy has begun
    the transaction but its asyncpg adapter was waiting for the first statement to send it (as
    it does: the same `_start_transaction` its cursor calls). False when that cannot be done
    safely here (autocommit, or an adapter without that method): the caller falls back."""
    if driver.is_in_transaction():
        return True
    start = getattr(adapted, "_start_transaction", None)
    if start is None or getattr(adapted, "_transaction", 0) is not None:
        return False
    if getattr(adapted, "isolation_level", "autocommit") == "autocommit":
        return False
    await start()
    return bool(driver.is_in_transaction())


def _translated(dialect: Any, adapted: Any, sql: str, args: tuple[Any, ...], error: Exception) -> Exception:
    """The exception SQLAlchemy would raise for `error`: its asyncpg adapter's DB-API error
    (with `sqlstate`), wrapped in DBAPIError (the problem handlers map some of them)."""
    try:
        adapted._handle_exception(error)  # always raises: the translated error, or `error`
    except Exception as translated:
        wrapped: Exception = DBAPIError.instance(
            sql, args, translated, dialect.loaded_dbapi.Error, dialect=dialect
        )
        return wrapped
    return error
