"""JSON bodies with a key given twice are refused (422), on every route.

`json.loads` keeps the last of duplicate keys, so `{"terms_accepted": false, "terms_accepted":
true}` would read as true while a proxy, a log or a WAF in front may have read false. The
request's body is still parsed exactly once: FastAPI calls `request.json()`, and this request
class parses with an `object_pairs_hook` (C-speed parsing; the hook only builds each object's
dict and compares its size with the pairs it came from). FastAPI turns the JSONDecodeError into
its usual 422 `json_invalid`. Every router is built with `route_class=StrictJSONRoute`;
tests/api/test_strict_json.py sends a duplicate key to every route that takes a JSON body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise json.JSONDecodeError(f"duplicate key {key!r}", "", 0)
            seen.add(key)
    return obj


def loads_strict(body: bytes | str) -> Any:
    return json.loads(body, object_pairs_hook=_unique_keys)


class StrictJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads_strict(await self.body())
        return self._json


class StrictJSONRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictJSONRequest(request.scope, request.receive))

        return strict
