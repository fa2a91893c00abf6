"""Conventions shared by every request and response schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import OpenAPIType, Schema

if TYPE_CHECKING:
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.typing import FieldDefinition


class RequestBody(msgspec.Struct, forbid_unknown_fields=True):
    """Requests refuse fields they do not know: a typo is an error, not a silent no-op.

    ``openapi_extra`` adds keywords to the body's schema for rules that tie fields together
    (``any_of``: "an e-mail address or a phone number"), which field types cannot say. It
    is read when the document is built, so it may list what plugins added by then.
    """

    @classmethod
    def openapi_extra(cls) -> dict[str, Any]:
        return {}


class ResponseBody(msgspec.Struct):
    """Responses may grow fields; clients must ignore the ones they do not know."""


class RequestBodySchemaPlugin(StructSchemaPlugin):
    """Documents what ``forbid_unknown_fields`` enforces: ``additionalProperties: false``.

    Without it the OpenAPI document would promise that any extra field is accepted, and a
    client (or a schema fuzzer) sending one would meet a refusal the schema never mentioned.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return not field_definition.is_union and field_definition.is_subclass_of(RequestBody)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        for keyword, value in field_definition.type_.openapi_extra().items():
            setattr(schema, keyword, value)
        _document_item_constraints(field_definition.type_, schema)
        for documented in (schema.properties or {}).values():
            if isinstance(documented, Schema):
                _constrain_the_value_branch(documented)
        _document_numeric_bounds(field_definition.type_, schema)
        return schema


def _documented_fields(
    struct: type[msgspec.Struct], schema: Schema
) -> Iterator[tuple[msgspec.inspect.Type, Schema]]:
    """Each field's type as msgspec checks it, beside its schema in the document."""
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    for field in info.fields:
        documented = (schema.properties or {}).get(field.encode_name)
        if isinstance(documented, Schema):
            yield field.type, documented


def _document_numeric_bounds(struct: type[msgspec.Struct], schema: Schema) -> None:
    """Litestar drops a bound that is zero (``ge=0`` is falsy to it); msgspec enforces it,
    so every numeric bound is written from msgspec's own view of the field."""
    for kind, documented in _documented_fields(struct, schema):
        number = _number(kind)
        if number is None:
            continue
        branches = [b for b in documented.one_of or [] if isinstance(b, Schema)]
        target = next((b for b in branches if b.type != OpenAPIType.NULL), documented)
        bounds = {
            "minimum": number.ge,
            "maximum": number.le,
            "exclusive_minimum": number.gt,
            "exclusive_maximum": number.lt,
        }
        for keyword, bound in bounds.items():
            if bound is not None:
                setattr(target, keyword, bound)


def _number(
    kind: msgspec.inspect.Type,
) -> msgspec.inspect.IntType | msgspec.inspect.FloatType | None:
    while isinstance(kind, msgspec.inspect.UnionType | msgspec.inspect.Metadata):
        if isinstance(kind, msgspec.inspect.Metadata):
            kind = kind.type
        else:
            kind = next(t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType))
    return kind if isinstance(kind, msgspec.inspect.IntType | msgspec.inspect.FloatType) else None


_CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusive_minimum",
    "exclusive_maximum",
    "min_length",
    "max_length",
    "pattern",
    "format",
    "min_items",
    "max_items",
)


def _constrain_the_value_branch(documented: Schema) -> None:
    """``X | None`` is documented as ``oneOf: [X, null]`` with X's constraints beside the
    ``oneOf``; they are moved into the X branch, where every JSON Schema tool reads them."""
    branches = [b for b in documented.one_of or [] if isinstance(b, Schema)]
    values = [b for b in branches if b.type != OpenAPIType.NULL]
    if len(branches) != 2 or len(values) != 1:
        return
    for keyword in _CONSTRAINTS:
        if getattr(documented, keyword) is not None:
            setattr(values[0], keyword, getattr(documented, keyword))
            setattr(documented, keyword, None)


def _document_item_constraints(struct: type[msgspec.Struct], schema: Schema) -> None:
    """Litestar documents a list of constrained strings as a list of any strings; msgspec
    checks each item, so the items' length and pattern are written here."""
    for kind, documented in _documented_fields(struct, schema):
        items = _string_items(kind)
        if items is None:
            continue
        arrays = [documented, *(documented.one_of or [])]
        for array in arrays:
            if isinstance(array, Schema) and array.type == OpenAPIType.ARRAY:
                array.items = Schema(
                    type=OpenAPIType.STRING,
                    min_length=items.min_length,
                    max_length=items.max_length,
                    pattern=items.pattern,
                )


def _string_items(kind: msgspec.inspect.Type) -> msgspec.inspect.StrType | None:
    while True:
        if isinstance(kind, msgspec.inspect.UnionType):
            kind = next(t for t in kind.types if not isinstance(t, msgspec.inspect.NoneType))
        elif isinstance(kind, msgspec.inspect.Metadata):
            kind = kind.type
        elif isinstance(kind, msgspec.inspect.ListType):
            item = kind.item_type
            item = item.type if isinstance(item, msgspec.inspect.Metadata) else item
            return item if isinstance(item, msgspec.inspect.StrType) else None
        else:
            return None
