"""The contract's schema names read well and fixed value sets are named enums (api.md; the
naming convention is in app/api/schemas/__init__.py).

A generated client takes its type names from the component names: `Page_TemplateOut___1`,
`app__api__routes__citizen_cases__CasePage` or `CaseTypeDocument-Input` are what it would show,
and two models with one name make generators drop operations.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections import Counter
from enum import Enum
from typing import Any, Generic, TypeVar

from fastapi import FastAPI
from pydantic import BaseModel, computed_field

import app.api.routes
import app.api.schemas
from app.api.schemas.common import Page
from app.domain.audit import AuditAction, AuditOutcome
from app.domain.case import (
    ActorType,
    AssigneeType,
    CaseOrigin,
    CaseStatus,
    Closure,
    MessageKind,
    OutboundKind,
)
from app.domain.case_types import CaseTypeOrigin, CaseTypeStatus, CentralCaseTypeKind
from app.domain.categories import Category
from app.domain.events import EventType
from app.domain.forms import QuestionType
from app.domain.policy import RegionRole, Role, SystemRole
from app.domain.service_area import ServiceAreaScope
from app.domain.webhooks import DeliveryStatus, WebhookStatus
from app.main import create_app

Doc = dict[str, Any]
BAD_NAME = re.compile(r"__|\[|\]|Page_|-Input$|-Output$")


def name_problems(doc: Doc) -> list[str]:
    names = list(doc["components"]["schemas"])
    problems = [f"unreadable component name {n!r}" for n in names if BAD_NAME.search(n)]
    # What is left of a name once FastAPI's disambiguation (module prefix, -Input/-Output,
    # pydantic's `___1` counter) is taken off: two equal stems are one name used twice.
    stems = Counter(re.sub(r"(___\d+|-Input|-Output)$", "", n).split("__")[-1] for n in names)
    problems += [f"{stem!r} names {count} components" for stem, count in stems.items() if count > 1]
    return problems


def test_component_names_are_readable_and_unique() -> None:
    assert name_problems(create_app().openapi()) == []


T = TypeVar("T")


class _RawPage(BaseModel, Generic[T]):  # no readable name for its parametrisations
    items: list[T]


class _Both(BaseModel):  # one model both ways whose output differs: FastAPI splits it
    a: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def b(self) -> int:
        return self.a


def _twin(module: str, field: str) -> type[BaseModel]:
    # Two classes named alike in two modules (their schemas differ, or pydantic would merge them).
    return type("Twin", (BaseModel,), {"__annotations__": {field: int}, "__module__": module})


def test_the_name_check_notices_duplicates_generic_pages_and_splits() -> None:
    first, second = _twin("pkg.first", "a"), _twin("pkg.second", "b")
    app = FastAPI()
    app.add_api_route("/a", lambda: None, response_model=first)
    app.add_api_route("/b", lambda: None, response_model=second)
    app.add_api_route("/c", lambda: None, response_model=_RawPage[first])  # type: ignore[valid-type]

    async def both(body: _Both) -> _Both:
        return body

    app.add_api_route("/d", both, methods=["POST"], response_model=_Both)
    problems = " ".join(name_problems(app.openapi()))
    assert "pkg__first__Twin" in problems and "'Twin' names 2" in problems
    assert "_RawPage_" in problems
    assert "_Both-Input" in problems and "_Both-Output" in problems
    assert Page[first].__name__ == "TwinPage"  # type: ignore[valid-type]


def _public_classes(package: Any, kind: type) -> list[type]:
    found = []
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if not issubclass(obj, kind) or obj.__module__ != module.__name__ or obj.__name__[0] == "_":
                continue
            # `Page[X]` is created, and so "defined", in the module that first writes it.
            if getattr(obj, "__pydantic_generic_metadata__", {}).get("origin") is None:
                found.append(obj)
    return found


def test_models_live_in_the_schemas_package_under_unique_names() -> None:
    models = _public_classes(app.api.schemas, BaseModel)
    assert len(models) > 50
    twice = [n for n, c in Counter(m.__name__ for m in models).items() if c > 1]
    assert twice == []
    assert _public_classes(app.api.routes, BaseModel) == [], "models belong in app/api/schemas/"


# Response fields with a fixed set of values → the domain enum whose named component they use.
ENUM_FIELDS: dict[str, dict[str, type[Enum]]] = {
    "CaseSummary": {"status": CaseStatus, "origin": CaseOrigin, "closure": Closure},
    "CaseDetail": {"status": CaseStatus, "origin": CaseOrigin, "closure": Closure},
    "CaseTypeRef": {"category": Category},
    "AssigneeRef": {"type": AssigneeType},
    "Message": {"kind": MessageKind},
    "CaseMessage": {"kind": MessageKind},
    "MessageAuthor": {"type": ActorType},
    "EventActor": {"type": ActorType},
    "CaseEvent": {"from_status": CaseStatus, "to_status": CaseStatus},
    "OverdueCase": {"status": CaseStatus},
    "CitizenCaseSummary": {"status": CaseStatus},
    "CitizenCaseDetail": {"status": CaseStatus, "origin": CaseOrigin, "closure": Closure},
    "CitizenMessage": {"kind": MessageKind},
    "CitizenMessageAuthor": {"type": ActorType},
    "CitizenCaseEvent": {"from_status": CaseStatus, "to_status": CaseStatus},
    "CitizenAnswer": {"type": QuestionType},
    "CitizenCaseType": {"category": Category},
    "Question": {"type": QuestionType},
    "CaseType": {"status": CaseTypeStatus, "origin": CaseTypeOrigin, "category": Category},
    "CaseTypeTemplate": {"category": Category},
    "CaseTypeCategory": {"code": Category},
    "CentralCaseTypeRef": {"kind": CentralCaseTypeKind},
    "CentralCaseType": {"kind": CentralCaseTypeKind, "category": Category},
    "UnitCentralCaseType": {"kind": CentralCaseTypeKind, "case_type_status": CaseTypeStatus},
    "MessageTemplate": {"kind": OutboundKind},
    "MessageTemplateDocument": {"kind": OutboundKind},
    "OutboundSummary": {"kind": OutboundKind},
    "OutboundDetail": {"kind": OutboundKind},
    "CategoryStatistics": {"category": Category},
    "ServiceArea": {"scope": ServiceAreaScope},
    "RoleAssignment": {"role": Role},
    "RegionRoleAssignment": {"role": RegionRole},
    "UnitStaffMember": {"roles": Role},
    "UnitMembership": {"roles": Role},
    "RegionMembership": {"roles": RegionRole},
    "Me": {"system_roles": SystemRole},
    "AuditEvent": {"action": AuditAction, "outcome": AuditOutcome},
    "AccessLogEntry": {"action": AuditAction},
    "Webhook": {"status": WebhookStatus, "events": EventType},
    "WebhookDelivery": {"status": DeliveryStatus, "event_type": EventType},
    "CaseStatusChangedData": {"status": CaseStatus, "previous_status": CaseStatus, "closure": Closure},
    "MessageCreatedData": {"message_kind": MessageKind, "author_type": ActorType},
    "CaseAssignedData": {"status": CaseStatus},
    "EventAssignee": {"type": AssigneeType},
}


def _ref(schema: Doc) -> str | None:
    """The component a property points at: directly, as `X | null`, or as a list of X."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    for option in schema.get("anyOf", []):
        if "$ref" in option:
            return _ref(option)
    if schema.get("type") == "array":
        return _ref(schema["items"])
    return None


