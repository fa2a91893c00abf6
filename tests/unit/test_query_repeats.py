"""A repeated query parameter is refused where the route takes one value, kept for a list."""

from __future__ import annotations

from typing import Annotated

from litestar import Litestar, get
from litestar.params import HeaderParameter, QueryParameter
from litestar.testing import TestClient

from apps.api.errors import EXCEPTION_HANDLERS
from apps.api.query_repeats import refuse_repeated_scalar_parameters


@get("/tags", sync_to_thread=False)
def tags(
    tag: Annotated[list[str] | None, QueryParameter(required=False)] = None,
    size: Annotated[int, QueryParameter(name="page-size", required=False)] = 10,
    key: Annotated[str | None, HeaderParameter(name="Idempotency-Key", required=False)] = None,
) -> dict[str, object]:
    return {"tags": tag or [], "size": size}


def _client() -> TestClient[Litestar]:
    app = Litestar(
        [tags],
        before_request=refuse_repeated_scalar_parameters,
        exception_handlers=EXCEPTION_HANDLERS,
    )
    return TestClient(app)


def test_a_list_parameter_may_repeat_and_an_unknown_one_is_ignored_as_when_given_once() -> None:
    """A header's name given in the query is a query parameter the route does not know."""
    with _client() as client:
        response = client.get(
            "/tags?tag=a&tag=b&page-size=3&utm=x&utm=y&Idempotency-Key=1&Idempotency-Key=2"
        )
    assert response.status_code == 200
    assert response.json() == {"tags": ["a", "b"], "size": 3}


def test_a_scalar_parameter_given_twice_is_refused_by_its_query_name() -> None:
    with _client() as client:
        response = client.get("/tags?page-size=3&page-size=4")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["page-size"]
