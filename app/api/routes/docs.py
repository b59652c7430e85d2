"""Swagger UI at /docs and ReDoc at /redoc, with every asset served by the app itself.

Health-care networks are often closed: a page that loads its script from a CDN is blank there.
The assets come from the `fastapi-offline` package (installed with the project, it ships
Swagger UI's and ReDoc's bundles); the pages are written here so they name no other host.
Swagger UI also gets a small script: a token operation's answer fills the Authorize dialog's
matching box (the one-click stub login of the API description).
"""

from __future__ import annotations

from importlib.resources import files
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from app.api.deps import public
from app.api.strict_json import StrictJSONRoute

router = APIRouter(dependencies=[Depends(public)], include_in_schema=False, route_class=StrictJSONRoute)

ASSETS = "/docs/assets"
_STATIC = files("fastapi_offline") / "static"
_TYPES = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# The assets hold no personal data: a browser may keep them (the API's own answers are no-store).
_CACHE = {"Cache-Control": "public, max-age=86400"}

_SWAGGER_INIT = """\
const TOKEN_BOXES = {"/api/v1/auth/staff/token": "StaffToken", "/api/v1/auth/citizen/token": "CitizenToken"};
window.ui = SwaggerUIBundle({
  url: document.currentScript.dataset.spec,
  dom_id: "#swagger-ui",
  layout: "BaseLayout",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  responseInterceptor: (res) => {
    const path = new URL(res.url, window.location.href).pathname;
    const box = TOKEN_BOXES[path.slice(path.indexOf("/api/v1/"))];
    if (box && res.ok && res.obj && res.obj.access_token) {
      window.ui.preauthorizeApiKey(box, res.obj.access_token);
    }
    return res;
  },
});
"""


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui(request: Request) -> HTMLResponse:
    root = _root(request)
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CareInbox API – Swagger UI</title>
<link rel="icon" type="image/png" href="{root}{ASSETS}/favicon.png">
<link rel="stylesheet" type="text/css" href="{root}{ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{root}{ASSETS}/swagger-ui-bundle.js"></script>
<script src="{root}{ASSETS}/swagger-init.js" data-spec="{root}/openapi.json"></script>
</body></html>""")


@router.get("/redoc", response_class=HTMLResponse)
async def redoc(request: Request) -> HTMLResponse:
    root = _root(request)
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>CareInbox API – ReDoc</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" type="image/png" href="{root}{ASSETS}/favicon.png"></head>
<body><redoc spec-url="{root}/openapi.json"></redoc>
<script src="{root}{ASSETS}/redoc.standalone.js"></script>
</body></html>""")


@router.get(f"{ASSETS}/swagger-init.js")
async def swagger_init() -> Response:
    return Response(_SWAGGER_INIT, media_type="text/javascript; charset=utf-8", headers=_CACHE)


AssetName = Literal["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"]


@router.get(ASSETS + "/{name}")
async def asset(name: Annotated[AssetName, Path()]) -> FileResponse:
    return FileResponse(str(_STATIC / name), media_type=_TYPES[name], headers=_CACHE)
