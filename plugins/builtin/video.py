"""Built-in video adapters."""

from __future__ import annotations

from adapters.devvideo.settings import DevelopmentVideoSettings
from adapters.devvideo.video_provider import DevelopmentVideoProvider
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry


def _development(context: AdapterContext) -> DevelopmentVideoProvider:
    settings = context.settings("dev_video", DevelopmentVideoSettings)
    return DevelopmentVideoProvider(settings.secret.get_secret_value().encode(), context.clock)


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "video",
        "development",
        _development,
        description="development provider: signed tokens, no media (settings: dev_video)",
        development=True,
    )
