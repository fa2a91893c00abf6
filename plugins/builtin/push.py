"""Built-in push adapters: Firebase Cloud Messaging to deliver, a console sink for development.

firebase-admin is an optional extra (``passerelle-xr[firebase]``): the FCM adapter is
imported when it is chosen, so this plugin, and the console sink, load without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from adapters.firebase.settings import FirebaseCredentialsError, FirebaseSettings
from adapters.sinks.console_push_sender import ConsolePushSender
from plugins.egress import Egress, PortRange, Side, split_host_port
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

if TYPE_CHECKING:
    from adapters.firebase.push_sender import FcmPushSender


def _fcm(context: AdapterContext) -> FcmPushSender:
    settings = context.settings("firebase", FirebaseSettings)
    try:
        from adapters.firebase.push_sender import FcmPushSender
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"push adapter 'fcm' needs {exc.name}: pip install 'passerelle-xr[firebase]'"
        ) from exc
    try:
        return FcmPushSender(settings, context.clock)
    except FirebaseCredentialsError as exc:
        raise AdapterSettingsError(f"invalid setting {exc}") from exc


GOOGLE_OAUTH_HOST = "oauth2.googleapis.com"
"""Where a service-account key's token_uri points unless the settings move it."""


_FCM_PURPOSES = ("push notifications (FCM HTTP v1)", "FCM access tokens (OAuth 2.0)")


def _fcm_egress(context: AdapterContext) -> list[Egress]:
    """The FCM API and the OAuth token endpoint of the settings, over HTTPS."""
    settings = context.settings("firebase", FirebaseSettings)
    urls = (settings.fcm_base_url, settings.token_uri or f"https://{GOOGLE_OAUTH_HOST}/token")
    hosts = [split_host_port(urlsplit(url).netloc, 443) for url in urls]
    return [
        Egress(
            hosts=(host,),
            ports=(PortRange.single(port),),
            purpose=purpose,
            side=Side.SERVERS,
        )
        for (host, port), purpose in zip(hosts, _FCM_PURPOSES, strict=True)
    ]


def _console(_context: AdapterContext) -> ConsolePushSender:
    return ConsolePushSender()


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "push",
        "fcm",
        _fcm,
        description="Firebase Cloud Messaging HTTP v1 through firebase-admin (settings: firebase)",
        egress=_fcm_egress,
    )
    registry.add(
        "push",
        "console",
        _console,
        description="development sink: prints each push to standard output",
        development=True,
        egress=(),
    )
