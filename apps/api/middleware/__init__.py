"""Cross-cutting protection of every API route: limits, idempotency, CORS, headers.

Routes opt in through their ``opt`` (see ``apps.api.middleware.routes``):

- ``@post("/", status_code=201, **idempotent())`` honours an ``Idempotency-Key`` header
  and documents it in the OpenAPI schema;
- ``opt={RATE_LIMIT: AUTH_LIMITS}`` (or ``**idempotent(rate_limit=AUTH_LIMITS)``) puts a
  route under the tighter limits of login, password reset, refresh and device pairing;
  ``opt={RATE_LIMIT: NO_LIMITS}`` exempts it (``vendor_calls()``: the routes vendors call);
- ``request_max_body_size=...`` on the route lets it take bodies larger than
  ``api.max_request_body_bytes`` (uploads).
"""
