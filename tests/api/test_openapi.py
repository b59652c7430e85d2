"""The committed OpenAPI document is what the app serves (`make openapi` regenerates it)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from app.main import create_app
from tests.api.test_route_guards import route_guards

COMMITTED = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"


def _render(doc: dict[str, object]) -> str:
    # Exactly as app/cli.py writes it.
    return json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def test_committed_openapi_is_current() -> None:
    expected = _render(create_app().openapi())
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    assert committed == expected, "openapi/openapi.json is stale: run `make openapi` and commit the result"


def test_every_operation_documents_its_problems_and_security() -> None:
    app = create_app()
    public = {(m, p) for methods, p, g in route_guards(app) if g == {"public"} for m in methods.split(",")}
    doc = app.openapi()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            name = f"{method.upper()} {path}"
            assert op.get("operationId"), name
            if (method.upper(), path) not in public:
                assert op.get("security"), f"{name} declares no bearer security"
                assert "401" in op["responses"], f"{name} does not document 401"
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")) and path != "/readyz":  # readiness has its own body
                    assert "application/problem+json" in response.get("content", {}), f"{name} {code}"


async def test_the_served_document_matches(client: httpx.AsyncClient) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    assert r.json() == json.loads(_render(create_app().openapi()))
