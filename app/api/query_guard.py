"""Unknown query parameters are a 422, like unknown body fields (api.md "Conventions").

A misspelt filter (`?stauts=new`, `?personal_numbr=...`) would otherwise be ignored and the
caller would get the unfiltered list while believing it filtered.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from app.domain.errors import ValidationFailed

# Per route: the query parameter names it declares, its dependencies' included (e.g. limit).
_known: dict[int, tuple[APIRoute, frozenset[str]]] = {}


def _query_names(dependant: Dependant) -> Iterator[str]:
    for param in dependant.query_params:
        yield param.alias
    for sub in dependant.dependencies:
        yield from _query_names(sub)


def _declared(route: APIRoute) -> frozenset[str]:
    cached = _known.get(id(route))
    if cached is None or cached[0] is not route:
        cached = (route, frozenset(_query_names(route.dependant)))
        _known[id(route)] = cached
    return cached[1]


async def _reject_unknown_query(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or not request.query_params:
        return
    unknown = sorted(set(request.query_params.keys()) - _declared(route))
    if unknown:
        raise ValidationFailed(
            f"unknown query parameter(s): {', '.join(unknown)}",
            errors=[
                {"loc": ["query", name], "msg": "unknown query parameter", "type": "extra_forbidden"}
                for name in unknown
            ],
        )


StrictQuery = Depends(_reject_unknown_query)
