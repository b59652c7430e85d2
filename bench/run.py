"""`make bench`: the hot paths through the app (uvicorn on loopback, loaded by wrk) against the
same SQL sent through raw asyncpg, at the same concurrency, over a million seeded cases.

Each hot path is also measured against its floor (bench/floor.py: the smallest SQL returning the
same data, hand-written); the paths that must cost the same at any table size again over a
database of 100 k cases; and those with one uvicorn worker per core.

Database: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else DATABASE_URL, else the local server
at 127.0.0.1:5432; the bench uses its own databases `careinbox_bench` (1 M cases) and
`careinbox_bench_100k` on that server (`python -m bench.seed` seeds both ahead of a run). Results
go to docs/benchmarks.md. Environment knobs: BENCH_CONCURRENCY (8), BENCH_SECONDS (5),
BENCH_WARMUP (1), BENCH_PORT (8765), BENCH_WORKERS (the number of cores). wrk is installed from
Debian when missing and running as root; without it the app side falls back to the httpx client,
and the report says so loudly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from app.config import Settings
from app.container import build_services
from app.db.engine import Database, create_engine, to_async_url
from app.identity.tokens import TokenService
from app.main import attach_services, create_app
from bench import report, wrk
from bench.capture import Replay, capture, raw_pool
from bench.cpu import Meter
from bench.load import Stats, run_load
from bench.paths import HotPath, hot_paths
from bench.seed import BENCH_CASES, BENCH_DB, SMALL_CASES, SMALL_DB, ensure_seeded, load_ids


async def _capture_all(url: str, settings: Settings, paths: list[HotPath]) -> list[Replay]:
    """Run each hot path once in-process (warm-up), then once more under the SQL listener."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    app = create_app(settings)
    attach_services(app, build_services(settings, Database(engine)))
    replays = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        for hp in paths:
            kwargs = {"headers": hp.headers(0), "json": hp.body(0) if hp.body else None}
            await client.request(hp.method, hp.path(0), **kwargs)
            response, statements = await capture(client, engine, hp.method, hp.path(0), **kwargs)
            assert response.status_code == hp.expect, (hp.name, response.status_code, response.text)
            subs = hp.substitutions(response, statements) if hp.substitutions else None
            replays.append(Replay(statements, subs))
            print(f"  captured {len(statements)} statements for {hp.name}", flush=True)
    await engine.dispose()
    return replays


