"""Benchmark figures as a console line and as docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import asyncpg

from bench.load import Stats

TARGET = 0.60
# Hand-written findings (profiles) kept beside the code and appended to the generated page.
ANALYSIS = Path(__file__).resolve().parent / "analysis.md"
PACKAGES = ("fastapi", "starlette", "pydantic", "sqlalchemy", "asyncpg", "uvicorn", "uvloop", "httptools")


@dataclass(frozen=True)
class Result:
    name: str
    app: Stats
    raw: Stats  # the app's own SQL replayed
    floor: Stats | None  # the hand-written best case (bench/floor.py)
    statements: int


def ratio(app: Stats, raw: Stats | None) -> float:
    return app.throughput / raw.throughput if raw is not None and raw.throughput else float("nan")


def _side(label: str, s: Stats) -> str:
    return f"{label} {s.throughput:6.0f}/s p99 {s.p99_ms:6.1f} ms cpu {s.cpu_ms:5.2f}+pg {s.pg_ms:5.2f}"


def line(name: str, app: Stats, raw: Stats, floor: Stats | None = None) -> str:
    out = f"{name:48s} {_side('app', app)} | {_side('replay', raw)}"
    if floor is not None:
        out += f" | {_side('floor', floor)} | app/floor {ratio(app, floor):4.0%}"
    return out + f" | app/replay {ratio(app, raw):4.0%} errors {app.errors}/{raw.errors}"


def _cpu() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for row in f:
                if row.startswith("model name"):
                    return row.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
        return f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


async def machine_facts(dsn: str, load: tuple[float, float, float]) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        pg = await conn.fetchval("SHOW server_version")
        cases = await conn.fetchval("SELECT reltuples::bigint FROM pg_class WHERE relname = 'cases'")
    finally:
        await conn.close()
    after = os.getloadavg()
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": f"{_cpu()}, {os.cpu_count()} logical cores (shared with other work at the time)",
        "memory": _memory(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "postgresql": f"{pg}, same machine, loopback",
        "cases in the table": f"{cases:,}",
        "load average (1, 5, 15 min) when the measuring began": " ".join(f"{x:.2f}" for x in load),
        "load average when it ended": " ".join(f"{x:.2f}" for x in after),
        "packages": ", ".join(f"{p} {_version(p)}" for p in PACKAGES),
    }


def _f(s: Stats | None, field: str, fmt: str) -> str:
    return "–" if s is None else format(getattr(s, field), fmt)


def _pct(x: float) -> str:
    return "–" if x != x else f"{x:.0%}"  # NaN: not measured


def render(
    results: list[Result],
    facts: dict[str, str],
    floors: list[tuple[str, Stats]],
    *,
    scaled: tuple[int, list[tuple[str, Stats]]],
    small: list[tuple[str, Stats, Stats | None, Stats]],
    concurrency: int,
    seconds: float,
    warmup: float,
    wrk: bool,
) -> str:
    http = floors[0][1]
    rows = [
        "| hot path | app req/s | app p99 ms | floor req/s | replay req/s | **app / floor** | replay / floor "
        "| app / replay | app CPU ms/req (server + PG) | floor CPU ms/req (client + PG) "
        "| replay CPU ms/req (client + PG) | PG CPU app / floor | statements |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        app_floor = ratio(r.app, r.floor)
        mark = "" if app_floor != app_floor or app_floor >= TARGET else " ⚠"
        pg = r.app.pg_ms / r.floor.pg_ms if r.floor is not None and r.floor.pg_ms else float("nan")
        rows.append(
            f"| {r.name} | {r.app.throughput:,.0f} | {r.app.p99_ms:.1f} "
            f"| {_f(r.floor, 'throughput', ',.0f')} "
            f"| {r.raw.throughput:,.0f} | **{_pct(app_floor)}**{mark} | {_pct(ratio(r.raw, r.floor))} "
            f"| {_pct(ratio(r.app, r.raw))} | {r.app.cpu_ms:.2f} + {r.app.pg_ms:.2f} "
            f"| {_f(r.floor, 'cpu_ms', '.2f')} + {_f(r.floor, 'pg_ms', '.2f')} "
            f"| {r.raw.cpu_ms:.2f} + {r.raw.pg_ms:.2f} | {'–' if pg != pg else f'{pg:.1f}×'} "
            f"| {r.statements} |"
        )
    errors = sum(r.app.errors + r.raw.errors + (r.floor.errors if r.floor else 0) for r in results)
    errors += sum(f.errors for _, f in floors)
    floor_rows = [
        "| request | req/s | p50 ms | p99 ms | server CPU ms/req | PostgreSQL CPU ms/req |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, f in floors:
        floor_rows.append(
            f"| {name} | {f.throughput:,.0f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} "
            f"| {f.cpu_ms:.2f} | {f.pg_ms:.2f} |"
        )
    big = {r.name: r for r in results}
    size_rows = [
        "| hot path | app req/s 100 k | app req/s 1 M | 1 M / 100 k | app CPU+PG ms/req 100 k | 1 M "
        "| floor req/s 100 k | floor req/s 1 M | app p99 ms 100 k | 1 M |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, app, fl, at_1m in small:
        b = big[name]
        size_rows.append(
            f"| {name} | {app.throughput:,.0f} | {at_1m.throughput:,.0f} | {_pct(ratio(at_1m, app))} "
            f"| {app.cpu_ms + app.pg_ms:.2f} | {at_1m.cpu_ms + at_1m.pg_ms:.2f} "
            f"| {_f(fl, 'throughput', ',.0f')} | {_f(b.floor, 'throughput', ',.0f')} "
            f"| {app.p99_ms:.1f} | {at_1m.p99_ms:.1f} |"
        )
    workers, by_workers = scaled
    worker_rows = [
        f"| hot path | 1 worker req/s | {workers} workers req/s | N / 1 | 1 worker p99 ms "
        f"| {workers} workers p99 ms | CPU+PG ms/req, 1 | {workers} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, n in by_workers:
        one = big[name].app
        worker_rows.append(
            f"| {name} | {one.throughput:,.0f} | {n.throughput:,.0f} | {_pct(ratio(n, one))} "
            f"| {one.p99_ms:.1f} | {n.p99_ms:.1f} | {one.cpu_ms + one.pg_ms:.2f} | {n.cpu_ms + n.pg_ms:.2f} |"
        )
    fact_lines = "\n".join(f"- {k}: {v}" for k, v in facts.items())
    client = (
        f"[wrk](https://github.com/wg/wrk) (one thread, {concurrency} keep-alive connections, a Lua "
        "script rotating over the requests: 500 cases to view, 200 citizens' tokens; wrk's own "
        "latency histogram, `--latency`)"
        if wrk
        else "**an `httpx.AsyncClient` (FALLBACK: wrk was missing; the client caps the app near "
        "900 req/s on this machine, so these ratios understate the app)**"
    )
    return f"""# Benchmarks

