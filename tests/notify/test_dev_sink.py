"""`make run` without SMTP_HOST: the app's lifespan runs the worker and a local SMTP sink that
writes each message to the mail folder (var/mail/ by default) and logs one line per message."""

from __future__ import annotations

import asyncio
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Settings
from app.db.tables import outbox
from app.main import create_app
from app.services.container import Services
from tests.notify.conftest import add_row, until


async def test_the_app_in_dev_delivers_to_the_mail_folder(
    settings: Settings, committed_services: Services, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = committed_services.db.engine
    async with engine.begin() as c:
        ids = [await add_row(c, recipient=f"mottagning{i}@vc.example.se") for i in range(2)]
    dev = settings.model_copy(
        update={
            "app_env": "dev",
            "smtp_host": None,
            "mail_sink_dir": str(tmp_path / "mail"),
            "outbox_poll_seconds": 0.05,
        }
    )
    app = create_app(dev, database=committed_services.db)
    async with app.router.lifespan_context(app):
        await until(lambda: asyncio.sleep(0, len(list((tmp_path / "mail").glob("*.eml"))) == 2))
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    mails = [message_from_bytes(f.read_bytes(), policy=policy.default) for f in files]
    assert sorted(str(m["To"]) for m in mails) == ["mottagning0@vc.example.se", "mottagning1@vc.example.se"]
    async with engine.connect() as c:
        statuses = (await c.execute(select(outbox.c.status).where(outbox.c.id.in_(ids)))).scalars().all()
    assert statuses == ["sent", "sent"]
    logged = capsys.readouterr()
    lines = [line for line in (logged.out + logged.err).splitlines() if "mail written" in line]
    assert len(lines) == 2 and all("m***@***.se" in line for line in lines)  # masked, one per message