async def _wait_ready(base: str, proc: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient(base_url=base) as c:
        for _ in range(200):
            if proc.poll() is not None:
                raise RuntimeError("the bench server exited")
            try:
                if (await c.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the bench server did not start")


def _server_url() -> str:
    for name in ("BENCH_DATABASE_URL", "TEST_DATABASE_URL", "DATABASE_URL"):
        if os.environ.get(name):
            return to_async_url(os.environ[name])
    return to_async_url("postgresql://postgres@127.0.0.1:5432/postgres")


def _start_server(url: str, port: int, workers: int = 1) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "bench.server", url, str(port), str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _per_request(stats: Stats, meter: Meter) -> Stats:
    n = stats.requests or 1
    return dataclasses.replace(stats, cpu_ms=meter.process * 1000 / n, pg_ms=meter.postgres * 1000 / n)


async def _raw(replay: Replay, pool: Any, concurrency: int, seconds: float, first: int = 0) -> Stats:
    """`first`: the number of the first request, so a measured run after a warm-up creates
    cases with other ids and reference numbers."""
    def one(n: int) -> Awaitable[bool]:
        return replay.run(pool, first + n)

    with Meter(None) as meter:
        stats = await run_load(one, concurrency=concurrency, seconds=seconds, warmup=0)
    return _per_request(stats, meter)


def _wrk_app(
    wrk_path: str, base: str, requests: list[wrk.WrkRequest], pid: int, concurrency: int, seconds: float
) -> Stats:
    with Meter(pid) as meter:
        stats, _ = wrk.run(wrk_path, base, requests, connections=concurrency, seconds=seconds, warmup=0)
    return _per_request(stats, meter)


async def _httpx_app(
    hp: HotPath, http: httpx.AsyncClient, pid: int, concurrency: int, seconds: float
) -> Stats:
    async def via_app(n: int) -> bool:
        body = hp.body(n) if hp.body else None
        r = await http.request(hp.method, hp.path(n), headers=hp.headers(n), json=body)
        return r.status_code == hp.expect

    with Meter(pid) as meter:
        stats = await run_load(via_app, concurrency=concurrency, seconds=seconds, warmup=0)
    return _per_request(stats, meter)


async def _floor(fl: Any, pool: Any, concurrency: int, seconds: float, warmup: float) -> Stats:
    # Request numbers apart from the app's, the replay's (0…, 10 M…) and each other's: a write
    # path's floor creates cases whose reference numbers come from them.
    if warmup > 0:
        await run_load(lambda n: fl(pool, 30_000_000 + n), concurrency=concurrency, seconds=warmup, warmup=0)
    with Meter(None) as meter:
        stats = await run_load(
            lambda n: fl(pool, 20_000_000 + n), concurrency=concurrency, seconds=seconds, warmup=0
        )
    return _per_request(stats, meter)


@dataclasses.dataclass
class Knobs:
    concurrency: int
    seconds: float
    warmup: float
    port: int
    wrk_path: str | None


async def _served(knobs: Knobs, url: str, workers: int, work: Any) -> Any:
    """Start the bench server on `url` with `workers` processes, run `work(base, http, pid)`,
    stop it."""
    base = f"http://127.0.0.1:{knobs.port}"
    proc = _start_server(url, knobs.port, workers)
    try:
        await _wait_ready(base, proc)
        limits = httpx.Limits(max_connections=knobs.concurrency, max_keepalive_connections=knobs.concurrency)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
            return await work(base, http, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


async def main() -> str:
    k = Knobs(
        concurrency=int(os.environ.get("BENCH_CONCURRENCY", "8")),
        seconds=float(os.environ.get("BENCH_SECONDS", "5")),
        warmup=float(os.environ.get("BENCH_WARMUP", "1")),
        port=int(os.environ.get("BENCH_PORT", "8765")),
        wrk_path=wrk.ensure_wrk(),
    )
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
    concurrency, seconds, warmup = k.concurrency, k.seconds, k.warmup
    # The bench sends outbound far beyond a handler's hourly limit: it measures the send, not the
    # limit (the server subprocess and the in-process capture both read it from the environment).
    if k.wrk_path is None:
        print("WARNING: wrk is not installed and cannot be (not root): the app side falls back to the")
        print("WARNING: Python httpx client, which caps the app near 900 req/s on this machine.", flush=True)
    server = _server_url()
    url = await ensure_seeded(server, BENCH_DB, BENCH_CASES)
    small_url = await ensure_seeded(server, SMALL_DB, SMALL_CASES)
    ids = await load_ids(url)
    settings = Settings(app_env="dev", database_url=url, log_json=True, rate_limits_enabled=False)
    tokens = TokenService(settings.token_signing_key, settings.token_issuer, 3600)
    floor_paths: list[HotPath] = []
    paths = hot_paths(ids, tokens, floor_paths)
    replays = await _capture_all(url, settings, paths)
    load_before = os.getloadavg()
    dsn = _dsn(url)
    pool = await raw_pool(dsn, concurrency)
    results: list[report.Result] = []
    floors: list[tuple[str, Stats]] = []

    async def one_worker(base: str, http: httpx.AsyncClient, pid: int) -> None:
        # What a request costs before its own work: the HTTP stack, then the guards.
        for fp in floor_paths:
            stats = await _measure_app(fp, k.wrk_path, base, http, pid, concurrency, seconds, warmup)
            floors.append((fp.name, stats))
            print(f"floor {fp.name}: {stats.throughput:.0f}/s, server cpu {stats.cpu_ms:.2f} ms", flush=True)
        for hp, replay in zip(paths, replays, strict=True):
            c = hp.concurrency or concurrency
            app_stats = await _measure_app(hp, k.wrk_path, base, http, pid, c, seconds, warmup)
            if warmup > 0:
                await _raw(replay, pool, c, warmup)
            raw_stats = await _raw(replay, pool, c, seconds, first=10_000_000)
            floor_stats = await _floor(hp.floor(replay), pool, c, seconds, warmup) if hp.floor else None
            results.append(report.Result(hp.name, app_stats, raw_stats, floor_stats, len(replay.statements)))
            print(report.line(hp.name, app_stats, raw_stats, floor_stats), flush=True)

    try:
        await _served(k, url, 1, one_worker)
    finally:
        await pool.close()

    # Point 6: the same requests with one worker process per core.
    scaled: list[tuple[str, Stats]] = []

    async def n_workers(base: str, http: httpx.AsyncClient, pid: int) -> None:
        for hp in paths:
            if hp.flat:
                stats = await _measure_app(hp, k.wrk_path, base, http, pid, concurrency, seconds, warmup)
                scaled.append((hp.name, stats))
                print(
                    f"{workers} workers, {hp.name}: {stats.throughput:.0f}/s p99 {stats.p99_ms:.1f} ms",
                    flush=True,
                )

    await _served(k, url, workers, n_workers)

    # Point 5: the flat paths again over the 100 k database, app and floor.
    small: list[tuple[str, Stats, Stats | None, Stats]] = []
    small_ids = await load_ids(small_url)
    small_paths = [hp for hp in hot_paths(small_ids, tokens, []) if hp.flat]
    small_pool = await raw_pool(_dsn(small_url), concurrency)

    async def small_db(base: str, http: httpx.AsyncClient, pid: int) -> None:
        # Each 100 k figure is paired with a 1 M figure taken right after it, from a second
        # server on the 1 M database: measured minutes apart, the two drifted by more than the
        # 20 % being checked (this machine's speed changes over a run).
        big_paths = {hp.name: hp for hp in paths}

        async def paired(big_base: str, big_http: httpx.AsyncClient, big_pid: int) -> None:
            for hp in small_paths:
                app_stats = await _measure_app(hp, k.wrk_path, base, http, pid, concurrency, seconds, warmup)
                big_stats = await _measure_app(
                    big_paths[hp.name], k.wrk_path, big_base, big_http, big_pid, concurrency, seconds, warmup
                )
                fl = None
                if hp.floor:
                    fl = await _floor(hp.floor(None), small_pool, concurrency, seconds, warmup)
                small.append((hp.name, app_stats, fl, big_stats))
                print(f"100 k: {report.line(hp.name, app_stats, app_stats, fl)}", flush=True)
                print(f"  1 M right after: {big_stats.throughput:.0f}/s", flush=True)

        await _served(dataclasses.replace(k, port=k.port + 1), url, 1, paired)

    try:
        await _served(k, small_url, 1, small_db)
    finally:
        await small_pool.close()

    facts = await report.machine_facts(dsn, load_before)
    facts["app-side load generator"] = (
        f"wrk ({k.wrk_path}), 1 thread, {concurrency} connections"
        if k.wrk_path
        else f"FALLBACK: httpx.AsyncClient, {concurrency} workers (wrk missing; figures capped by the client)"
    )
    return report.render(
        results,
        facts,
        floors,
        scaled=(workers, scaled),
        small=small,
        concurrency=concurrency,
        seconds=seconds,
        warmup=warmup,
        wrk=k.wrk_path is not None,
    )


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _measure_app(
    hp: HotPath,
    wrk_path: str | None,
    base: str,
    http: httpx.AsyncClient,
    pid: int,
    concurrency: int,
    seconds: float,
    warmup: float,
) -> Stats:
    """Warm-up (discarded), then the measured run, through wrk or (fallback) httpx."""
    if wrk_path is not None:
        requests = hp.wrk_requests()
        if warmup > 0:
            _wrk_app(wrk_path, base, requests, pid, concurrency, warmup)
        return _wrk_app(wrk_path, base, requests, pid, concurrency, seconds)
    if warmup > 0:
        await _httpx_app(hp, http, pid, concurrency, warmup)
    return await _httpx_app(hp, http, pid, concurrency, seconds)


if __name__ == "__main__":
    started = time.perf_counter()
    out = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
    out.write_text(asyncio.run(main()))
    print(f"wrote {out}; bench finished in {time.perf_counter() - started:.0f}s")
