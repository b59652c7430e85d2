"""Real servers on 127.0.0.1 for the notification tests: an SMTP server (aiosmtpd) that records
what arrives, and an HTTP SMS gateway that answers as a test scripts it. No client is mocked:
the worker talks SMTP and HTTP to these exactly as to production relays."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from app.notify.sink import free_port


class _Recording:
    def __init__(self, box: SmtpServer) -> None:
        self.box = box

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.box.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # Recorded on receipt, before the (optional) slow answer: a sender killed while waiting
        # for "250" has delivered the message all the same, as with a real relay.
        data = envelope.original_content or envelope.content
        self.box.received.append(message_from_bytes(data, policy=policy.default))  # type: ignore[arg-type]
        if self.box.delay:
            import asyncio

            await asyncio.sleep(self.box.delay)
        return "250 Message accepted"


@dataclass
class SmtpServer:
    """aiosmtpd on a fixed port for the test's life: `stop()` and `start()` again to simulate
    a relay that is down for a while."""

    port: int = field(default_factory=free_port)
    delay: float = 0.0
    refuse: set[str] = field(default_factory=set)
    received: list[EmailMessage] = field(default_factory=list)
    _controller: Controller | None = None

    def start(self) -> SmtpServer:
        self._controller = Controller(_Recording(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.received]

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@dataclass
class SmsGateway:
    """An HTTP server on 127.0.0.1: each POST is recorded and answered with the next scripted
    status (200 once the script is used up); a float in the script means "hang that long"."""

    script: list[int | float] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def start(self) -> SmsGateway:
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                gateway.requests.append({"headers": dict(self.headers), "json": body, "path": self.path})
                step = gateway.script.pop(0) if gateway.script else 200
                if isinstance(step, float):
                    time.sleep(step)
                    step = 200
                try:
                    self.send_response(step)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b"{}")
                except BrokenPipeError:  # the sender timed out and left
                    pass

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
