"""A local SMTP server for development: each message it receives becomes one `.eml` file.

`make run` without SMTP_HOST starts it on 127.0.0.1 (a free port) and points the worker at it,
so a newcomer sees exactly what would be sent — open `var/mail/*.eml` in any mail program or
text editor — and a log line per message says so. It is a real SMTP server (aiosmtpd), so the
worker's code path is the production one.
"""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import structlog
from aiosmtpd.controller import Controller

from app.notify.senders import mask

log = structlog.get_logger("careinbox.mail_sink")


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


class MailDirHandler:
    """aiosmtpd handler: write the message as received to `directory`, one file each."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data: bytes = envelope.original_content or envelope.content
        msg = message_from_bytes(data, policy=policy.default)
        self._count += 1
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{self._count:04d}.eml"
        path.write_bytes(data)
        log.info(
            "mail written",
            file=str(path),
            to=", ".join(mask(r) for r in envelope.rcpt_tos),
            subject=str(msg.get("Subject", "")),
        )
        return "250 Message accepted for delivery"


class MailSink:
    def __init__(self, directory: str | Path, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.directory = Path(directory)
        self.host = host
        self.port = port or free_port(host)
        self._controller: Controller | None = None

    def start(self) -> MailSink:
        # aiosmtpd logs every SMTP command at INFO; the one line per message is ours.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._controller = Controller(MailDirHandler(self.directory), hostname=self.host, port=self.port)
        self._controller.start()  # its own thread and event loop; returns once it accepts
        log.info(
            "mail sink listening", smtp=f"{self.host}:{self.port}", directory=str(self.directory.resolve())
        )
        return self

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()