def test_fixed_value_response_fields_are_named_domain_enums() -> None:
    components = create_app().openapi()["components"]["schemas"]
    for model, fields in ENUM_FIELDS.items():
        for field, enum in fields.items():
            ref = _ref(components[model]["properties"][field])
            assert ref == enum.__name__, f"{model}.{field} is {ref!r}, not the enum {enum.__name__}"
            assert components[ref]["enum"] == [m.value for m in enum], ref


SCHEMAS = "#/components/schemas/"


def _reachable(components: Doc, roots: list[Doc]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            # Only schemas: a response also refers to its headers (components/headers).
            if isinstance(ref, str) and ref.startswith(SCHEMAS) and ref.rsplit("/", 1)[-1] not in seen:
                seen.add(name := ref.rsplit("/", 1)[-1])
                todo.append(components[name])
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return seen


def test_no_response_model_hides_a_value_set_in_an_inline_enum() -> None:
    """Beyond the list above: a response-only model with an inline `enum` (a Literal) would give
    clients a nameless string union; it should be a domain enum. Models that are also request
    bodies (e.g. the export/import document) keep their Literals."""
    doc = create_app().openapi()
    components = doc["components"]["schemas"]
    ops = [op for item in doc["paths"].values() for op in item.values()]
    outputs = _reachable(components, [op.get("responses", {}) for op in ops])
    inputs = _reachable(components, [op.get("requestBody", {}) for op in ops])
    inline = [
        f"{name}.{field}"
        for name in sorted(outputs - inputs)
        for field, prop in components[name].get("properties", {}).items()
        if len(prop.get("enum", [])) > 1 or any(len(o.get("enum", [])) > 1 for o in prop.get("anyOf", []))
    ]
    assert inline == []
