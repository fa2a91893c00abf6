"""A query parameter given more than once where the route takes one value is refused.

Litestar keeps the last of ``?limit=1&limit=2`` for a scalar parameter; a client that
sent both meant something the server would silently drop, so it gets a 400 naming the
parameter instead. Parameters typed as lists (``?channel=a&channel=b``) still repeat.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.enums import ParamType
from litestar.exceptions import ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition

_ONE_VALUE = "given more than once; it takes one value"
_NOT_QUERY = frozenset({ParamType.HEADER, ParamType.COOKIE})
_single_valued_by_handler: dict[BaseRouteHandler, frozenset[str]] = {}


async def refuse_repeated_scalar_parameters(request: Request[Any, Any, Any]) -> None:
    repeated = [key for key, values in request.query_params.dict().items() if len(values) > 1]
    if not repeated:
        return
    single_valued = _single_valued(request.route_handler)
    refused = [key for key in repeated if key in single_valued]
    if refused:
        raise ValidationException(
            detail="a query parameter that takes one value was given more than once",
            extra=[{"key": key, "message": _ONE_VALUE, "source": "query"} for key in refused],
        )


def _single_valued(handler: BaseRouteHandler) -> frozenset[str]:
    """The names of the handler's parameters, its dependencies' included, that take one
    value. A name it does not know is ignored however often it comes, as Litestar does."""
    known = _single_valued_by_handler.get(handler)
    if known is None:
        providers = handler.resolve_dependencies().values()
        signatures = [handler.parsed_fn_signature]
        signatures += [provider.parsed_fn_signature for provider in providers]
        known = frozenset(
            _query_name(name, field)
            for signature in signatures
            for name, field in signature.parameters.items()
            if not field.is_non_string_sequence and not _elsewhere(field)
        )
        _single_valued_by_handler[handler] = known
    return known


def _elsewhere(field: FieldDefinition) -> bool:
    """A header or a cookie: a query parameter of the same name is not this one."""
    kwarg = field.kwarg_definition
    return isinstance(kwarg, ParameterKwarg) and kwarg.param_type in _NOT_QUERY


def _query_name(name: str, field: FieldDefinition) -> str:
    kwarg = field.kwarg_definition
    if isinstance(kwarg, ParameterKwarg) and kwarg.name:
        return kwarg.name
    return name
