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
    from app.demo.load import load_demo

    asyncio.run(load_demo(url, get_settings()))


def run() -> None:
    import uvicorn

    url = migrate()
    seed(url)
    from app.main import create_app

    port = int(os.environ.get("PORT", "8000"))
    print(f"CareInbox on http://127.0.0.1:{port}  (Swagger UI: http://127.0.0.1:{port}/docs)", flush=True)
    uvicorn.run(
        create_app(),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=10,
    )


def purge() -> None:
    """Periodic housekeeping (e.g. from cron): expired Idempotency-Keys, and uploads nobody
    attached within 24 h (rows and stored bytes)."""
    from app.db.engine import Database, create_engine
    from app.db.repos.idempotency import purge_expired
    from app.services.attachments import purge_unattached_uploads
    from app.storage.factory import build_store

    async def _run() -> tuple[int, int]:
        db = Database(create_engine(_database_url(), pool_size=1, max_overflow=0))
        store = build_store(get_settings(), db)
        try:
            async with db.transaction() as conn:
                keys = await purge_expired(conn)
            return keys, await purge_unattached_uploads(db, store)
        finally:
            await store.close()
            await db.dispose()

    keys, uploads = asyncio.run(_run())
    print(f"purged {keys} expired idempotency keys and {uploads} unattached uploads")


def worker() -> None:
    """The outbox worker on its own (production: one or more beside the API); until SIGTERM."""
    from app.notify.relay import run_worker

    url = _database_url()
    asyncio.run(run_worker(get_settings(), url))


def outbox(args: list[str]) -> None:
    """List pending/failed notifications (addresses masked), or send one again: `outbox retry ID`."""
    from app.db.engine import Database, create_engine
    from app.notify import admin

    try:
        which, arg = admin.parse(args)
    except ValueError as exc:
        sys.exit(str(exc))

    async def _run() -> str:
        db = Database(create_engine(_database_url(), pool_size=1, max_overflow=0))
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
