"""Command line: `python -m app.cli run | migrate | seed | worker | outbox … | purge | openapi PATH`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

from app.config import get_settings
from app.db.engine import resolve_database_url
from app.db.migrations import upgrade_to_head


def _database_url() -> str:
    if get_settings().app_env == "dev" and "BOOTSTRAP_SYSTEM_ADMINS" not in os.environ:
        from app.demo.identities import SYSTEM_ADMIN

        os.environ["BOOTSTRAP_SYSTEM_ADMINS"] = json.dumps([SYSTEM_ADMIN])
        get_settings.cache_clear()
    s = get_settings()
    url = resolve_database_url(s.database_url, s.embedded_pg_dir)
    # The app process reads the same URL: the embedded server stays up while we run.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    return url


def migrate() -> str:
    url = _database_url()
    upgrade_to_head(url)
    return url


def seed(url: str) -> None:
    """The demo data, only in dev and only into an empty database or the demo's own."""
    from app.demo.load import DemoRefused, load_demo

    settings = get_settings()
    if settings.app_env != "dev":
        sys.exit(f"refusing to load the demo data: APP_ENV is {settings.app_env}, the demo is for dev only")
    try:
        asyncio.run(load_demo(url, settings))
    except DemoRefused as refused:
        sys.exit(f"refusing to load the demo data: {refused}")


def uvicorn_options(port: int) -> dict[str, object]:
    # No `server: uvicorn` header: nothing to tell a scanner which server and version answer.
    return {
        "host": "127.0.0.1",
        "port": port,
        "log_level": "warning",
        "timeout_graceful_shutdown": 10,
        "server_header": False,
    }


def run() -> None:
    """Production settings are checked before anything touches a database. In production `run`
    only serves: migrating is a deploy step run as the schema owner (`migrate`), and demo data
    never loads there. In dev it migrates and loads the demo first; in test it migrates."""
    import uvicorn

    settings = get_settings()
    settings.check_production()
    if settings.app_env != "production":
        url = migrate()
        if settings.app_env == "dev":
            seed(url)
    from app.main import create_app

    port = int(os.environ.get("PORT", "8000"))
    workers = web_concurrency()
    # Each worker refuses a schema that is behind, but uvicorn's supervisor then exits with 0:
    # the parent checks first, so a deploy sees the refusal as a failure.
    state = asyncio.run(_schema_state(resolve_database_url(settings.database_url, settings.embedded_pg_dir)))
    if state is not None:
        sys.exit(f"refusing to start: {state}")
    print(
        f"CareInbox on http://127.0.0.1:{port}  (Swagger UI: http://127.0.0.1:{port}/docs), "
        f"{workers} worker process{'es' if workers > 1 else ''}",
        flush=True,
    )
    if workers == 1:
        uvicorn.run(create_app(), **uvicorn_options(port))  # type: ignore[arg-type]
    else:
        # Each worker process builds its own app (and engine) from the factory.
        uvicorn.run("app.main:create_app", factory=True, workers=workers, **uvicorn_options(port))  # type: ignore[arg-type]


async def _schema_state(url: str) -> str | None:
    """Why the schema is not ready (behind, ahead, unknown), or None when it is."""
    from app.db.engine import create_engine, engine_options
    from app.db.migrations import schema_state

    engine = create_engine(url, **{**engine_options(get_settings()), "pool_size": 1, "max_overflow": 0})
    try:
        state = await schema_state(engine)
        return None if state.ready else str(state.as_dict()["detail"])
    finally:
        await engine.dispose()


def web_concurrency() -> int:
    """uvicorn worker processes: WEB_CONCURRENCY, by default one per core. One process serves
    one core (Python runs one thread at a time); the API keeps no state a worker could hold on
    its own that another must see: revocations, roles and rate-limit counters are read from
    PostgreSQL on every request (docs/operations.md, "Worker processes")."""
    raw = os.environ.get("WEB_CONCURRENCY", "").strip()
    if not raw:
        return os.cpu_count() or 1
    workers = int(raw)
    if workers < 1:
        raise SystemExit(f"WEB_CONCURRENCY must be 1 or more, not {raw}")
    return workers


def purge() -> None:
    """Periodic housekeeping (e.g. from cron): expired Idempotency-Keys, revocations of tokens
    that have expired anyway, ended rate-limit windows, uploads nobody attached within 24 h
    (rows and stored bytes), and domain events past EVENT_RETENTION_DAYS (the workers drop
    those hourly too). As the app role, like the API."""
    from app.db.engine import Database, create_engine, engine_options
    from app.db.repos import actors, events, idempotency, rate_limits
    from app.services.attachments import purge_unattached_uploads
    from app.storage.factory import build_store

    async def _run() -> tuple[int, int, int, int, int]:
        settings = get_settings()
        options = {**engine_options(settings), "pool_size": 1, "max_overflow": 0}
        db = Database(create_engine(_database_url(), **options))
        store = build_store(settings, db)
        try:
            async with db.transaction() as conn:
                expired = (
                    await idempotency.purge_expired(conn),
                    await actors.purge_revoked_tokens(conn),
                    await rate_limits.purge_expired(conn),
                    await events.purge(conn, settings.event_retention_days),
                )
            return (*expired, await purge_unattached_uploads(db, store))
        finally:
            await store.close()
            await db.dispose()

    keys, revoked, counters, old_events, uploads = asyncio.run(_run())
    print(
        f"purged {keys} expired idempotency keys, {revoked} revoked tokens past expiry, "
        f"{counters} ended rate-limit windows, {old_events} domain events past their retention "
        f"and {uploads} unattached uploads"
    )


def worker() -> None:
    """The outbox worker on its own (production: one or more beside the API); until SIGTERM."""
    from app.notify.relay import run_worker

    url = _database_url()
    asyncio.run(run_worker(get_settings(), url))


def outbox(args: list[str]) -> None:
    """List pending/failed notifications (addresses masked), or send one again: `outbox retry ID`."""
    from app.db.engine import Database, create_engine, engine_options
    from app.notify import admin

    try:
        which, arg = admin.parse(args)
    except ValueError as exc:
        sys.exit(str(exc))

    async def _run() -> str:
        options = {**engine_options(get_settings()), "pool_size": 1, "max_overflow": 0}
        db = Database(create_engine(_database_url(), **options))
        try:
            if which == "retry":
                if await admin.retry(db, arg):
                    return f"outbox row {arg} is pending again and will be sent shortly"
                sys.exit(f"no failed or skipped outbox row {arg}")
            return await admin.listing(db, which, arg)
        finally:
            await db.dispose()

    print(asyncio.run(_run()))


def openapi(path: str) -> None:
    from app.main import create_app

    doc = create_app().openapi()
    Path(path).write_text(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def main(argv: list[str]) -> None:
    command = argv[1] if len(argv) > 1 else "run"
    if command == "run":
        run()
    elif command == "migrate":
        migrate()
    elif command == "seed":
        seed(migrate())
    elif command == "worker":
        worker()
    elif command == "outbox":
        outbox(argv[2:])
    elif command == "purge":
        purge()
    elif command == "openapi":
        openapi(argv[2] if len(argv) > 2 else "openapi/openapi.json")
    else:
        sys.exit(f"unknown command {command!r}; use run, migrate, seed, worker, outbox, purge or openapi")


if __name__ == "__main__":
    main(sys.argv)
