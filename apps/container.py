"""The composition root: every adapter and use-case dependency, built from settings once.

API, worker and CLI build the same container; tests override providers with in-memory
adapters (``container.mail.override(providers.Object(RecordingMailSender()))``).
Nothing here connects at import time.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any, cast

from dependency_injector import containers, providers

from adapters.aesgcm.sealer import AesGcmSealer, parse_keys
from adapters.archive.blob_archive import BlobBackupArchives
from adapters.archive.tar_archive import TarArchives
from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.cache.tenant_catalog import CachedTenantCatalog
from adapters.httpx.recording_downloads import HttpxRecordingDownloads
from adapters.httpx.webhook_transport import PinnedWebhookTransport
from adapters.jinja.renderer import JinjaTemplateRenderer
from adapters.memory.presence_store import MemoryPresenceStore
from adapters.memory.request_limiter import MemoryRequestLimiter
from adapters.photon.presence import InProcessRoomPresence
from adapters.redis.presence_store import RedisPresenceStore
from adapters.redis.request_limiter import RedisRequestLimiter
from adapters.redis.room_presence import RedisRoomPresence
from adapters.sql.audit_appender import SqlAuditAppender
from adapters.sql.dispatch_index import SqlDispatchIndex
from adapters.sql.engines import TenantEngines, create_engine
from adapters.sql.idempotency_store import SqlIdempotencyStore
from adapters.sql.locator import DatabaseLocator
from adapters.sql.operator_keys import SqlOperatorKeys
from adapters.sql.placements import TenantPlacements
from adapters.sql.rate_limiter import SqlRateLimiter
from adapters.sql.tenant_catalog import SqlTenantCatalog
from adapters.sql.tenant_databases import SqlTenantDatabases
from adapters.sql.tenant_rows import SqlTenantRows
from adapters.sql.tenant_templates import PostgresTemplates, SqliteTemplates
from adapters.sql.unit_of_work import SqlTenantUnitOfWorkFactory
from adapters.system.address_resolver import resolve_host
from adapters.system.clock import SystemClock
from apps.api.auth.guest_passes import GuestPasses
from apps.api.auth.tokens import AccessTokens
from apps.config.embedded_secret import embedded_encryption_key, embedded_jwt_secret
from apps.config.settings import Profile, Settings
from apps.observability.metrics import Metrics
from core.audit.services import AuditDependencies
from core.devices.registry import DeviceDependencies
from core.files.model import FileRules
from core.files.services import FileDependencies
from core.identity.dependencies import IdentityDependencies, IdentityRules
from core.notifications.channels import ChannelSenders, SmsBudget
from core.notifications.customising import CustomisationDependencies
from core.notifications.dispatch import DispatchDependencies
from core.notifications.receipt_recording import ReceiptDependencies
from core.notifications.routing import validate_chains
from core.notifications.services import DeliveryDependencies
from core.realtime.presence import PresenceDependencies
from core.recordings.services import RecordingDependencies
from core.retention.services import RetentionDependencies
from core.sessions.rooms import RoomDependencies
from core.sessions.rules import SessionRules
from core.sessions.services import SessionDependencies
from core.tenants.backups import BackupDependencies
from core.tenants.portability import PortabilityDependencies
from core.tenants.services import TenantDependencies
from core.usage.services import UsageDependencies
from core.webhooks.delivery import WebhookSender
from core.webhooks.model import WebhookRules
from core.webhooks.services import WebhookDependencies
from plugins.features import FeatureServices
from plugins.lifecycle import LifecycleHookPublisher
from plugins.manager import PluginSet, build_plugins, startup_problems
from plugins.registry import AdapterContext, AdapterRegistry
from ports.blob_store import BlobStore
from ports.clock import Clock
from ports.events import EventPublisher
from ports.multiplayer import RoomPresence
from ports.presence import PresenceStore
from ports.request_limiter import RequestLimiter
from ports.tenant_catalog import TenantCatalog


def _adapter(registry: AdapterRegistry, kind: str, name: str, context: AdapterContext) -> object:
    """Build the adapter configured for ``kind``; remember it for closing if it holds resources."""
    adapter = registry.get(kind, name).factory(context)
    if callable(getattr(adapter, "close", None)):
        context.opened.append(adapter)
    return adapter


def _optional_adapter(
    registry: AdapterRegistry, kind: str, name: str, context: AdapterContext
) -> object | None:
    """An adapter that only some backends have (SMS receipts): None for the others."""
    if name not in registry.names(kind):
        return None
    return _adapter(registry, kind, name, context)


def _blob_store(storage: object) -> BlobStore:
    """The storage adapter's blob face: every built-in storage adapter is both."""
    missing = [name for name in _BLOB_METHODS if not callable(getattr(storage, name, None))]
    if missing:
        raise TypeError(f"storage adapter {type(storage).__name__} lacks {', '.join(missing)}")
    return cast("BlobStore", storage)


