"""Built-in storage adapters: Cloud Storage (production default), S3, a local folder.

google-cloud-storage and boto3 are optional extras (``passerelle-xr[gcs]``, ``[s3]``):
each adapter is imported when it is chosen, so this plugin, and the local store, load
without them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from adapters.gcs.settings import GcsSettings
from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.settings import LocalStorageSettings
from adapters.localfs.signed_links import SignedLinks, link_key
from adapters.s3.settings import S3Settings
from plugins.egress import HTTPS, Egress, PortRange, Side, https, split_host_port
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

GCS_HOST = "storage.googleapis.com"
GOOGLE_OAUTH_HOST = "oauth2.googleapis.com"
"""Where a service-account key's token_uri points."""

if TYPE_CHECKING:
    from adapters.gcs.blob_store import GcsBlobStore
    from adapters.s3.blob_store import S3BlobStore


def _local(context: AdapterContext) -> LocalBlobStore:
    settings = context.settings("storage_local", LocalStorageSettings)
    root = settings.root if settings.root.is_absolute() else context.data_dir / settings.root
    secret = settings.link_secret
    key = secret.get_secret_value().encode() if secret else link_key(root / ".link-key")
    if settings.links_url is None:
        # The platform's settings fill it in from the API's address (Settings.adapter_blocks).
        raise AdapterSettingsError(
            "invalid setting storage_local.links_url: unset; name the URL clients reach the "
            "API's /api/v1/blobs route at"
        )
    try:
        links = SignedLinks(key, settings.links_url, context.clock)
    except ValueError as exc:
        raise AdapterSettingsError(f"invalid setting storage_local.link_secret: {exc}") from exc
    return LocalBlobStore(root, links)


def _gcs(context: AdapterContext) -> GcsBlobStore:
    settings = context.settings("gcs", GcsSettings)
    store: GcsBlobStore = _bucket_store("gcs", "adapters.gcs.blob_store", "GcsBlobStore")(
        settings, context.clock
    )
    return store


def _s3(context: AdapterContext) -> S3BlobStore:
    settings = context.settings("s3", S3Settings)
    store: S3BlobStore = _bucket_store("s3", "adapters.s3.blob_store", "S3BlobStore")(
        settings, context.clock
    )
    return store


def _bucket_store(name: str, module: str, attribute: str) -> Callable[..., Any]:
    """The adapter's class, imported now (its SDK is an extra), building with settings errors
    reported as settings errors."""
    try:
        adapter = getattr(importlib.import_module(module), attribute)
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            f"storage adapter '{name}' needs {exc.name}: pip install 'passerelle-xr[{name}]'"
        ) from exc

    def build(*args: Any) -> Any:
        try:
            return adapter(*args)
        except ValueError as exc:
            raise AdapterSettingsError(f"invalid setting {exc}") from exc

    return build


def _endpoint(url: str, purpose: str, side: Side) -> Egress:
    """One rule for an endpoint URL; plain HTTP (an emulator) starts no TLS handshake."""
    parts = urlsplit(url)
    secure = parts.scheme != "http"
    host, port = split_host_port(parts.netloc, 443 if secure else 80)
    return Egress(
        hosts=(host,),
        ports=(PortRange.single(port),),
        purpose=purpose,
        side=side,
        protocol=parts.scheme or "https",
        tls=secure,
    )


def _gcs_egress(context: AdapterContext) -> list[Egress]:
    """The storage API for the servers and, through signed URLs, for the users' devices."""
    settings = context.settings("gcs", GcsSettings)
    api = settings.endpoint or f"https://{GCS_HOST}"
    rules = [
        _endpoint(api, "file storage (Cloud Storage JSON API)", Side.SERVERS),
        _endpoint(api, "file uploads and downloads through signed URLs", Side.CLIENTS),
    ]
    if not settings.anonymous:
        rules.append(https(GOOGLE_OAUTH_HOST, purpose="Cloud Storage access tokens (OAuth 2.0)"))
    return rules


def _s3_egress(context: AdapterContext) -> list[Egress]:
    """The S3 endpoint (AWS's regional one unless moved), for servers and signed URLs."""
    settings = context.settings("s3", S3Settings)
    if settings.endpoint_url:
        api = settings.endpoint_url
        return [
            _endpoint(api, "file storage (S3 API)", Side.SERVERS),
            _endpoint(api, "file uploads and downloads through signed URLs", Side.CLIENTS),
        ]
    regional = f"s3.{settings.region}.amazonaws.com"
    hosts = (regional, f"*.{regional}")
    return [
        Egress(hosts, HTTPS, "file storage (S3 API)", Side.SERVERS, examples=(regional,)),
        Egress(
            hosts,
            HTTPS,
            "file uploads and downloads through signed URLs",
            Side.CLIENTS,
            examples=(regional,),
        ),
    ]


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "storage",
        "gcs",
        _gcs,
        description="Google Cloud Storage, one prefix per tenant (settings: gcs)",
        egress=_gcs_egress,
    )
    registry.add(
        "storage",
        "s3",
        _s3,
        description="S3 or an S3-compatible server such as MinIO (settings: s3)",
        egress=_s3_egress,
    )
    registry.add(
        "storage",
        "local",
        _local,
        description="a local folder, one directory per tenant (settings: storage_local)",
        egress=(),
    )
