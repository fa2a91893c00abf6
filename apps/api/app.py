"""The Litestar application, built around a container that the caller owns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Server

from apps.api.allow_headers import point_options_at_their_routes
from apps.api.audit.features import feature_controllers
from apps.api.audit.recorder import AuditMiddleware
from apps.api.auth.controller import AuthController
from apps.api.backups.controller import BackupController
from apps.api.blobs.controller import BlobLinkController
from apps.api.bootstrap.controller import bootstrap
from apps.api.devices.controller import DeviceController
from apps.api.devices.pairing_controller import DeviceDecisionController, DevicePairingController
from apps.api.errors import EXCEPTION_HANDLERS
from apps.api.files.controller import FileController
from apps.api.files.openapi import document_uploads
from apps.api.health import health, readiness
from apps.api.json_bodies import JsonBodyRequest
from apps.api.middleware.cors import CorsMiddleware
from apps.api.middleware.headers import add_security_headers
from apps.api.middleware.idempotency import IdempotencyMiddleware
from apps.api.middleware.limits import RateLimitMiddleware
from apps.api.network.controller import network_requirements
from apps.api.notifications.controller import NotificationController
from apps.api.notifications.customisation_controller import CustomisationController
from apps.api.photon.controller import PhotonController
from apps.api.plugin_routes import plugin_router
from apps.api.problem_responses import document_problems
from apps.api.query_repeats import refuse_repeated_scalar_parameters
from apps.api.realtime.controller import FirebaseTokenController, PresenceController
from apps.api.realtime.stream import event_socket, event_source
from apps.api.realtime.sweeper import presence_sweeper
from apps.api.recordings.controller import (
    ArchiveCallbackController,
    RecordingController,
    RecordingModeController,
)
from apps.api.schemas import RequestBodySchemaPlugin
from apps.api.sessions.calls_controller import CallController
from apps.api.sessions.controller import SessionController
from apps.api.sessions.guest_controller import GuestController
from apps.api.tenants.controller import TenantController
from apps.api.usage.controller import UsageController
from apps.api.users.api_keys_controller import ApiKeyController
from apps.api.users.controller import UserController
from apps.api.webhooks.vonage import VonageWebhookController
from apps.container import Container, check_adapters, close_container
from apps.observability.http import ObservabilityMiddleware, metrics_endpoint, send_request_id
from apps.observability.tracing import tracing_plugins

API_PREFIX = "/api/v1"
API_DESCRIPTION = """
Backend of the Passerelle XR remote-assistance platform.

Tenant endpoints name their tenant by host (`<slug>.<base domain>`) or by the
`X-Passerelle-Tenant` header, and take a bearer access token from `POST /api/v1/auth/login`.
Operator endpoints (`/api/v1/tenants`) take an operator key as bearer token.
Errors are RFC 9457 problem documents with a stable `code` and the fields at fault.
Lists are paginated by cursor: pass `next_cursor` back as `cursor`.
"""

Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]


def _plugin_routes(container: Container) -> list[Router]:
    """Plugins' controllers, under ``/api/v1/plugins``; a failing plugin adds none."""
    handlers = container.plugins().api_controllers()
    return [plugin_router(handlers)] if handlers else []


def create_app(
    container: Container, *, extra_lifespans: Sequence[Lifespan] = (), close: bool = True
) -> Litestar:
    """``close=False`` leaves the container's pools open for a caller that owns them."""

    @asynccontextmanager
    async def lifespan(_app: Litestar) -> AsyncIterator[None]:
        await check_adapters(container)
        try:
            yield
        finally:
            if close:
                await close_container(container)

    settings = container.settings()
    container.notification_kinds()  # plugins' kinds, known before the document lists kinds
    api = Router(
        path=API_PREFIX,
        route_handlers=[
            health,
            readiness,
            bootstrap,
            network_requirements,
            TenantController,
            BackupController,
            AuthController,
            UserController,
            ApiKeyController,
            SessionController,
            CallController,
            GuestController,
            UsageController,
            NotificationController,
            VonageWebhookController,
            DevicePairingController,
            DeviceDecisionController,
            DeviceController,
            PhotonController,
            RecordingController,
            RecordingModeController,
            ArchiveCallbackController,
            BlobLinkController,
            FileController,
            CustomisationController,
            FirebaseTokenController,
            PresenceController,
            event_socket,
            event_source,
            *feature_controllers(container.plugins()),
        ],
    )
    app = Litestar(
        route_handlers=[
            api,
            *_plugin_routes(container),
            *([metrics_endpoint] if settings.observability.metrics_enabled else []),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        request_class=JsonBodyRequest,
        lifespan=[lifespan, presence_sweeper(container), *extra_lifespans],
        openapi_config=_openapi(),
        request_max_body_size=settings.api.max_request_body_bytes,
        middleware=[
            ObservabilityMiddleware(),
            CorsMiddleware(),
            RateLimitMiddleware(),
            IdempotencyMiddleware(),
            AuditMiddleware(),
        ],
        before_request=refuse_repeated_scalar_parameters,
        before_send=[add_security_headers, send_request_id],
        plugins=[RequestBodySchemaPlugin(), *tracing_plugins(settings.observability)],
        # Logging is the process's (``apps.observability.logging``): Litestar's default
        # would replace the root handlers with its own plain-text queue handler.
        logging_config=None,
    )
    document_problems(app.openapi_schema)
    document_uploads(app.openapi_schema, settings.storage.allowed_content_types)
    point_options_at_their_routes(app)
    app.state.container = container
    return app


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Passerelle XR API",
        version="1.0.0",
        description=API_DESCRIPTION,
        servers=[Server(url="/")],
        components=Components(
            security_schemes={
                "BearerAuth": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="Access token from POST /api/v1/auth/login.",
                ),
                "OperatorKey": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="Operator key from `passerelle operator-keys create`.",
                ),
            }
        ),
    )