_BLOB_METHODS = ("put", "get", "stat", "delete", "list", "copy", "upload_url", "download_url")


def _cached(catalog: TenantCatalog, clock: Clock, settings: Settings) -> TenantCatalog:
    ttl = settings.tenancy.resolution_cache_seconds
    if ttl == 0:
        return catalog
    return CachedTenantCatalog(catalog, clock, ttl=timedelta(seconds=ttl))


def _jwt_secret(settings: Settings) -> str:
    if settings.auth.jwt_secret is not None:
        return settings.auth.jwt_secret.get_secret_value()
    if settings.profile is not Profile.EMBEDDED:
        raise ValueError("auth.jwt_secret is required outside the embedded profile")
    return embedded_jwt_secret(settings.data_dir)


def _sealer(settings: Settings) -> AesGcmSealer:
    keys = settings.encryption.keys
    if keys is not None:
        return AesGcmSealer(parse_keys(keys.get_secret_value()))
    if settings.profile is not Profile.EMBEDDED:
        raise ValueError("encryption.keys is required outside the embedded profile")
    return AesGcmSealer(parse_keys(embedded_encryption_key(settings.data_dir)))


def _access_tokens(settings: Settings, clock: Clock) -> AccessTokens:
    return AccessTokens(
        _jwt_secret(settings),
        issuer=settings.auth.issuer,
        ttl=timedelta(seconds=settings.auth.access_token_ttl_seconds),
        clock=clock,
    )


def _guest_passes(settings: Settings, clock: Clock) -> GuestPasses:
    """As long-lived as the video token of the same join answer."""
    return GuestPasses(
        _jwt_secret(settings),
        issuer=settings.auth.issuer,
        ttl=timedelta(minutes=settings.sessions.join_token_ttl_minutes),
        clock=clock,
    )


def _file_rules(settings: Settings) -> FileRules:
    storage = settings.storage
    return FileRules(
        allowed_types=frozenset(t.lower() for t in storage.allowed_content_types),
        max_file_bytes=storage.max_file_bytes,
        upload_url_ttl=timedelta(seconds=storage.upload_url_ttl_seconds),
        download_url_ttl=timedelta(seconds=storage.download_url_ttl_seconds),
        pending_grace=timedelta(seconds=storage.orphan_grace_seconds),
    )


def _identity_rules(settings: Settings) -> IdentityRules:
    auth = settings.auth
    return IdentityRules(
        max_failed_logins=auth.max_failed_logins,
        lockout=timedelta(seconds=auth.lockout_seconds),
        refresh_ttl=timedelta(seconds=auth.refresh_token_ttl_seconds),
        invitation_ttl=timedelta(hours=auth.invitation_ttl_hours),
        password_reset_ttl=timedelta(minutes=auth.password_reset_ttl_minutes),
    )


