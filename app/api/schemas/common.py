"""Shapes shared by several areas: the page, its query parameters, small references."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar, cast
from uuid import UUID

from fastapi import Query
from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import CoreSchema

from app.domain.case import AssigneeType
from app.domain.forms import QuestionType

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None

    # `Page[CaseSummary]` is the OpenAPI component `CaseSummaryPage`, not `Page_CaseSummary_`:
    # the class is named after its item (item names are unique, so page names are), and its
    # schema's `ref` — which pydantic otherwise builds from `Page` and the item — carries that name.

    @classmethod
    def model_parametrized_name(cls, params: tuple[Any, ...]) -> str:
        (item,) = params
        return f"{item.__name__}Page"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler, /
    ) -> CoreSchema:
        schema = handler(source)
        if cls.__pydantic_generic_metadata__["args"] and "ref" in schema:
            return cast(CoreSchema, {**schema, "ref": f"{cls.__module__}.{cls.__name__}:{id(cls)}"})
        return schema


Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Cursor = Annotated[str | None, Query(max_length=512, description="opaque cursor from next_cursor")]


class Question(BaseModel):
    key: str
    label: str
    type: QuestionType
    required: bool
    options: list[str]


class AttachmentRef(BaseModel):
    id: UUID
    filename: str
    content_type: str
    size: int


class AssigneeRef(BaseModel):
    type: AssigneeType
    id: UUID
    name: str
