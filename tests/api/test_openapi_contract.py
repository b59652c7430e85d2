"""The contract as a partner reads it (issue 11): stable short operation ids, one Problem
component, every operation described with who may call it, tags in a user's order, documented
headers, examples that match their schemas, and a document a linter accepts."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource

import app
from app.api.openapi_text import HEADERS, PROBLEM_TYPES, TAGS
from app.domain.errors import DomainError
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
IDS = Path(__file__).with_name("openapi_operation_ids.txt")
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def doc() -> Doc:
    return create_app().openapi()


def _operations(doc: Doc) -> list[tuple[str, str, Doc]]:
    return [(m.upper(), p, op) for p, item in doc["paths"].items() for m, op in item.items()]


def test_operation_ids_are_short_unique_and_the_committed_ones(doc: Doc) -> None:
    ids = [op["operationId"] for _, _, op in _operations(doc)]
    assert len(ids) == len(set(ids))
    for op_id in ids:
        assert re.fullmatch(r"[a-z][a-z_]{2,39}", op_id) and "api_v1" not in op_id, op_id
    listed = sorted(f"{m} {p} {op['operationId']}" for m, p, op in _operations(doc))
    committed = IDS.read_text(encoding="utf-8").splitlines()
    assert listed == committed, (
        "operation ids changed: generated clients call them by name, so an id never changes within "
        f"v1 (docs/api-versioning.md). A new operation: add its line to {IDS.name}."
    )


def test_every_error_response_is_the_one_problem_component(doc: Doc) -> None:
    for method, path, op in _operations(doc):
        for code, response in op["responses"].items():
            if code[0] in "45" and path != "/readyz":  # readiness answers its own body
                assert response["content"] == PROBLEM, f"{method} {path} {code}"
    schemas = doc["components"]["schemas"]
    inline = [
        n for n, s in schemas.items() if {"type", "title", "status", "detail"} <= set(s.get("properties", {}))
    ]
    assert inline == ["Problem"]
    assert {"type", "title", "status", "detail", "instance", "errors"} <= set(
        schemas["Problem"]["properties"]
    )


def _domain_errors() -> set[type[DomainError]]:
    for info in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(info.name)
    todo, seen = [DomainError], set()
    while todo:
        cls = todo.pop()
        seen.add(cls)
        todo.extend(cls.__subclasses__())
    return seen


def test_every_problem_type_the_app_sends_is_listed(doc: Doc) -> None:
    slugs = {cls.type_slug for cls in _domain_errors()}
    source = inspect.getsource(importlib.import_module("app.api.problems"))
    slugs |= set(re.findall(r'"([a-z]+(?:-[a-z]+)+)"', source))  # problem(…, "slug", …)
    assert {"validation-error", "internal-error", "service-unavailable"} <= slugs
    assert slugs - set(PROBLEM_TYPES) == set()
    listed = doc["components"]["schemas"]["Problem"]["description"]
    for slug in PROBLEM_TYPES:
        assert f"problems/{slug}`" in listed


def test_every_operation_says_who_what_and_audit(doc: Doc) -> None:
    for method, path, op in _operations(doc):
        name = f"{method} {path}"
        assert op.get("summary") and len(op["summary"]) <= 100, name
        text = op.get("description", "")
        assert "**Who may call:**" in text, name
        assert "**Changes:**" in text and "**Audit:**" in text, name
        errors = re.search(r"\*\*Errors:\*\*(.*?)(?:\n\n|\n- \*\*|\Z)", text, re.S)
        assert errors, f"{name}: no **Errors:** line"
        named = set(re.findall(r"\b[45]\d\d\b", errors.group(1)))
        assert named <= set(op["responses"]), (
            f"{name} names {named - set(op['responses'])} but does not document it"
        )


def test_who_may_call_is_the_guard_in_words(doc: Doc) -> None:
    by_id = {op["operationId"]: op["description"] for _, _, op in _operations(doc)}
    assert "`reviewer`" in by_id["list_audit_events"] and "`case_handler`" not in by_id["list_audit_events"]
    assert "`case_receiver`, `case_handler`" in by_id["get_unit_case"]
    assert "`case_handler`" in by_id["send_outbound"] and "`case_receiver`" not in by_id["send_outbound"]
    assert "system administrator" in by_id["create_region"]
    assert "a signed-in citizen" in by_id["create_citizen_case"]
    assert "anyone; no token" in by_id["create_staff_token"]


def test_tags_are_described_in_a_users_order_and_public_operations_need_no_token(doc: Doc) -> None:
    names = [t["name"] for t in doc["tags"]]
    assert names[:4] == ["identity", "me", "citizen", "cases"] and names[-2:] == [
        "national administration",
        "operations",
    ]
    assert names.index("unit administration") < names.index("case types") < names.index("audit")
    assert all(t["description"] for t in doc["tags"])
    assert len(TAGS) == len(names)
    for method, path, op in _operations(doc):
        assert len(op["tags"]) == 1 and op["tags"][0] in names, f"{method} {path}"
        public = "anyone; no token" in op["description"]
        assert (op.get("security") == []) == public, f"{method} {path}"
    assert doc["servers"] and doc["info"]["contact"] and doc["info"]["license"]


def _op(doc: Doc, op_id: str) -> Doc:
    return next(op for _, _, op in _operations(doc) if op["operationId"] == op_id)


def _params(op: Doc) -> set[str]:
    return {p["name"] for p in op.get("parameters", []) if p["in"] == "header"}


def test_headers_are_documented(doc: Doc) -> None:
    assert set(doc["components"]["headers"]) == set(HEADERS)
    assert set(HEADERS) == {"ETag", "Location", "Idempotent-Replayed", "Retry-After", "X-Request-ID"}
    for method, path, op in _operations(doc):
        for code, response in op["responses"].items():
            assert "X-Request-ID" in response.get("headers", {}), f"{method} {path} {code}"
            if code in ("429", "503"):
                assert "Retry-After" in response["headers"], f"{method} {path} {code}"
    created = _op(doc, "create_citizen_case")["responses"]["201"]["headers"]
    assert {"ETag", "Location", "Idempotent-Replayed"} <= set(created)
    assert "Idempotency-Key" in _params(_op(doc, "create_citizen_case"))
    for op_id in ("assign_case", "claim_case", "close_case", "send_case_message", "update_case_type"):
        assert "If-Match" in _params(_op(doc, op_id)), op_id
    for op_id in ("get_unit_case", "get_citizen_case", "get_me", "get_citizen_me", "get_unit"):
        op = _op(doc, op_id)
        assert "If-None-Match" in _params(op), op_id
        assert "ETag" in op["responses"]["200"]["headers"] and "304" in op["responses"], op_id


def test_every_if_match_operation_has_its_428_decision_written_down(doc: Doc) -> None:
    policy = (ROOT / "docs" / "api-versioning.md").read_text(encoding="utf-8")
    for _, _, op in _operations(doc):
        if "If-Match" in _params(op):
            assert f"`{op['operationId']}`" in policy, op["operationId"]
            assert "428" not in op["responses"]  # the decision: no 428 within v1
            if_match = next(p for p in op["parameters"] if p["name"] == "If-Match")
            assert not if_match["required"] and "never a 428" in if_match["description"]


MAIN_FLOWS = {
    "create_staff_token": ("request", "200"),
    "create_citizen_token": ("request", "200"),
    "create_citizen_case": ("request", "201"),
    "list_unit_cases": ("200",),
    "get_unit_case": ("200",),
    "get_citizen_case": ("200",),
    "assign_case": ("request", "200"),
    "send_case_message": ("request", "201"),
    "create_citizen_grant": ("request", "201"),
    "update_unit_settings": ("request", "200"),
}


def _media(op: Doc, where: str) -> Doc:
    holder = op["requestBody"] if where == "request" else op["responses"][where]
    return dict(holder["content"]["application/json"])


def test_main_flows_have_examples_that_match_their_schemas(doc: Doc) -> None:
    # The document itself, so the schemas' `#/components/...` refs resolve.
    registry = Registry().with_resource("urn:doc", Resource.opaque(doc))
    for op_id, places in MAIN_FLOWS.items():
        for where in places:
            media = _media(_op(doc, op_id), where)
            assert "example" in media, f"{op_id} {where}: no example"
            schema = {**media["schema"], "$ref": "urn:doc" + media["schema"]["$ref"]}
            errors = list(OAS31Validator(schema, registry=registry).iter_errors(media["example"]))
            assert errors == [], f"{op_id} {where}: {errors[0].message if errors else ''}"


def test_a_maintained_openapi_validator_accepts_the_document(doc: Doc) -> None:
    """openapi-spec-validator: the document against the OpenAPI 3.1 meta-schema, every $ref
    resolvable, parameters and operation ids consistent. Errors fail `make test`."""
    validate(doc)


def test_the_problems_an_operations_inputs_can_cause_are_documented(doc: Doc) -> None:
    """What follows from the request's shape alone: a path id may be out of reach (404), a body or
    an Idempotency-Key reused with another body may be invalid (422), an If-Match may be stale (412)."""
    for method, path, op in _operations(doc):
        name, codes = f"{method} {path}", set(op["responses"])
        inputs = {p["in"] for p in op.get("parameters", [])}
        if "path" in inputs:
            assert "404" in codes, name
        if "requestBody" in op or "Idempotency-Key" in _params(op):
            assert "422" in codes, name
        if "If-Match" in _params(op):
            assert "412" in codes, name
