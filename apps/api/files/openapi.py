"""What Litestar cannot derive of the file routes: the bodies they stream, and the
download's answers.

Litestar documents a body only for a handler that takes ``data``; the two body-upload
handlers stream the request instead, so their bodies are written into the document here:
the content types a deployment accepts (``storage.allowed_content_types``), and for the
form, its fields in the order the handler reads them. The signed-URL route's
``content_type`` admits the same types, concrete ones only: a family such as ``image/*``
becomes a pattern for its members, never a value of its own.

The download answers a redirect or the file's bytes in the file's own media type, which a
return annotation cannot say: ``DownloadOperation`` declares both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.encoding import Encoding

from apps.api.errors import PROBLEM_JSON
from apps.api.problem_responses import PROBLEM
from core.files.model import FileKind

FORM_PATH = "/api/v1/files"
RAW_PATH = "/api/v1/files/raw"
_BYTES = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
ANY_BYTES = {"*/*": OpenAPIMediaType(schema=_BYTES)}
"""A body of any media type: a file's own bytes, in or out."""
_STRING = Schema(type=OpenAPIType.STRING)
_SUBTYPE = "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
"""An RFC 6838 subtype name: what a family's member may be called."""
_SYNTAX = frozenset("^$\\.*+?()[]{}|/")
"""The characters a pattern escapes (ECMA-262 allows no other escapes in unicode mode)."""
_DOWNLOADED = OpenAPIResponse(
    description="With `stream=true`: the file's bytes, with the file's own Content-Type "
    "(the concrete media type it was uploaded with: image/png, application/pdf, "
    "application/zip...), never JSON. The whole file: no range or conditional requests.",
    content=ANY_BYTES,
    headers={
        "Content-Length": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.INTEGER),
            required=True,
            description="The file's size in bytes.",
        ),
        "Content-Disposition": OpenAPIHeader(
            schema=_STRING,
            required=True,
            description="`attachment; filename*=UTF-8''<the file's name>`.",
        ),
        "X-Content-SHA256": OpenAPIHeader(
            schema=_STRING, required=True, description="The hex SHA-256 of the file's bytes."
        ),
    },
)
_REDIRECTED = OpenAPIResponse(
    description="Without `stream=true`: a redirect to a signed URL of the store, valid "
    "`storage.download_url_ttl_seconds` without credentials, which answers the bytes with "
    "the file's own Content-Type. No body.",
    headers={
        "Location": OpenAPIHeader(
            schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.URI_REFERENCE),
            required=True,
            description="The signed URL.",
        )
    },
)
_NOT_READY = OpenAPIResponse(
    description="The file is a signed upload not confirmed yet (`file_not_ready`).",
    content={
        PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref=f"#/components/schemas/{PROBLEM}"))
    },
)


@dataclass
class DownloadOperation(Operation):
    """``GET /files/{id}/content``: 200 with the file's bytes in its own media type, or 307
    to a signed URL; 409 while the file is a pending upload. Problems of every operation
    are added with the rest (``apps.api.problem_responses``)."""

    def __post_init__(self) -> None:
        self.responses = {
            **(self.responses or {}),
            "200": _DOWNLOADED,
            "307": _REDIRECTED,
            "409": _NOT_READY,
        }


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
    _admit_concrete(content_type, types)
    raw.request_body = RequestBody(
        required=True,
        description="The file's bytes; Content-Type is the file's type.",
        content={content_type: OpenAPIMediaType(schema=_BYTES) for content_type in types},
    )


def _admit_concrete(schema: Schema, allowed_types: Sequence[str]) -> None:
    """The allowlist's concrete types as an enum, and its families (``image/*``) as a
    pattern of their members: a file's type is never a range."""
    concrete = [kind for kind in allowed_types if "*" not in kind]
    families = [
        kind.removesuffix("/*")
        for kind in allowed_types
        if kind.endswith("/*") and "*" not in kind.removesuffix("/*")
    ]
    if not families:
        schema.enum = concrete
        return
    names = "|".join(_escaped(family) for family in families)
    members = Schema(pattern=f"^(?:{names})/{_SUBTYPE}$")
    schema.enum = None
    schema.any_of = [Schema(enum=concrete), members] if concrete else [members]


def _escaped(name: str) -> str:
    """A media type name as a regular expression valid both in Python and ECMA-262."""
    return "".join("\\" + ch if ch in _SYNTAX else ch for ch in name)
