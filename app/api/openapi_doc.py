"""The OpenAPI document as partners, the SPA and generated clients read it (issue 11).

FastAPI builds the paths from the routes; `install` rewrites the result once (FastAPI caches it):
- info, servers, contact, license, and how to sign in through Swagger UI's Authorize dialog;
- tags with descriptions, in the order a user meets them;
- the one `Problem` component every 4xx/5xx refers to, with the problem types it carries;
- response headers (`ETag`, `Location`, `Idempotent-Replayed`, `Retry-After`, `X-Request-ID`);
- `security: []` on public operations and "Who may call" from each route's guard, so the
  roles in the document are the ones the code checks;
- a route's docstring split into summary (first line) and description (the rest).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts

from app.api.deps import GUARD_ATTR
from app.api.openapi_examples import add_examples
from app.api.openapi_text import (
    API_DESCRIPTION,
    HEADERS,
    OPERATION_HEADERS,
    PROBLEM_COMPONENT,
    TAGS,
)
from app.api.problems import STATUS_MEANINGS, responses
from app.domain.policy import ROLE_PERMISSIONS, Permission, RegionRole, Role

Doc = dict[str, Any]
_METHODS = {"get", "put", "post", "patch", "delete", "head", "options"}


def _guards(dependant: Dependant) -> Iterator[str]:
    if dependant.call is not None and hasattr(dependant.call, GUARD_ATTR):
        yield str(getattr(dependant.call, GUARD_ATTR))
    for sub in dependant.dependencies:
        yield from _guards(sub)


def _roles_with(permissions: list[str], kind: type[Role] | type[RegionRole]) -> list[str]:
    wanted = {Permission(p) for p in permissions}
    return [f"`{r.value}`" for r in kind if ROLE_PERMISSIONS[r] & wanted]


def who_may_call(guard: str) -> str:
    """The guard's label (app/api/deps.py) in words."""
    if guard == "public":
        return "anyone; no token."
    if guard == "staff":
        return "a signed-in staff member (`StaffToken`); any narrower rule is described below."
    if guard == "citizen":
        return "a signed-in citizen (`CitizenToken`), for their own data only."
    if guard == "staff|citizen":
        return "any signed-in staff member or citizen (either token)."
    if guard == "system":
        return "a system administrator (`system_admin`)."
    kind, _, label = guard.partition(":")
    permissions = label.split("|")
    if kind == "region":
        return f"a {', '.join(_roles_with(permissions, RegionRole))} of the region in the path."
    system = "system" in permissions
    roles = ", ".join(_roles_with([p for p in permissions if p != "system"], Role))
    return f"staff holding one of the roles {roles} at the unit in the path" + (
        ", or a system administrator." if system else "."
    )


def _operations(doc: Doc) -> Iterator[tuple[str, str, Doc]]:
    for path, item in doc.get("paths", {}).items():
        for method, operation in item.items():
            if method in _METHODS:
                yield path, method, operation


def _route_facts(app: FastAPI) -> dict[str, tuple[str, str, bool]]:
    """operationId → (guard label, description text, whether the route names its own summary).

    The text is the decorator's `description=` (if any) and the endpoint's docstring; without an
    explicit `summary=`, the docstring's first paragraph is the summary.
    """
    out: dict[str, tuple[str, str, bool]] = {}
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        if not (isinstance(route, APIRoute) and route.include_in_schema and route.operation_id):
            continue
        # A unit, region or system guard reads the staff actor itself: the narrower one counts.
        guards = sorted(set(_guards(ctx.dependant)))
        if len(guards) > 1:
            guards.remove("staff")
        doc = (inspect.getdoc(route.endpoint) or "").split("\f")[0].strip()
        arg = route.description if route.description != doc else ""
        explicit = bool(route.summary)
        summary, rest = ("", doc) if explicit else _split(doc)
        text = "\n\n".join(part for part in (summary, arg, rest) if part)
        out[route.operation_id] = ("+".join(guards), text, explicit)
    return out


def _split(doc: str) -> tuple[str, str]:
    first, _, rest = doc.partition("\n\n")
    return first, rest.strip()


def _describe(operation: Doc, guard: str, text: str, explicit_summary: bool) -> None:
    if text and not explicit_summary:
        first, text = _split(text)
        operation["summary"] = " ".join(first.split()).rstrip(".")
    who = f"**Who may call:** {who_may_call(guard)}" if guard else ""
    operation["description"] = "\n\n".join(part for part in (who, text) if part)


def _document_responses(operation: Doc, operation_id: str) -> None:
    problem_422 = responses(422)[422]
    if "304" in OPERATION_HEADERS.get(operation_id, {}):
        operation["responses"].setdefault(
            "304", {"description": "Not modified: the ETag in `If-None-Match` is current; no body."}
        )
    for code, response in operation.get("responses", {}).items():
        if code == "422":
            # FastAPI documents it as its own HTTPValidationError; the app answers a problem.
            response.clear()
            response.update(problem_422)
        if code.startswith(("4", "5")) and "description" in response:
            meaning = STATUS_MEANINGS.get(int(code))
            if response["description"] in ("", "Validation Error") and meaning:
                response["description"] = meaning
        headers = response.setdefault("headers", {})
        headers["X-Request-ID"] = {"$ref": "#/components/headers/X-Request-ID"}
        if code in ("429", "503"):
            headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        if code.startswith("2") or code == "304":
            for name in OPERATION_HEADERS.get(operation_id, {}).get(code, ()):
                headers[name] = {"$ref": f"#/components/headers/{name}"}


def _list_errors(operation: Doc) -> None:
    """A route whose docstring names no notable errors still says which problems it answers: its
    documented 4xx/5xx with their general meaning, so every description has an Errors line."""
    if "**Errors:**" in operation["description"]:
        return
    codes = sorted(int(c) for c in operation["responses"] if c.startswith(("4", "5")))
    meanings = "; ".join(f"{code} {STATUS_MEANINGS[code].split(';')[0].lower()}" for code in codes)
    operation["description"] += f"\n- **Errors:** {meanings or 'none'}."


def rewrite(doc: Doc, app: FastAPI) -> Doc:
    facts = _route_facts(app)
    doc["info"].update(
        description=API_DESCRIPTION,
        contact={"name": "CareInbox", "url": "https://careinbox.example/", "email": "api@careinbox.example"},
        license={"name": "Proprietary", "url": "https://careinbox.example/terms"},
    )
    doc["servers"] = [{"url": "/", "description": "this server"}]
    doc["tags"] = [{"name": name, "description": text} for name, text in TAGS]
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas.update(PROBLEM_COMPONENT)
    components["headers"] = HEADERS
    for _, _, operation in _operations(doc):
        operation_id = operation["operationId"]
        guard, text, explicit = facts.get(operation_id, ("", "", True))
        _describe(operation, guard, text, explicit)
        if guard == "public":
            operation["security"] = []
        _document_responses(operation, operation_id)
        _list_errors(operation)
    add_examples(doc)
    return doc


def install(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> Doc:
        if app.openapi_schema is None:
            app.openapi_schema = rewrite(generate(), app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