def _sms_budget(settings: Settings) -> SmsBudget:
    """One budget per provider account: every worker sending with it shares the rate."""
    account = settings.vonage.api_key if settings.sms_backend == "vonage" else None
    key = f"sms:{settings.sms_backend}:{account or 'default'}"
    return SmsBudget(key=key, per_second=settings.sms.rate_per_second)


def _session_rules(settings: Settings) -> SessionRules:
    rules = settings.sessions
    return SessionRules(
        ring_timeout=timedelta(seconds=rules.ring_timeout_seconds),
        idle_timeout=timedelta(minutes=rules.idle_timeout_minutes),
        max_participants=rules.max_participants,
        invitation_ttl=timedelta(hours=rules.invitation_ttl_hours),
        join_token_ttl=timedelta(minutes=rules.join_token_ttl_minutes),
        room_ticket_ttl=timedelta(seconds=settings.photon.ticket_ttl_seconds),
    )


def _request_limiter(settings: Settings, clock: Clock, context: AdapterContext) -> RequestLimiter:
    """Redis when configured (limits global to every replica), else this process alone."""
    if settings.redis.url is None:
        return MemoryRequestLimiter(clock)
    limiter = RedisRequestLimiter(
        settings.redis.url.get_secret_value(),
        key_prefix=settings.redis.key_prefix,
        timeout=settings.redis.timeout_seconds,
    )
    context.opened.append(limiter)
    return limiter


def _events(
    registry: AdapterRegistry, settings: Settings, context: AdapterContext
) -> EventPublisher:
    return cast("EventPublisher", _adapter(registry, "events", settings.events_backend, context))


def _presence(settings: Settings, clock: Clock, context: AdapterContext) -> PresenceStore:
    """In Redis when configured (every replica sees every connection), else in this process."""
    if settings.redis.url is None:
        return MemoryPresenceStore()
    store = RedisPresenceStore(
        settings.redis.url.get_secret_value(),
        key_prefix=settings.redis.key_prefix,
        timeout=settings.redis.timeout_seconds,
    )
    context.opened.append(store)
    return store


def _room_presence(settings: Settings, context: AdapterContext) -> RoomPresence:
    """Like ``_presence``: in Redis when configured, so Photon may call any replica."""
    if settings.redis.url is None:
        return InProcessRoomPresence()
    presence = RedisRoomPresence(
        settings.redis.url.get_secret_value(),
        key_prefix=settings.redis.key_prefix,
        timeout=settings.redis.timeout_seconds,
    )
    context.opened.append(presence)
    return presence


def _adapter_context(settings: Settings, clock: Clock) -> AdapterContext:
    return AdapterContext(blocks=settings.adapter_blocks(), clock=clock, data_dir=settings.data_dir)


