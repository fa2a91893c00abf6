"""``OPTIONS`` answers list every method of the path, in the ``Allow`` header.

Litestar builds a path's automatic OPTIONS handler when the path's first handlers are
registered; handlers added to the same path later (another controller, another method
of the same controller) rebuild the route but keep that handler, whose ``Allow`` still
names the first methods only. Pointing each automatic handler at the route that now
holds it makes ``Allow`` list what the path really accepts (RFC 9110, section 10.2.1).
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

_AUTOMATIC = "options_handler"


def point_options_at_their_routes(app: Litestar) -> None:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            function = getattr(handler.fn, "__wrapped__", handler.fn)
            if function.__name__ != _AUTOMATIC or function.__module__ != HTTPRoute.__module__:
                continue
            for cell in function.__closure__ or ():
                if isinstance(cell.cell_contents, HTTPRoute):
                    cell.cell_contents = route
