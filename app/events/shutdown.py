"""End the live streams as soon as the server is asked to stop, not after its grace period.

A server stopping gracefully (uvicorn on SIGTERM or Ctrl-C) stops accepting, then waits for
open responses to finish before it runs the app's lifespan shutdown — and an SSE stream never
finishes by itself, so every stop would wait out the whole grace period and then cut the
streams. The app therefore chains its own step in front of the server's signal handlers (which
the server installs before the lifespan starts): the streams end at once, cleanly, and the
server's own handler runs as before. Only the main thread can handle signals; elsewhere (a
server run in a thread by tests) this does nothing and the lifespan shutdown ends the streams.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextmanager
def before_exit_signals(callback: Callable[[], Any]) -> Iterator[None]:
    """Run `callback` on the event loop when SIGINT or SIGTERM arrives, then the handler that
    was there before; the previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    previous: dict[int, Any] = {}

    def handler(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(callback)
        before = previous.get(sig)
        if callable(before):
            before(sig, frame)
        elif before == signal.SIG_DFL:  # no server handler: the default action, as before
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in SIGNALS:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for number, before in previous.items():
            if signal.getsignal(number) is handler:
                signal.signal(number, before)
