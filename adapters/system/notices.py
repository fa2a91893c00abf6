"""Warnings an adapter gives about itself, once per process.

A process builds its container more than once (``passerelle up`` migrates with one,
checks the adapters with another and serves with a third), and a development adapter's
"never sent" or "not for production" warning is worth reading once, not once per container.
"""

from __future__ import annotations

import logging

_given: set[tuple[str, str]] = set()


def warn_once(log: logging.Logger, message: str) -> None:
    if (log.name, message) not in _given:
        _given.add((log.name, message))
        log.warning(message)
