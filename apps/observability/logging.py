"""Structured logs through structlog: one JSON object per line, secrets masked.

The platform's own log calls and those of libraries (stdlib ``logging``) go through the
same processors, so a request id bound for a request appears on every line it causes.
Masking is a last line of defence: the access log never records headers, bodies or
query strings in the first place.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Mapping, MutableMapping
from typing import IO, Any

import structlog
from structlog.typing import EventDict, Processor

from apps.observability.settings import LogFormat, ObservabilitySettings

MASK = "***"
HANDLER_NAME = "passerelle"
_SECRET_KEYS = re.compile(
    r"authorization|password|passwd|secret|token|api[_-]?key|cookie|credential|signature",
    re.IGNORECASE,
)
_SECRET_VALUES = re.compile(
    r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9._-]+"
    r"|(?<=[?&])[^=&\s]*(key|token|secret|signature|sig|password)[^=&\s]*=[^&\s\"']+"
)
QUIET_LOGGERS = {
    "uvicorn.access": logging.WARNING,
    "httpx": logging.WARNING,
    "vonage": logging.INFO,
    "vonage_http_client": logging.INFO,
}
"""uvicorn's access log and httpx write URLs with their query strings (signed links carry
credentials there; our own request log does not); vonage logs its Authorization header."""


def mask_secrets(_logger: object, _name: str, event: EventDict) -> EventDict:
    """Blank values under secret-sounding keys and bearer/basic credentials or JWTs anywhere."""
    return {key: _masked(key, value) for key, value in event.items()}


def _masked(key: str, value: Any) -> Any:
    if _SECRET_KEYS.search(key):
        return MASK
    if isinstance(value, str):
        return _SECRET_VALUES.sub(MASK, value)
    if isinstance(value, Mapping):
        return {k: _masked(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(key, item) for item in value]
    return value


def configure_logging(settings: ObservabilitySettings, *, stream: IO[str] | None = None) -> None:
    """Route structlog and stdlib logging to one handler on ``stream`` (stderr by default)."""
    renderer: Processor = (
        structlog.processors.JSONRenderer()
        if settings.log_format is LogFormat.JSON
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.filter_by_level,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.contextvars.merge_contextvars, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            mask_secrets,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    handler.set_name(HANDLER_NAME)
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)


def bind_request(context: MutableMapping[str, Any]) -> None:
    """Attach values (request id, tenant) to every log line until ``clear_request``."""
    structlog.contextvars.bind_contextvars(**context)


def clear_request() -> None:
    structlog.contextvars.clear_contextvars()
