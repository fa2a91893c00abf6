"""The built-in feature plugins' endpoints, mounted under /api/v1 while their plugin is
loaded: disabling a plugin removes its routes with it."""

from __future__ import annotations

from litestar import Controller

from apps.api.audit.controller import AuditEventController, RetentionPolicyController
from apps.api.webhook_endpoints.controller import WebhookEndpointController
from plugins.manager import PluginSet

FEATURE_CONTROLLERS: dict[str, type[Controller]] = {
    "plugins.builtin.audit_log": AuditEventController,
    "plugins.builtin.retention": RetentionPolicyController,
    "plugins.builtin.webhooks": WebhookEndpointController,
}


def feature_controllers(plugins: PluginSet) -> list[type[Controller]]:
    return [c for name, c in FEATURE_CONTROLLERS.items() if plugins.enabled(name)]
