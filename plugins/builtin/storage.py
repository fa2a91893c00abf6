"""Built-in storage adapters: Cloud Storage (production default), S3, a local folder.

google-cloud-storage and boto3 are optional extras (``passerelle-xr[gcs]``, ``[s3]``):
each adapter is imported when it is chosen, so this plugin, and the local store, load
without them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from adapters.gcs.settings import GcsSettings
from adapters.localfs.blob_store import LocalBlobStore
from adapters.localfs.settings import LocalStorageSettings
from adapters.localfs.signed_links import SignedLinks, link_key
from adapters.s3.settings import S3Settings
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry, AdapterSettingsError

if TYPE_CHECKING:
    from adapters.gcs.blob_store import GcsBlobStore
    from adapters.s3.blob_store import S3BlobStore


def _local(context: AdapterContext) -> LocalBlobStore:
    settings = context.settings("storage_local", LocalStorageSettings)
    root = settings.root if settings.root.is_absolute() else context.data_dir / settings.root
    secret = settings.link_secret
    key = secret.get_secret_value().encode() if secret else link_key(root / ".link-key")
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


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "storage",
        "gcs",
        _gcs,
        description="Google Cloud Storage, one prefix per tenant (settings: gcs)",
    )
    registry.add(
        "storage",
        "s3",
        _s3,
        description="S3 or an S3-compatible server such as MinIO (settings: s3)",
    )
    registry.add(
        "storage",
        "local",
        _local,
        description="a local folder, one directory per tenant (settings: storage_local)",
    )
