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
    assert committed == expected, (
        "openapi/openapi.json is stale: run `make openapi`, add what changed for clients to "
        "docs/api-changelog.md (docs/api-versioning.md says what v1 allows), and commit both"
    )


def test_the_versioning_policy_and_changelog_are_there() -> None:
    """Partners learn what may change within v1, how deprecation is announced, and what changed."""
    docs = COMMITTED.parents[1] / "docs"
    policy = (docs / "api-versioning.md").read_text(encoding="utf-8")
    assert "## What may change within v1" in policy
    assert "`Deprecation:" in policy and "`Sunset:" in policy
    changelog = (docs / "api-changelog.md").read_text(encoding="utf-8")
    assert changelog.startswith("# API changelog") and "\n## v1" in changelog


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