def _plugins(settings: Settings, container: Container) -> PluginSet:
    """The feature plugins reach their use cases' dependencies through the container, late."""
    services = FeatureServices(
        audit=lambda: container.audit_dependencies(),
        retention=lambda: container.retention_dependencies(),
        webhooks=lambda: container.webhook_dependencies(),
    )
    return build_plugins(disabled=tuple(settings.disabled_plugins), services=services)


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings: providers.Dependency[Settings] = providers.Dependency(instance_of=Settings)

    plugins: providers.Singleton[PluginSet] = providers.Singleton(_plugins, settings, __self__)
    registry: providers.Singleton[AdapterRegistry] = providers.Singleton(
        lambda plugins: plugins.adapters(), plugins
    )

    clock: providers.Provider[Clock] = providers.Singleton(SystemClock)
    jitter: providers.Provider[Any] = providers.Object(random.uniform)
    hasher = providers.Singleton(Argon2PasswordHasher)
    adapter_context = providers.Singleton(_adapter_context, settings, clock)

    locator = providers.Singleton(
        lambda s: DatabaseLocator(s.control_database_url, prefix=s.database.tenant_database_prefix),
        settings,
    )
    control_engine = providers.Singleton(
        lambda s: create_engine(
            s.control_database_url, pool_size=s.database.pool_size, tls=s.database.tls
        ),
        settings,
    )
    placements = providers.Singleton(TenantPlacements, locator, control_engine)
    tenant_engines = providers.Singleton(
        lambda s, placements: TenantEngines(
            placements.url_for,
            learn=placements.learn,
            max_engines=s.database.max_tenant_engines,
            pool_size=s.database.tenant_pool_size,
            max_overflow=s.database.tenant_max_overflow,
            idle_seconds=s.database.engine_idle_seconds,
            tls=s.database.tls,
        ),
        settings,
        placements,
    )
    catalog = providers.Singleton(
        lambda engine, clock, s: _cached(SqlTenantCatalog(engine), clock, s),
        control_engine,
        clock,
        settings,
    )
    operator_keys = providers.Singleton(SqlOperatorKeys, control_engine)
    tenant_databases = providers.Singleton(
        lambda s, locator, placements, control, engines: SqlTenantDatabases(
            locator, placements, control, engines, **_tenant_templates(s, locator, engines)
        ),
        settings,
        locator,
        placements,
        control_engine,
        tenant_engines,
    )
    dispatch_index = providers.Singleton(SqlDispatchIndex, control_engine)
    sealer = providers.Singleton(_sealer, settings)
    tenant_uow = providers.Singleton(
        SqlTenantUnitOfWorkFactory, tenant_engines, sealer, dispatch_index
    )
    storage = providers.Singleton(
        lambda registry, s, context: _adapter(registry, "storage", s.storage_backend, context),
        registry,
        settings,
        adapter_context,
    )

    blob_store = providers.Singleton(_blob_store, storage)
    mail = providers.Singleton(
        lambda registry, s, context: _adapter(registry, "mail", s.mail_backend, context),
        registry,
        settings,
        adapter_context,
    )
    sms = providers.Singleton(
        lambda registry, s, context: _adapter(registry, "sms", s.sms_backend, context),
        registry,
        settings,
        adapter_context,
    )
    sms_receipts = providers.Singleton(
        lambda registry, s, context: _optional_adapter(
            registry, "sms_receipts", s.sms_backend, context
        ),
        registry,
        settings,
        adapter_context,
    )
    push = providers.Singleton(
        lambda registry, s, context: _adapter(registry, "push", s.push_backend, context),
        registry,
        settings,
        adapter_context,
    )
    video = providers.Singleton(
        lambda registry, s, context: _adapter(registry, "video", s.video_backend, context),
        registry,
        settings,
        adapter_context,
    )
    multiplayer = providers.Singleton(
        lambda registry, s, context: _adapter(
            registry, "multiplayer", s.multiplayer_backend, context
        ),
        registry,
        settings,
        adapter_context,
    )
    room_presence = providers.Singleton(_room_presence, settings, adapter_context)
    access_tokens = providers.Singleton(_access_tokens, settings, clock)
    guest_passes = providers.Singleton(_guest_passes, settings, clock)
    notification_channels = providers.Singleton(
        lambda plugins: plugins.notification_channels(), plugins
    )
    notification_kinds = providers.Singleton(
        lambda plugins, channels: plugins.notification_kinds(channels).register(),
        plugins,
        notification_channels,
    )
    plugin_channel_senders = providers.Singleton(
        lambda channels, context: channels.senders(context), notification_channels, adapter_context
    )
    renderer = providers.Singleton(
        lambda kinds: JinjaTemplateRenderer(kinds.templates()), notification_kinds
    )
    metrics = providers.Singleton(
        lambda s: Metrics(tenant_labels=s.observability.metrics_tenant_labels), settings
    )

    tenant_dependencies = providers.Singleton(
        TenantDependencies,
        catalog=catalog,
        databases=tenant_databases,
        storage=storage,
        tenant_uow=tenant_uow,
        hasher=hasher,
        clock=clock,
        sqlite_folder=providers.Callable(lambda s: s.data_dir.resolve(), settings),
    )
    tenant_rows = providers.Singleton(SqlTenantRows, tenant_engines, sealer)
    tenant_archives = providers.Singleton(TarArchives)
    backup_archives = providers.Singleton(
        lambda blobs, s: BlobBackupArchives(blobs, s.data_dir / "backup-staging"),
        blob_store,
        settings,
    )
    portability_dependencies = providers.Singleton(
        PortabilityDependencies, tenants=tenant_dependencies, rows=tenant_rows
    )
    events = providers.Singleton(_events, registry, settings, adapter_context)
    session_events = providers.Singleton(LifecycleHookPublisher, events, plugins)
    presence = providers.Singleton(_presence, settings, clock, adapter_context)
    presence_dependencies = providers.Singleton(
        lambda store, events, clock, uow, s: PresenceDependencies(
            store=store,
            events=events,
            clock=clock,
            ttl=timedelta(seconds=s.events.presence_ttl_seconds),
            tenant_uow=uow,
        ),
        presence,
        events,
        clock,
        tenant_uow,
        settings,
    )
    identity_dependencies = providers.Singleton(
        lambda uow, hasher, clock, s, kinds: IdentityDependencies(
            tenant_uow=uow,
            hasher=hasher,
            clock=clock,
            public_url=s.public_url,
            rules=_identity_rules(s),
            channel_chains=validate_chains(s.notifications.chains, kinds.chains()),
        ),
        tenant_uow,
        hasher,
        clock,
        settings,
        notification_kinds,
    )
    session_dependencies = providers.Singleton(
        lambda uow, video, clock, events, rooms, s, kinds: SessionDependencies(
            tenant_uow=uow,
            video=video,
            clock=clock,
            channel_chains=validate_chains(s.notifications.chains, kinds.chains()),
            events=events,
            rules=_session_rules(s),
            public_url=s.public_url,
            multiplayer=rooms,
        ),
        tenant_uow,
        video,
        clock,
        session_events,
        multiplayer,
        settings,
        notification_kinds,
    )
    usage_dependencies = providers.Singleton(UsageDependencies, tenant_uow=tenant_uow, clock=clock)
    room_dependencies = providers.Singleton(
        RoomDependencies,
        catalog=catalog,
        tenant_uow=tenant_uow,
        presence=room_presence,
        clock=clock,
    )
    file_dependencies = providers.Singleton(
        lambda uow, blobs, clock, events, s: FileDependencies(
            tenant_uow=uow, blobs=blobs, clock=clock, rules=_file_rules(s), events=events
        ),
        tenant_uow,
        blob_store,
        clock,
        session_events,
        settings,
    )
    recording_downloads = providers.Singleton(
        lambda s: HttpxRecordingDownloads(s.sessions.recording_download_timeout_seconds),
        settings,
    )
    recording_dependencies = providers.Singleton(
        lambda uow, video, clock, catalog, blobs, downloads, events, s: RecordingDependencies(
            tenant_uow=uow,
            video=video,
            clock=clock,
            catalog=catalog,
            blobs=blobs,
            downloads=downloads,
            max_copy_attempts=s.sessions.recording_copy_attempts,
            events=events,
        ),
        tenant_uow,
        video,
        clock,
        catalog,
        blob_store,
        recording_downloads,
        session_events,
        settings,
    )
    rate_limiter = providers.Singleton(SqlRateLimiter, control_engine, clock)
    webhook_resolver = providers.Object(resolve_host)
    webhook_rules = providers.Singleton(
        lambda s: WebhookRules(
            allow_http=s.webhooks.allow_http,
            allow_private_targets=s.webhooks.allow_private_targets,
        ),
        settings,
    )
    webhook_dependencies = providers.Singleton(
        WebhookDependencies,
        tenant_uow=tenant_uow,
        clock=clock,
        resolve=webhook_resolver,
        rules=webhook_rules,
    )
    webhook_transport = providers.Singleton(
        lambda s: PinnedWebhookTransport(s.webhooks.timeout_seconds), settings
    )
    webhook_sender = providers.Singleton(
        WebhookSender,
        tenant_uow=tenant_uow,
        transport=webhook_transport,
        resolve=webhook_resolver,
        rules=webhook_rules,
        clock=clock,
        jitter=jitter,
    )
    channel_senders = providers.Singleton(
        lambda s, mail, sms, push, renderer, limiter, clock, jitter, webhooks, plugged: (
            ChannelSenders(
                mail=mail,
                sms=sms,
                push=push,
                renderer=renderer,
                rate_limiter=limiter,
                sms_budget=_sms_budget(s),
                mail_sender_address=s.mail.sender,
                clock=clock,
                jitter=jitter,
                webhooks=webhooks,
                plugin_channels=plugged,
            )
        ),
        settings,
        mail,
        sms,
        push,
        renderer,
        rate_limiter,
        clock,
        jitter,
        webhook_sender,
        plugin_channel_senders,
    )
    delivery_dependencies = providers.Singleton(
        lambda uow, senders, clock, s: DeliveryDependencies(
            tenant_uow=uow, senders=senders, clock=clock, public_url=s.public_url
        ),
        tenant_uow,
        channel_senders,
        clock,
        settings,
    )
    dispatch_dependencies = providers.Singleton(
        DispatchDependencies, index=dispatch_index, catalog=catalog, delivery=delivery_dependencies
    )
    backup_dependencies = providers.Singleton(
        BackupDependencies,
        portability=portability_dependencies,
        blobs=blob_store,
        archives=backup_archives,
    )
    receipt_dependencies = providers.Singleton(
        ReceiptDependencies, catalog=catalog, tenant_uow=tenant_uow, clock=clock
    )
    device_dependencies = providers.Singleton(
        DeviceDependencies, tenant_uow=tenant_uow, clock=clock
    )
    customisation_dependencies = providers.Singleton(
        CustomisationDependencies, tenant_uow=tenant_uow, renderer=renderer, clock=clock
    )
    idempotency_store = providers.Singleton(SqlIdempotencyStore, control_engine)
    request_limiter = providers.Singleton(_request_limiter, settings, clock, adapter_context)
    audit_dependencies = providers.Singleton(
        AuditDependencies,
        tenant_uow=tenant_uow,
        clock=clock,
        appender=providers.Singleton(SqlAuditAppender, tenant_engines),
    )
    retention_dependencies = providers.Singleton(
        RetentionDependencies, tenant_uow=tenant_uow, catalog=catalog, blobs=blob_store, clock=clock
    )


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


