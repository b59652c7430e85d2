"""CPU seconds used by the app process and by PostgreSQL during a measured run (Linux /proc), so
the report can say per request where the time went, not only how many requests there were."""

from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime + stime


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def tree(pid: int) -> float:
    """CPU seconds of a process and its children (uvicorn's worker processes)."""
    return _cpu(pid) + sum(tree(c) for c in _children(pid))


def postgres() -> dict[int, float]:
    """CPU seconds so far of every PostgreSQL process on the machine, by pid."""
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    out[int(entry.name)] = _cpu(int(entry.name))
            except OSError:
                continue
    return out


class Meter:
    """`with Meter(pid) as m: ...` then m.process / m.postgres: CPU seconds used meanwhile
    (pid None: this process)."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.process = 0.0
        self.postgres = 0.0

    def _own(self) -> float:
        if self.pid is None:
            t = os.times()
            return t.user + t.system
        return tree(self.pid)

    def __enter__(self) -> Meter:
        self._p0 = self._own()
        self._pg0 = postgres()
        return self

    def __exit__(self, *exc: object) -> None:
        self.process = self._own() - self._p0
        pg1 = postgres()
        self.postgres = sum(v - self._pg0.get(pid, 0.0) for pid, v in pg1.items())
