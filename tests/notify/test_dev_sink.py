"""`make run` without SMTP_HOST: the worker (in the app's lifespan, or `python -m app.cli worker`
in dev) hands every e-mail to a local SMTP sink that writes one file per message to the mail
folder (var/mail/ by default) and logs one line per message."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from email import message_from_bytes, policy
from pathlib import Path

from sqlalchemy import select

from app.config import Settings
from app.container import Services
from app.db.tables import outbox
from app.main import create_app
from tests.notify.conftest import Spawn, add_row, until


def _mails(folder: Path) -> list[str]:
    return sorted(
        str(message_from_bytes(f.read_bytes(), policy=policy.default)["To"]) for f in folder.glob("*.eml")
    )


async def test_the_app_in_dev_delivers_to_the_mail_folder(
    settings: Settings, committed_services: Services, tmp_path: Path
) -> None:
    engine = committed_services.db.engine
    async with engine.begin() as c:
        ids = [await add_row(c, recipient=f"mottagning{i}@vc.example.se") for i in range(2)]
    folder = tmp_path / "mail"
    dev = settings.model_copy(
        update={
            "app_env": "dev",
            "smtp_host": None,
            "mail_sink_dir": str(folder),
            "outbox_poll_seconds": 0.05,
        }
    )
    app = create_app(dev, database=committed_services.db)
    async with app.router.lifespan_context(app):
        await until(lambda: asyncio.sleep(0, len(list(folder.glob("*.eml"))) == 2))
    assert _mails(folder) == ["mottagning0@vc.example.se", "mottagning1@vc.example.se"]
    async with engine.connect() as c:
        statuses = (await c.execute(select(outbox.c.status).where(outbox.c.id.in_(ids)))).scalars().all()
    assert statuses == ["sent", "sent"]


async def test_a_dev_worker_logs_one_line_per_message(
    database_url: str, committed_services: Services, tmp_path: Path, spawn: Spawn
) -> None:
    async with committed_services.db.engine.begin() as c:
        for i in range(3):
            await add_row(c, recipient=f"mottagning{i}@vc.example.se")
    folder = tmp_path / "mail"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMTP_", "OUTBOX_"))}
    env |= {"APP_ENV": "dev", "DATABASE_URL": database_url, "MAIL_SINK_DIR": str(folder), "LOG_JSON": "true"}
    proc = await spawn(env)
    await until(lambda: asyncio.sleep(0, len(list(folder.glob("*.eml"))) == 3), within=60)
    proc.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(proc.wait(), 15) == 0
    lines = [line for line in (tmp_path / "worker-0.log").read_text().splitlines() if "mail written" in line]
    assert len(lines) == 3
    assert all(json.loads(line)["to"] == "m***@***.se" for line in lines), lines  # masked
    assert not any("mottagning0@" in line for line in lines)
    assert _mails(folder) == [f"mottagning{i}@vc.example.se" for i in range(3)]
