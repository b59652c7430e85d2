"""The app side's load generator: wrk (C, one thread, epoll), so the client costs next to nothing
of the two cores the app and PostgreSQL share. A Python client topped out near 900 req/s here,
below what the app could serve, so it measured itself (bench/analysis.md).

Each hot path becomes a Lua script whose `request()` rotates over requests built once in
`init` (`wrk.format`: method, path, headers, body), e.g. over 500 cases to view or 200 citizens'
tokens. No Idempotency-Key is sent, so repeated bodies are new cases each time.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.load import Stats


@dataclass(frozen=True)
class WrkRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


def ensure_wrk() -> str | None:
    """wrk's path; installed from Debian when missing and running as root. None: not available."""
    found = shutil.which("wrk")
    if found or os.geteuid() != 0 or not shutil.which("apt-get"):
        return found
    print("wrk is missing: apt-get install -y wrk", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, timeout=600, check=False).returncode:  # noqa: S603
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600, check=False)  # noqa: S607
        subprocess.run(install, env=env, capture_output=True, timeout=600, check=False)  # noqa: S603
    return shutil.which("wrk")


def _lua(text: str) -> str:
    """A Lua long-bracket string literal (our paths, tokens and JSON never contain `]==]`)."""
    if "]==]" in text:
        raise ValueError("cannot quote for Lua")
    return f"[==[{text}]==]"


def script(requests: Sequence[WrkRequest]) -> str:
    rows = []
    for r in requests:
        # `[ [==[k]==] ]`: the spaces keep Lua from reading `[[` as a long string.
        headers = ", ".join(f"[ {_lua(k)} ] = {_lua(v)}" for k, v in r.headers.items())
        body = _lua(r.body) if r.body is not None else "nil"
        rows.append(f"    wrk.format({_lua(r.method)}, {_lua(r.path)}, {{{headers}}}, {body}),")
    return (
        "local requests = {}\n"
        "local i = 0\n"
        "init = function(args)\n"
        "  requests = {\n" + "\n".join(rows) + "\n  }\n"
        "end\n"
        "request = function()\n"
        "  i = i + 1\n"
        "  return requests[(i % #requests) + 1]\n"
        "end\n"
    )


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not m:
        raise ValueError(f"unreadable wrk latency {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def parse(output: str, seconds: float) -> Stats:
    """Requests, errors (non-2xx/3xx responses and socket errors) and p50/p99 of wrk --latency."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(g) for g in m.groups())
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    return Stats(
        requests=requests,
        errors=errors,
        seconds=seconds,
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
    )


def run(
    wrk: str,
    base: str,
    requests: Sequence[WrkRequest],
    *,
    connections: int,
    seconds: float,
    warmup: float,
) -> tuple[Stats, str]:
    """A warm-up run (discarded), then the measured one: one wrk thread, `connections` closed-loop
    connections on keep-alive. Returns the stats and wrk's own report."""
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "bench.lua"
        lua.write_text(script(requests))
        url = base + requests[0].path

        def wrk_for(duration: float) -> str:
            cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency"]
            cmd += ["--timeout", "10s", "-s", str(lua), url]
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True)  # noqa: S603
            if done.stderr.strip():
                # wrk reports a broken script on stderr and then sends its default request.
                raise RuntimeError(f"wrk: {done.stderr.strip()}")
            return done.stdout

        if warmup > 0:
            wrk_for(warmup)
        duration = max(1, round(seconds))
        out = wrk_for(duration)
    return parse(out, float(duration)), out
