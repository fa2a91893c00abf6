"""Streaming multipart/form-data: the small fields before the file, then the file's bytes
as they arrive, never the whole body in memory.

Clients send the optional fields (``kind``, ``session_id``, ``sha256``) before the part
carrying the file; fields after it are read and ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass

from multipart import (  # type: ignore[import-untyped]
    MultipartError,
    MultipartSegment,
    PushMultipartParser,
    parse_options_header,
)

from core.errors import InvalidInput

MAX_FIELD_BYTES = 1024
MAX_PARTS = 16


@dataclass(frozen=True, slots=True)
class FormUpload:
    fields: dict[str, str]
    filename: str
    content_type: str
    chunks: AsyncIterator[bytes]


async def open_form_upload(body: AsyncIterable[bytes], content_type: str) -> FormUpload:
    """Read up to the file part; raise InvalidInput for a form without one."""
    boundary = parse_options_header(content_type)[1].get("boundary")
    if not boundary:
        raise InvalidInput("multipart body without a boundary", field="Content-Type")
    events = _events(body, boundary)
    fields: dict[str, str] = {}
    name = ""
    value = bytearray()
    async for event in events:
        if isinstance(event, MultipartSegment):
            if event.filename is not None:
                return FormUpload(
                    fields, event.filename, event.content_type or "", _file_body(events)
                )
            name, value = event.name or "", bytearray()
        elif event is None:
            fields[name] = value.decode("utf-8", errors="replace")
        else:
            value += event
            if len(value) > MAX_FIELD_BYTES:
                raise InvalidInput(f"form field '{name}' is too long", field=name)
    raise InvalidInput("the form has no file part", field="file", code="file_missing")


async def _events(
    body: AsyncIterable[bytes], boundary: str
) -> AsyncIterator[MultipartSegment | bytes | None]:
    try:
        with PushMultipartParser(boundary, max_segment_count=MAX_PARTS) as parser:
            async for chunk in body:
                if not chunk:
                    continue
                for event in parser.parse(chunk):
                    yield event
            for event in parser.parse(b""):
                yield event
    except MultipartError as exc:
        raise InvalidInput(
            f"malformed multipart body: {exc}", field="body", code="invalid_multipart"
        ) from exc


async def _file_body(
    events: AsyncIterator[MultipartSegment | bytes | None],
) -> AsyncIterator[bytes]:
    async for event in events:
        if event is None:
            break
        if isinstance(event, bytes | bytearray):
            yield bytes(event)
    async for event in events:
        if isinstance(event, MultipartSegment):
            raise InvalidInput(
                "the file part comes last; send the other fields before it",
                field=event.name or "body",
                code="field_after_file",
            )
