"""Headers on every response: nothing is cached, nothing is sniffed.

Responses carry personal data (cases, names, personal numbers) and tokens; `Cache-Control:
no-store` keeps them out of browser and proxy caches unless a route sets its own policy.
`X-Content-Type-Options: nosniff` stops a browser from reading a JSON or attachment body as
something else. (The `server` header is uvicorn's own; app/cli.py and the Dockerfile turn it
off.) Pure ASGI, like RequestContextMiddleware, so the cost is one wrapped `send`.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # Added only where the route has not set them itself (a download sets both), so
                # each is sent once rather than folded into "nosniff, nosniff".
                names = {name.lower() for name, _ in headers}
                if _NOSNIFF[0] not in names:
                    headers.append(_NOSNIFF)
                if _NO_STORE[0] not in names:
                    headers.append(_NO_STORE)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
