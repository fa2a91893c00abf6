"""The request bodies of the two body-upload routes, which read their body as a stream.

Litestar documents a body only for a handler that takes ``data``; these handlers stream
the request instead, so their bodies are written into the document here: the content types
a deployment accepts (``storage.allowed_content_types``), and for the form, its fields in
the order the handler reads them. The signed-URL route's ``content_type`` lists the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.encoding import Encoding

from core.files.model import FileKind

FORM_PATH = "/api/v1/files"
RAW_PATH = "/api/v1/files/raw"
_BYTES = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)


def document_uploads(spec: OpenAPI, allowed_types: Sequence[str]) -> None:
    paths = spec.paths or {}
    types = sorted(allowed_types)
    form = paths[FORM_PATH].post
    raw = paths[RAW_PATH].post
    assert isinstance(form, Operation)
    assert isinstance(raw, Operation)
    form.request_body = RequestBody(
        required=True,
        description="Optional fields first, then the file part (its name and content type "
        "are the file's). A `sha256` field (hex), before the file, has the bytes checked "
        "(412 when they differ).",
        content={
            "multipart/form-data": OpenAPIMediaType(
                schema=Schema(
                    type=OpenAPIType.OBJECT,
                    required=["file"],
                    properties={
                        "kind": Schema(type=OpenAPIType.STRING, enum=[k.value for k in FileKind]),
                        "session_id": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.UUID),
                        "file": _BYTES,
                    },
                ),
                encoding={"file": Encoding(content_type=", ".join(types))},
            )
        },
    )
    components = spec.components
    assert components is not None
    assert isinstance(components.schemas, dict)
    start = components.schemas["StartUploadBody"]
    assert isinstance(start.properties, dict)
    content_type = start.properties["content_type"]
    assert isinstance(content_type, Schema)
    content_type.enum = types
    raw.request_body = RequestBody(
        required=True,
        description="The file's bytes; Content-Type is the file's type.",
        content={content_type: OpenAPIMediaType(schema=_BYTES) for content_type in types},
    )
