"""Wiring the worker from settings: on its own (`python -m app.cli worker`) or in the app.

- Production: one or more `python -m app.cli worker` processes beside the API (they share
  nothing but the database; SKIP LOCKED and leases keep them apart). SIGTERM: the row in flight
  is finished, the rest of the batch handed back, then the process exits.
- `make run` (dev): the worker runs as a task in the app's lifespan (OUTBOX_WORKER_IN_APP,
  default on only in dev) and, with no SMTP_HOST, e-mail goes to the local sink in var/mail/.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import structlog

from app.config import ConfigurationError, Settings
from app.db.engine import Database, create_engine, resolve_database_url
from app.db.migrations import schema_state
from app.notify.email import EmailSender
from app.notify.policy import RetryPolicy
from app.notify.senders import Sender, SwitchedOff
from app.notify.sink import MailSink
from app.notify.sms import SmsSender
from app.notify.worker import Worker
from app.observability import configure_logging
from app.storage.factory import build_store
from app.storage.ports import AttachmentStore

log = structlog.get_logger("careinbox.notify")
STOP_GRACE_SECONDS = 10.0


def build_senders(settings: Settings, sink: MailSink | None = None) -> dict[str, Sender]:
    """One sender per channel; a channel without configuration is switched off (its rows end
    `skipped` with the reason). With the dev `sink`, e-mail goes there instead."""
    email: Sender = SwitchedOff("email", "e-mail switched off: SMTP_HOST is not set")
    if sink is not None:
        email = EmailSender(host=sink.host, port=sink.port, mail_from=settings.mail_from)
    elif settings.smtp_host:
        password = settings.smtp_password
        email = EmailSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            mail_from=settings.mail_from,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            starttls=settings.smtp_starttls,
            tls=settings.smtp_tls,
            timeout=settings.smtp_timeout_seconds,
        )
    sms: Sender = SwitchedOff("sms", "SMS switched off: SMS_GATEWAY_URL is not set")
    if settings.sms_gateway_url:
        token = settings.sms_gateway_token.get_secret_value() if settings.sms_gateway_token else None
        sms = SmsSender(url=settings.sms_gateway_url, token=token, timeout=settings.sms_timeout_seconds)
    return {"email": email, "sms": sms}


def build_worker(
    settings: Settings, db: Database, senders: dict[str, Sender], store: AttachmentStore | None = None
) -> Worker:
    """The worker as the settings describe it; with `store`, it also purges stale uploads."""
    return Worker(
        db,
        senders,
        policy=RetryPolicy(
            base_seconds=settings.outbox_retry_base_seconds,
            cap_seconds=settings.outbox_retry_cap_seconds,
            max_attempts=settings.outbox_max_attempts,
        ),
        batch_size=settings.outbox_batch_size,
        lease_seconds=settings.outbox_lease_seconds,
        poll_seconds=settings.outbox_poll_seconds,
        reminder_interval_seconds=settings.reminder_interval_seconds,
        store=store,
        purge_interval_seconds=settings.attachment_purge_interval_seconds,
    )


def wants_sink(settings: Settings) -> bool:
    return settings.app_env == "dev" and not settings.smtp_host


async def _start_sink(settings: Settings) -> MailSink:
    return await asyncio.to_thread(MailSink(settings.mail_sink_dir).start)


@asynccontextmanager
async def embedded_relay(
    settings: Settings, db: Database, store: AttachmentStore | None = None
) -> AsyncIterator[None]:
    """The worker (and in dev the mail sink) for the app's lifespan, when enabled; given the
    app's attachment `store`, it purges stale uploads with it."""
    if not settings.worker_in_app:
        yield
        return
    sink = await _start_sink(settings) if wants_sink(settings) else None
    worker = build_worker(settings, db, build_senders(settings, sink), store)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop), name="outbox-worker")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        except TimeoutError:
            log.warning("outbox worker did not stop in time; its rows return when the lease lapses")
        finally:
            if sink is not None:
                sink.stop()


async def run_worker(settings: Settings, database_url: str | None = None) -> None:
    """`python -m app.cli worker`: until SIGTERM or SIGINT."""
    settings.check_worker()
    configure_logging(settings.log_json)
    url = database_url or resolve_database_url(settings.database_url, settings.embedded_pg_dir)
    # Claims, marks and the heartbeat: a few short transactions at a time.
    db = Database(create_engine(url, pool_size=3, max_overflow=2))
    sink: MailSink | None = None
    store: AttachmentStore | None = None
    try:
        state = await schema_state(db.engine)
        if not state.ready:
            raise ConfigurationError(f"refusing to start: {state.as_dict()['detail']}")
        if settings.worker_metrics_port:
            from prometheus_client import start_http_server

            start_http_server(settings.worker_metrics_port)
        sink = await _start_sink(settings) if wants_sink(settings) else None
        store = build_store(settings, db)
        worker = build_worker(settings, db, build_senders(settings, sink), store)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        await worker.run(stop)
    finally:
        if sink is not None:
            sink.stop()
        if store is not None:
            await store.close()
        await db.dispose()
