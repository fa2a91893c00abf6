"""Built-in video adapters: OpenTok (production default), Vonage Video, development.

The opentok and vonage SDKs are optional extras (``passerelle-xr[opentok]``,
``passerelle-xr[vonage]``): each adapter is imported when it is chosen, so this plugin,
and the development provider, load without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeVar, cast

from pydantic import BaseModel

from adapters.devvideo.settings import DevelopmentVideoSettings
from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.opentok.settings import OpenTokSettings
from adapters.vonage.video_settings import VonageVideoSettings
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

if TYPE_CHECKING:
    from adapters.opentok.video_provider import OpenTokVideoProvider
    from adapters.vonage.video_provider import VonageVideoProvider

M = TypeVar("M", bound=BaseModel)


def _development(context: AdapterContext) -> DevelopmentVideoProvider:
    settings = context.settings("dev_video", DevelopmentVideoSettings)
    return DevelopmentVideoProvider(settings.secret.get_secret_value().encode(), context.clock)


def _opentok(context: AdapterContext) -> OpenTokVideoProvider:
    settings = _settings(context, "opentok", OpenTokSettings, ("api_key", "api_secret"))
    provider = _sdk_adapter("adapters.opentok.video_provider", "OpenTokVideoProvider", "opentok")
    return cast("OpenTokVideoProvider", provider(settings, context.clock))


def _vonage(context: AdapterContext) -> VonageVideoProvider:
    names = ("application_id", "private_key")
    settings = _settings(context, "vonage_video", VonageVideoSettings, names)
    provider = _sdk_adapter("adapters.vonage.video_provider", "VonageVideoProvider", "vonage")
    try:
        return cast("VonageVideoProvider", provider(settings, context.clock))
    except ValueError as exc:
        raise AdapterSettingsError(f"invalid setting {exc}") from exc


def _settings(context: AdapterContext, block: str, model: type[M], required: tuple[str, ...]) -> M:
    settings = context.settings(block, model)
    for name in required:
        if not getattr(settings, name):
            raise AdapterSettingsError(f"invalid setting {block}.{name}: required by video")
    return settings


def _sdk_adapter(module: str, name: str, extra: str) -> Any:
    """The adapter class, imported only now: its SDK is the optional extra named."""
    try:
        return getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"video adapter '{extra}' needs {exc.name}: pip install 'passerelle-xr[{extra}]'"
        ) from exc


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "video",
        "opentok",
        _opentok,
        description="OpenTok (Vonage Video API) through the opentok SDK (settings: opentok)",
    )
    registry.add(
        "video",
        "vonage",
        _vonage,
        description="Vonage Video through the vonage SDK's video module (settings: vonage_video)",
    )
    registry.add(
        "video",
        "development",
        _development,
        description="development provider: signed tokens, no media (settings: dev_video)",
        development=True,
    )
