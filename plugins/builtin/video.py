"""Built-in video adapters: OpenTok (production default), Vonage Video, development.

The opentok and vonage SDKs are optional extras (``passerelle-xr[opentok]``,
``passerelle-xr[vonage]``): each adapter is imported when it is chosen, so this plugin,
and the development provider, load without them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

from pydantic import BaseModel

from adapters.devvideo.settings import DevelopmentVideoSettings
from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.opentok.settings import OpenTokSettings
from adapters.vonage.video_settings import VonageVideoSettings
from plugins.egress import Egress, PortRange, Side, Transport, https, split_host_port
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


def _clients_media() -> list[Egress]:
    """What the OpenTok client SDKs reach, per Vonage's firewall requirements: signalling
    and TURN over TLS on 443 at least; UDP 3478 for better media, UDP 1025-65535 for the best.
    """
    hosts = ("*.tokbox.com", "*.opentok.com")
    return [
        https(*hosts, purpose="video signalling and media over TLS (minimum)", side=Side.CLIENTS),
        Egress(
            hosts=hosts,
            ports=(PortRange.single(3478),),
            purpose="video media through STUN/TURN over UDP (better quality)",
            side=Side.CLIENTS,
            transport=Transport.UDP,
            protocol="stun/turn",
            tls=False,
        ),
        Egress(
            hosts=hosts,
            ports=(PortRange(1025, 65535),),
            purpose="video media over UDP straight to the media servers (best quality)",
            side=Side.CLIENTS,
            transport=Transport.UDP,
            protocol="srtp",
            tls=False,
        ),
    ]


def _server_api(host: str, port: int, purpose: str, *, tls: bool = True) -> Egress:
    return Egress(
        hosts=(host,),
        ports=(PortRange.single(port),),
        purpose=purpose,
        side=Side.SERVERS,
        protocol="https" if tls else "http",
        tls=tls,
    )


def _opentok_egress(context: AdapterContext) -> list[Egress]:
    """The REST API host of the settings (api.opentok.com unless moved) for the servers."""
    url = urlsplit(context.settings("opentok", OpenTokSettings).api_url)
    tls = url.scheme == "https"
    host, port = split_host_port(url.netloc, 443 if tls else 80)
    purpose = "video sessions, tokens and archives (OpenTok REST API)"
    return [_server_api(host, port, purpose, tls=tls), *_clients_media()]


def _vonage_egress(context: AdapterContext) -> list[Egress]:
    """The Video API host of the settings (video.api.vonage.com unless moved), over HTTPS."""
    address = context.settings("vonage_video", VonageVideoSettings).video_host
    host, port = split_host_port(address, 443)
    purpose = "video sessions, tokens and archives (Vonage Video API)"
    return [_server_api(host, port, purpose), *_clients_media()]


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "video",
        "opentok",
        _opentok,
        description="OpenTok (Vonage Video API) through the opentok SDK (settings: opentok)",
        egress=_opentok_egress,
    )
    registry.add(
        "video",
        "vonage",
        _vonage,
        description="Vonage Video through the vonage SDK's video module (settings: vonage_video)",
        egress=_vonage_egress,
    )
    registry.add(
        "video",
        "development",
        _development,
        description="development provider: signed tokens, no media (settings: dev_video)",
        development=True,
        egress=(),
    )
