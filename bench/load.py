"""A closed-loop load generator: `concurrency` workers each send the next request as soon as the
previous one finished, for a fixed time after a warm-up. Reports throughput and latency
percentiles of the measured window only."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stats:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    # CPU per request while measuring: the serving process (the app server, or the raw replay's
    # own Python process) and all of PostgreSQL. NaN when not measured.
    cpu_ms: float = float("nan")
    pg_ms: float = float("nan")

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[index]


async def run_load(
    request: Callable[[int], Awaitable[bool]],
    *,
    concurrency: int,
    seconds: float,
    warmup: float,
) -> Stats:
    """`request(n)` performs the n-th request and returns whether it succeeded."""
    counter = itertools.count()
    latencies: list[float] = []
    errors = 0
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + seconds

    async def worker() -> None:
        nonlocal errors
        while True:
            t0 = time.perf_counter()
            if t0 >= stop_at:
                return
            ok = await request(next(counter))
            t1 = time.perf_counter()
            if t0 >= measure_from and t1 <= stop_at:
                latencies.append(t1 - t0)
                if not ok:
                    errors += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    latencies.sort()
    return Stats(
        requests=len(latencies),
        errors=errors,
        seconds=seconds,
        p50_ms=percentile(latencies, 0.50) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )
