"""E-mail over SMTP (aiosmtplib): one connection per batch, plain-text and HTML parts.

The `Message-ID` is derived from the row's dedup key, not drawn at random: if the worker dies
between the relay's "250 OK" and recording the row as sent, the row is sent again with the same
Message-ID, and a receiver (or the test's SMTP server) can drop the copy.

Reply codes: 5xx to MAIL/RCPT/DATA refuses this message for good (RFC 5321) → `failed`; 4xx,
time-outs, refused or dropped connections → `retry`. An authentication or TLS failure is a
problem of our set-up, not of the message, so it retries too (and is logged) rather than
failing every row while an operator fixes the password.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import aiosmtplib

from app.notify.senders import Notice, Outcome
from app.notify.texts import render


def message_id(notice: Notice, mail_from: str) -> str:
    domain = mail_from.rpartition("@")[2] or "careinbox.invalid"
    key = hashlib.sha256((notice.dedup_key or f"outbox:{notice.id}").encode()).hexdigest()
    return f"<{key}@{domain}>"


def build_message(notice: Notice, mail_from: str, now: datetime | None = None) -> EmailMessage:
    rendered = render(notice.template, notice.facts)
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = notice.recipient
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(now or datetime.now(UTC))
    msg["Message-ID"] = message_id(notice, mail_from)
    # RFC 3834: an automatic message; auto-responders (out-of-office) should not answer it.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    msg["Content-Language"] = "sv"  # after the parts: setting content clears Content-* headers
    return msg


class EmailSender:
    channel = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        mail_from: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        tls: bool = False,
        timeout: float = 30.0,
    ) -> None:
        self.host, self.port, self.mail_from = host, port, mail_from
        self.username, self.password = username, password
        self.starttls, self.tls, self.timeout = starttls, tls, timeout
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.tls,
            start_tls=self.starttls,
            timeout=self.timeout,
            username=self.username,
            password=self.password,
        )
        await client.connect()  # EHLO, STARTTLS and AUTH as configured
        self._client = client
        return client

    async def send(self, notice: Notice) -> Outcome:
        msg = build_message(notice, self.mail_from)
        try:
            client = await self._connected()
            refused, _ = await client.send_message(msg)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await self.close()
            worst = min(exc.recipients, key=lambda r: r.code)  # a 5xx outweighs a 4xx
            return self._by_code(worst.code, f"SMTP {worst.code}: {worst.message}")
        except aiosmtplib.SMTPAuthenticationError as exc:
            await self.close()
            return Outcome.retry(f"SMTP authentication failed ({exc.code})")
        except aiosmtplib.SMTPResponseException as exc:
            await self.close()
            return self._by_code(exc.code, f"SMTP {exc.code}: {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await self.close()
            return Outcome.retry(f"SMTP {type(exc).__name__}: {exc}")
        if refused:
            code = min(resp.code for resp in refused.values())
            return self._by_code(code, f"SMTP refused the recipient ({code})")
        return Outcome.sent()

    @staticmethod
    def _by_code(code: int, detail: str) -> Outcome:
        return Outcome.failed(detail) if 500 <= code < 600 else Outcome.retry(detail)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
