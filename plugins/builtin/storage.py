"""Built-in storage adapters."""

from __future__ import annotations

from adapters.localfs.settings import LocalStorageSettings
from adapters.localfs.tenant_storage import LocalTenantStorage
from plugins.hookspecs import hookimpl
from plugins.registry import AdapterContext, AdapterRegistry


def _local(context: AdapterContext) -> LocalTenantStorage:
    root = context.settings("storage_local", LocalStorageSettings).root
    return LocalTenantStorage(root if root.is_absolute() else context.data_dir / root)


@hookimpl
def register_adapters(registry: AdapterRegistry) -> None:
    registry.add(
        "storage",
        "local",
        _local,
        description="a local folder, one directory per tenant (settings: storage_local)",
    )