async def check_adapters(container: Container) -> None:
    """Build every chosen adapter now, so a bad name or setting stops start-up, not a request."""
    startup_problems(container.plugins())
    container.plugins().settings_blocks().validate(container.settings().plugins)
    container.mail()
    container.sms()
    container.sms_receipts()
    container.push()
    container.video()
    container.multiplayer()
    container.events()
    container.storage()
    container.access_tokens()
    container.sealer()
    container.plugin_channel_senders()


def _tenant_templates(
    settings: Settings, locator: DatabaseLocator, engines: TenantEngines
) -> dict[str, Any]:
    """The template strategy of the control database's backend, unless turned off."""
    database = settings.database
    if not database.tenant_templates:
        return {}
    if locator.is_sqlite:
        folder = database.tenant_template_dir or locator.sqlite_folder / "templates"
        return {"sqlite_templates": SqliteTemplates(folder, engines.open_uncached)}
    prefix = database.tenant_template_prefix or locator.prefix
    return {"postgres_templates": PostgresTemplates(prefix, engines.open_uncached)}


async def close_container(container: Container) -> None:
    """Release the connections of the adapters built so far, then the database pools."""
    for adapter in container.adapter_context().opened:
        await adapter.close()
    await container.tenant_engines().dispose()
    await container.control_engine().dispose()
