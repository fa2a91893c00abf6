"""Built-in push adapters: Firebase Cloud Messaging to deliver, a console sink for development.

firebase-admin is an optional extra (``passerelle-xr[firebase]``): the FCM adapter is
imported when it is chosen, so this plugin, and the console sink, load without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.firebase.settings import FirebaseCredentialsError, FirebaseSettings
from adapters.sinks.console_push_sender import ConsolePushSender
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


def _console(_context: AdapterContext) -> ConsolePushSender:
    return ConsolePushSender()


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "push",
        "fcm",
        _fcm,
        description="Firebase Cloud Messaging HTTP v1 through firebase-admin (settings: firebase)",
    )
    registry.add(
        "push",
        "console",
        _console,
        description="development sink: prints each push to standard output",
        development=True,
    )
