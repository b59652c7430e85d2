"""A key given twice in a JSON body is a 422 on every route (api.md "Conventions"; docs/security.md,
"ambiguous input"), nested objects included, instead of the last one silently winning."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from app.api.strict_json import StrictJSONRoute, loads_strict
from app.main import create_app
from tests.fixtures.citizen import citizen, open_clinic
from tests.fixtures.clinic import API

TWICE = b'{"a": 1, "a": 2}'


def _body_routes() -> list[tuple[str, str]]:
    """(method, path) of every operation that takes a JSON body, from the app's own contract."""
    doc: dict[str, Any] = create_app().openapi()
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                out.append((method.upper(), path))
    return out


def test_there_are_body_routes_to_walk() -> None:
    assert len(_body_routes()) > 20


@pytest.mark.parametrize(("method", "path"), _body_routes())
async def test_every_json_route_refuses_a_duplicate_key(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    # The body is read before any guard or parameter: no token, any id.
    url = path.replace("{", "").replace("}", "")
    for segment in ("unit_id", "case_id", "region_id", "id", "template_id", "grant_id"):
        url = url.replace(segment, "00000000-0000-0000-0000-000000000001")
    r = await client.request(method, url, content=TWICE, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, (method, path, r.status_code, r.text)
    error = r.json()["errors"][0]
    assert error["type"] == "json_invalid" and "duplicate key 'a'" in error["msg"]


def test_every_router_uses_the_strict_route_class() -> None:
    """Every operation, with a body or not today: a router built without the class would let the
    first body route someone adds to it read duplicate keys as last-one-wins."""
    from fastapi.routing import APIRoute, iter_route_contexts

    contexts = iter_route_contexts(create_app().routes)
    routes = [ctx for ctx in contexts if isinstance(ctx.original_route, APIRoute)]
    assert len(routes) > 50
    loose = [ctx.path_format for ctx in routes if not isinstance(ctx.original_route, StrictJSONRoute)]
    assert loose == []


def test_nested_and_deep_duplicates() -> None:
    assert loads_strict('{"a": {"b": 1, "c": [1, {"d": 1}]}}') == {"a": {"b": 1, "c": [1, {"d": 1}]}}
    for doc in ('{"a": {"b": 1, "b": 2}}', '{"a": [{"x": 1}, {"y": 1, "y": 1}]}', '{"a": 1, "b": 2, "a": 1}'):
        with pytest.raises(json.JSONDecodeError, match="duplicate key"):
            loads_strict(doc)


async def test_the_terms_cannot_be_accepted_by_a_second_key(client: httpx.AsyncClient, conn: Any) -> None:
    setup = await open_clinic(client, conn)
    who = await citizen(client)
    body = (
        f'{{"unit_id": "{setup.unit_id}", "case_type_id": "{setup.case_type_id}", '
        '"answers": {"medicine": "Levaxin", "medicine": "Alvedon"}, '
        '"terms_accepted": false, "terms_accepted": true}'
    )
    headers = {**who.headers, "Content-Type": "application/json"}
    r = await client.post(f"{API}/citizen/cases", headers=headers, content=body)
    assert r.status_code == 422, r.text
    assert (await client.get(f"{API}/citizen/cases", headers=who.headers)).json()["items"] == []
