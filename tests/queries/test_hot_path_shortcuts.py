"""The shortcuts the hot paths take keep their guarantees (bench/analysis.md):

- a verified token is remembered, but never past its expiry or before its start;
- a prebuilt statement run straight on asyncpg (no one listening to statement events) returns
  what `exec_driver_sql` returns, inside the request's transaction, and its database errors
  are SQLAlchemy's, as on the ordinary path.
"""

from __future__ import annotations

import time
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID, uuid4

import pytest
from jose import jwt as jose_jwt
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.domain.errors import Unauthenticated
from app.identity import tokens as tokens_module
from app.identity.tokens import TokenService

SIGNING_KEY = "k" * 40


def _clock_at(monkeypatch: pytest.MonkeyPatch, moment: float) -> None:
    """Both clocks a token check reads: the cache's and python-jose's."""

    class Frozen(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> Frozen:
            return cls.fromtimestamp(moment, tz)

    monkeypatch.setattr(tokens_module.time, "time", lambda: moment)
    monkeypatch.setattr(jose_jwt, "datetime", Frozen)


def test_a_remembered_token_still_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    service = TokenService(SIGNING_KEY, "careinbox", ttl_seconds=60)
    issued = time.time()
    token = service.issue("citizen", UUID(int=7))
    assert service.verify(token, "citizen").subject.int == 7
    _clock_at(monkeypatch, issued + 30)
    assert service.verify(token, "citizen").subject.int == 7  # remembered, still valid
    _clock_at(monkeypatch, issued + 120)
    with pytest.raises(Unauthenticated):
        service.verify(token, "citizen")
    with pytest.raises(Unauthenticated):
        service.verify(token, "citizen")  # and not remembered as valid since


def test_a_remembered_token_is_not_valid_for_the_other_kind() -> None:
    service = TokenService(SIGNING_KEY, "careinbox", ttl_seconds=60)
    token = service.issue("staff", UUID(int=8))
    service.verify(token, "staff")
    with pytest.raises(Unauthenticated):
        service.verify(token, "citizen")


_ECHO = Prepared(text("SELECT CAST(:n AS integer) + 1 AS next, CAST(:s AS text) AS s"))
_COPY_A_REGION = (
    "INSERT INTO regions (name, county_code, hsa_id) SELECT name, county_code, hsa_id FROM regions"
)
_DUPLICATE_REGION = Prepared(text(_COPY_A_REGION + " LIMIT 1"))


async def test_direct_and_observed_paths_agree(
    conn: AsyncConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        # Without listeners the statement must go straight to asyncpg, never through SQLAlchemy.
        def no_fallback(*_: Any, **__: Any) -> Any:
            raise AssertionError("the direct path fell back to exec_driver_sql")

        m.setattr(type(conn), "exec_driver_sql", no_fallback)
        direct = await _ECHO.rows(conn, n=41, s="x")
    seen: list[str] = []

    def listener(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(conn.sync_connection, "before_cursor_execute", listener)  # type: ignore[arg-type]
    try:
        observed = await _ECHO.rows(conn, n=41, s="x")
    finally:
        event.remove(conn.sync_connection, "before_cursor_execute", listener)  # type: ignore[arg-type]
    assert [tuple(r) for r in direct] == [tuple(r) for r in observed] == [(42, "x")]
    assert seen == [_ECHO.sql]  # a listener sees the prebuilt statement, as sent
    assert await _ECHO.mapping(conn, n=1, s="y") == {"next": 2, "s": "y"}


async def test_direct_path_errors_are_sqlalchemy_errors(conn: AsyncConnection) -> None:
    hsa_id = f"SE2321000131-R{uuid4().int % 10**12:012d}"
    await conn.execute(
        text("INSERT INTO regions (name, county_code, hsa_id) VALUES ('R', '14', :h)"), {"h": hsa_id}
    )
    async with conn.begin_nested() as savepoint:
        with pytest.raises(IntegrityError) as caught:
            await _DUPLICATE_REGION.rows(conn)
        assert getattr(caught.value.orig, "sqlstate", None) == "23505"
        await savepoint.rollback()
    async with conn.begin_nested() as savepoint:
        with pytest.raises(DBAPIError) as nul:
            await _ECHO.rows(conn, n=1, s="a\x00b")  # the problem handlers turn 22021 into a 422
        assert getattr(nul.value.orig, "sqlstate", None) == "22021"
        await savepoint.rollback()


async def test_the_private_adapter_methods_the_direct_path_calls_still_exist(conn: AsyncConnection) -> None:
    """pyproject.toml caps SQLAlchemy below its next minor release for these; on an upgrade this
    names what went missing (the tests above would only see the direct path fall back)."""
    adapted = (await conn.get_raw_connection()).dbapi_connection
    missing = [
        n for n in ("_start_transaction", "_transaction", "_handle_exception") if not hasattr(adapted, n)
    ]
    assert missing == []
