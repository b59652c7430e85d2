"""A real API server for the stream tests (uvicorn on 127.0.0.1 in a thread, with its own
lifespan, engine and event listener) and a small Server-Sent Events reader: the in-process ASGI
transport buffers a whole response, which a stream never ends."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import uvicorn
from fastapi import FastAPI

from app.config import Settings
from app.main import create_app


class ApiServer:
    def __init__(self, settings: Settings) -> None:
        self.app: FastAPI = create_app(settings)
        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="on",
            loop="asyncio",
            timeout_graceful_shutdown=5,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> ApiServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "the server did not start"
            time.sleep(0.02)
        return self

    @property
    def url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def pool_checked_out(self) -> int:
        return int(self.app.state.services.db.engine.pool.checkedout())

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(20)
        assert not self.thread.is_alive(), "the server did not stop"


@dataclass
class Message:
    id: str | None = None
    event: str | None = None
    data: str | None = None
    comments: list[str] = field(default_factory=list)

    @property
    def json(self) -> Any:
        assert self.data is not None
        return orjson.loads(self.data)


class Stream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()

    async def next(self, within: float = 10.0) -> Message | None:
        """The next message (a comment-only block counts), None when the stream ended."""
        message = Message()
        seen = False
        async with asyncio.timeout(within):
            async for line in self._lines:
                if line == "":
                    if seen:
                        return message
                    continue
                seen = True
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "":
                    message.comments.append(value)
                elif name == "data":
                    message.data = value if message.data is None else f"{message.data}\n{value}"
                elif name in ("id", "event"):
                    setattr(message, name, value)
        return message if seen else None

    async def events(self, count: int, within: float = 10.0) -> list[Message]:
        """The next `count` messages that carry data (comments skipped)."""
        out: list[Message] = []
        deadline = time.monotonic() + within
        while len(out) < count:
            message = await self.next(max(deadline - time.monotonic(), 0.01))
            assert message is not None, f"the stream ended after {len(out)} of {count} events"
            if message.data is not None:
                out.append(message)
        return out


@asynccontextmanager
async def open_stream(
    base: str, unit_id: str, headers: dict[str, str], **params: Any
) -> AsyncIterator[Stream]:
    async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(30, read=30)) as http:
        async with http.stream(
            "GET", f"/api/v1/units/{unit_id}/cases/stream", headers=headers, params=params
        ) as response:
            assert response.status_code == 200, (await response.aread()).decode()
            assert response.headers["content-type"].startswith("text/event-stream")
            stream = Stream(response)
            first = await stream.next()
            assert first is not None and first.comments == ["connected"]
            yield stream
