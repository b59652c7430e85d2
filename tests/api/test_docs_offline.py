"""/docs and /redoc work on a closed network (issue 11): every script, style sheet and icon the
pages name is served by the app itself, from assets installed with the project."""

from __future__ import annotations

import re

import httpx

EXPECTED_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".json": "application/json",
}


def _references(html: str) -> list[str]:
    return re.findall(r'(?:src|href|spec-url|data-spec)="([^"]+)"', html)


async def test_docs_pages_name_only_assets_the_app_serves(client: httpx.AsyncClient) -> None:
    for page, must_have in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        r = await client.get(page)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "//" not in re.sub(r"<!--.*?-->", "", r.text).replace("://", ""), "no protocol-relative URL"
        assert "http://" not in r.text and "https://" not in r.text, f"{page} names another host"
        refs = _references(r.text)
        assert any(ref.endswith(must_have) for ref in refs), refs
        assert "/openapi.json" in refs
        for ref in refs:
            assert ref.startswith("/"), ref
            asset = await client.get(ref)
            assert asset.status_code == 200, ref
            suffix = ref[ref.rfind(".") :]
            assert asset.headers["content-type"].startswith(EXPECTED_TYPES[suffix]), (ref, asset.headers)
            assert len(asset.content) > 20, ref


async def test_the_bundles_are_the_real_ones(client: httpx.AsyncClient) -> None:
    swagger = await client.get("/docs/assets/swagger-ui-bundle.js")
    assert b"SwaggerUIBundle" in swagger.content and len(swagger.content) > 500_000
    redoc = await client.get("/docs/assets/redoc.standalone.js")
    assert b"Redoc" in redoc.content and len(redoc.content) > 500_000
    init = await client.get("/docs/assets/swagger-init.js")
    assert b"preauthorizeApiKey" in init.content and b"StaffToken" in init.content  # one-click login
    assert (await client.get("/docs/assets/secrets.txt")).status_code in (404, 422)


async def test_the_authorize_dialog_and_the_stub_login_are_explained(client: httpx.AsyncClient) -> None:
    """Which token goes in which of the dialog's boxes, and how a developer signs in with one click."""
    doc = (await client.get("/openapi.json")).json()
    schemes = doc["components"]["securitySchemes"]
    assert "/auth/staff/token" in schemes["StaffToken"]["description"]
    assert "/auth/citizen/token" in schemes["CitizenToken"]["description"]
    intro = doc["info"]["description"]
    assert "Authorize dialog" in intro and "stub login" in intro.lower()
    tokens = [doc["paths"][f"/api/v1/auth/{who}/token"]["post"] for who in ("staff", "citizen")]
    for op in tokens:  # the one click: Try it out + Execute with the demo identity of the example
        assert op["requestBody"]["content"]["application/json"]["example"]
