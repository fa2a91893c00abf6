"""Prints each push to standard output: the embedded default's push notifications.

Printed for a person to read: who it is for, how urgent, then the title, body and data
as written. Each gets an id like a provider's, so the rest of the platform behaves as with
a real service.
"""

from __future__ import annotations

import itertools
import logging
import sys
from typing import TextIO

from adapters.system.notices import warn_once
from ports.push import PushNotification

log = logging.getLogger(__name__)


class ConsolePushSender:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._numbers = itertools.count(1)
        warn_once(log, "push adapter 'console' in use: pushes are printed, never sent")

    async def send(self, push: PushNotification) -> str:
        message_id = f"console/messages/{next(self._numbers)}"
        stream = self._stream or sys.stdout
        stream.write(render(push, message_id))
        stream.flush()
        return message_id


def render(push: PushNotification, message_id: str) -> str:
    """One block per push; continuation lines of a multi-line value are indented."""
    ttl = "default" if push.time_to_live is None else f"{push.time_to_live.total_seconds():g} s"
    lines = [
        f"----- push {message_id} (console sink, not sent) -----",
        f"to: {push.device_token}",
        f"priority: {push.priority.value}",
        f"time to live: {ttl}",
        f"collapse key: {push.collapse_key or '-'}",
        _field("title", push.title),
        _field("body", push.body),
        "data:" if push.data else "data: -",
    ]
    lines += [_field(f"  {key}", value, separator=" = ") for key, value in push.data.items()]
    lines.append("----- end of push -----")
    return "\n".join(lines) + "\n"


def _field(name: str, value: str, separator: str = ": ") -> str:
    return name + separator + value.replace("\n", "\n    ")
