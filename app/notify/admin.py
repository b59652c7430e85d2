"""`python -m app.cli outbox`: what is waiting or has failed, and sending a row again.

Addresses and numbers are personal data, and this output lands in terminals, tickets and chat:
they are masked (`a***@***.se`, `+46*****67`); an operator who must know the full address looks
the row up in the database with the id shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.db.engine import Database
from app.db.repos import outbox as repo
from app.notify.senders import mask

USAGE = """usage: python -m app.cli outbox [pending|failed|skipped|sent|all] [--limit N]
       python -m app.cli outbox retry ID"""
STATUSES = ("pending", "failed", "skipped", "sent")
COLUMNS = ("id", "channel", "template", "status", "attempts", "next attempt (UTC)", "to", "last error")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _line(row: dict[str, Any]) -> tuple[str, ...]:
    in_flight = row["locked_until"] is not None and row["status"] == "pending"
    next_attempt = (
        f"in flight until {_when(row['locked_until'])}" if in_flight else _when(row["next_attempt_at"])
    )
    if row["status"] != "pending":
        next_attempt = "-"
    return (
        str(row["id"]),
        row["channel"],
        row["template"],
        row["status"],
        str(row["attempts"]),
        next_attempt,
        mask(row["recipient"]),
        (row["last_error"] or "")[:100],
    )


def format_rows(rows: list[dict[str, Any]]) -> str:
    lines = [COLUMNS, *(_line(r) for r in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS) - 1)]
    out = [
        "  ".join(v.ljust(w) for v, w in zip(line[:-1], widths, strict=True)) + "  " + line[-1]
        for line in lines
    ]
    return "\n".join(s.rstrip() for s in out)


async def listing(db: Database, which: str, limit: int) -> str:
    statuses = ["pending", "failed"] if which == "default" else list(STATUSES) if which == "all" else [which]
    async with db.transaction() as conn:
        rows = await repo.listing(conn, statuses, limit)
        count, age = await repo.backlog(conn)
    summary = f"{count} pending, oldest {age:.0f} s; showing {', '.join(statuses)} (at most {limit})"
    return f"{summary}\n{format_rows(rows)}" if rows else f"{summary}\nno rows"


async def retry(db: Database, row_id: int) -> bool:
    async with db.transaction() as conn:
        return await repo.retry(conn, row_id)


def parse(args: list[str]) -> tuple[str, int]:
    """(`retry` and the id) or (which rows, limit); ValueError with the usage when malformed."""
    if args[:1] == ["retry"]:
        if len(args) != 2 or not args[1].isdigit():
            raise ValueError(USAGE)
        return "retry", int(args[1])
    which, limit, rest = "default", 50, list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--limit" and rest and rest[0].isdigit():
            limit = int(rest.pop(0))
        elif arg in (*STATUSES, "all") and which == "default":
            which = arg
        else:
            raise ValueError(USAGE)
    return which, limit