Generated by `make bench` (`python -m bench.run`); rerun it to refresh this page.

## What is measured
For each hot path, the same data three ways, one after the other, at the same concurrency of
{concurrency} (closed loop: each connection or worker sends its next request when the previous
answer arrived), {warmup:g} s warm-up then {seconds:g} s measured:

- **app**: HTTP requests to the real app under uvicorn (one worker process, uvloop + httptools)
  on 127.0.0.1, sent by {client} — routing, token check, actor load, validation, service,
  repository, serialisation, the request log line.
- **floor**: the hand-written best case (bench/floor.py): the smallest SQL that returns the same
  data (for the inbox, the page from `cases` alone by its index plus one batched look-up of the
  page's distinct citizens, case types, staff and groups; for the case view, the case with its
  JSON aggregates plus its PDL insert and commit), through a raw asyncpg pool, the answer
  encoded with the app's JSON encoder, one transaction per request, starting with the actor's
  query every request must make. The write paths' floors send only the actor's query, the load
  and the app's one set-based write statement. **app / floor** is the figure to watch (target ≥
  {TARGET:.0%}); a ⚠ marks a path below it (see the analysis below).
- **replay**: exactly the SQL the app sent for that request (captured from the app with a
  `before_cursor_execute` listener), replayed through the same raw pool. Replay / floor shows
  what the app's SQL costs beyond the floor's; app / replay what the app's Python costs.
- **CPU ms/req**: CPU time per request, from /proc, of the serving process(es) (the app server
  and its workers; for floor and replay, the bench's own Python process) and of all PostgreSQL
  processes, over the measured run. "PG CPU app / floor" is the database's share per request
  of the app against the floor's (the inbox's target: within 2×). On two cores, one Python
  process saturating one core is the ceiling.

Data: a dedicated database `careinbox_bench` with 1,000,000 cases over 50 units (the measured
clinic holds 200,000), 1.1 million messages, 200,000 citizens, and `careinbox_bench_100k` of the
same shape at a tenth of the size; seeded with `INSERT ... SELECT generate_series` and
`VACUUM ANALYZE` (bench/seed.py). Lists are the receiver's (50 per page) unless named the
handler's (a case handler: their own, their group's and those they took part in, merged); the
case view rotates over 500 cases and writes its audit event; the personal-number search rotates
over 200 citizens and writes its audit event; case creation rotates over 200 citizens (each run
adds the cases it creates).

## Results (1 M cases, one worker)
{chr(10).join(rows)}

Errors (non-2xx answers or socket errors from wrk, failed replays or floors): {errors}.

## Cost flat in table size (100 k against 1 M cases, one worker)
Each 100 k figure is paired with a 1 M figure measured right after it by a second server (the
main table's 1 M figures were taken minutes earlier, and this machine's speed drifts over a run).

{chr(10).join(size_rows)}

## Serving with every core (1 M cases)
The bench server with one uvicorn worker per core (`WEB_CONCURRENCY`, here {workers}) against one
worker. On this machine the load generator and PostgreSQL share the same {workers} cores, so the
gain is bounded by the database's and wrk's share of them.

{chr(10).join(worker_rows)}

## What a request costs before its own work
Bench-only routes added to the bench server's app only and placed first in routing, so a best
case (bench/server.py), measured the same way:

{chr(10).join(floor_rows)}

`GET /healthz` serves {http.throughput:,.0f} req/s: no endpoint can beat the HTTP stack itself.
{ANALYSIS.read_text() if ANALYSIS.exists() else ""}
## Machine
{fact_lines}

The load generator, the app and PostgreSQL share the same cores, with other work running on the
machine at the time (the load averages above), so the absolute figures are modest and vary; the
ratios, measured back to back, are the figures to watch.
"""
