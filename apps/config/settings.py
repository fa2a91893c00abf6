"""Every setting of the platform, documented once, validated at start-up.

Sources, strongest first: explicit overrides (CLI flags), environment variables
(``PASSERELLE_`` prefix, ``__`` between levels: ``PASSERELLE_SMTP__HOST``), the TOML
file named by ``PASSERELLE_CONFIG_FILE`` or ``--config``, then the defaults below.
"""

from __future__ import annotations

from contextvars import ContextVar
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from adapters.aesgcm.settings import EncryptionSettings
from adapters.channels.settings import ChannelsSettings
from adapters.devvideo.settings import DevelopmentVideoSettings
from adapters.firebase.settings import FirebaseSettings
from adapters.gcs.settings import GcsSettings
from adapters.localfs.settings import LocalStorageSettings
from adapters.opentok.settings import OpenTokSettings
from adapters.photon.settings import PhotonSettings
from adapters.redis.settings import RedisSettings
from adapters.s3.settings import S3Settings
from adapters.setting_addresses import BaseUrl, HostName, url_host
from adapters.sinks.settings import FileMailSettings
from adapters.smtp.settings import SmtpSettings
from adapters.sql.tls import DatabaseTls, SslMode
from adapters.vonage.settings import VonageSettings
from adapters.vonage.video_settings import VonageVideoSettings
from apps.api.bootstrap.settings import ClientSettings
from apps.observability.settings import ObservabilitySettings
from core.errors import InvalidInput
from core.notifications.model import Channel
from core.notifications.routing import validate_chains
from plugins.setting_errors import setting_label

_config_file: ContextVar[Path | None] = ContextVar("passerelle_config_file", default=None)

BLOB_LINKS_PATH = "/api/v1/blobs"
"""The API route serving the local store's signed links, under the public URL."""


class Profile(StrEnum):
    EMBEDDED = "embedded"
    PRODUCTION = "production"


_DRIVERS = ("postgresql+asyncpg", "sqlite+aiosqlite")


class DatabaseSettings(BaseModel):
    """Where the control database is, and how tenant databases are named and pooled."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(
        default=None,
        description=(
            "Control database URL (sqlite+aiosqlite:///... or postgresql+asyncpg://...). "
            "Tenant databases live beside it. Embedded default: <data_dir>/control.db."
        ),
    )

    tenant_database_prefix: str = Field(
        default="pxr_tenant_",
        pattern=r"^[a-z_][a-z0-9_]{0,19}$",
        description="Prefix of tenant database names on PostgreSQL (the rest is the tenant id).",
    )
    tenant_templates: bool = Field(
        default=True,
        description=(
            "Create each new tenant database as a copy of a migrated template (kept per "
            "schema version) instead of replaying every migration. Off: the role or server "
            "cannot copy databases (CREATE DATABASE ... TEMPLATE)."
        ),
    )
    tenant_template_prefix: str | None = Field(
        default=None,
        pattern=r"^[a-z_][a-z0-9_]{0,19}$",
        description=(
            "Prefix of the template databases on PostgreSQL (<prefix>template_<version>); "
            "default: tenant_database_prefix."
        ),
    )
    tenant_template_dir: Path | None = Field(
        default=None,
        description="Folder of the SQLite template file; default: templates/ beside control.db.",
    )
    pool_size: int = Field(default=5, ge=1, le=100, description="Control database pool size.")
    max_tenant_engines: int = Field(
        default=20,
        ge=1,
        le=10_000,
        description="Tenant database engines kept open at once; the least recently used closes.",
    )
    tenant_pool_size: int = Field(
        default=4,
        ge=1,
        le=50,
        description=(
            "Connections each tenant database engine opens as needed and keeps until the engine "
            "closes."
        ),
    )
    tenant_max_overflow: int = Field(
        default=0,
        ge=0,
        le=50,
        description=(
            "Connections a tenant engine may open beyond its pool at busy times; each is closed "
            "as soon as it is returned, so a tenant that keeps them busy reconnects per request."
        ),
    )
    engine_idle_seconds: float = Field(
        default=300,
        gt=0,
        le=86_400,
        description="A tenant engine unused this long is closed with its connections.",
    )
    max_connections: int = Field(
        default=100,
        ge=2,
        le=100_000,
        description=(
            "Connections this process may open to the database server, at most. Start-up "
            "refuses pool settings that could exceed it: pool_size + max_tenant_engines * "
            "(tenant_pool_size + tenant_max_overflow)."
        ),
    )
    ssl_mode: SslMode = Field(
        default=SslMode.PREFER,
        description=(
            "TLS to PostgreSQL, as libpq's sslmode: disable, allow, prefer, require, "
            "verify-ca, verify-full (verify-full also checks the server's name)."
        ),
    )
    ssl_root_cert: Path | None = Field(
        default=None,
        description="CA file for verify-ca and verify-full; default: the system's CAs.",
    )

    @model_validator(mode="after")
    def _connections_within_bound(self) -> Self:
        worst = self.pool_size + self.max_tenant_engines * (
            self.tenant_pool_size + self.tenant_max_overflow
        )
        if worst > self.max_connections:
            raise ValueError(
                f"pool settings allow {worst} connections (pool_size + max_tenant_engines * "
                f"(tenant_pool_size + tenant_max_overflow)), more than max_connections "
                f"({self.max_connections}); lower them or raise max_connections"
            )
        return self

    @property
    def tls(self) -> DatabaseTls:
        return DatabaseTls(mode=self.ssl_mode, root_cert=self.ssl_root_cert)

    @field_validator("url")
    @classmethod
    def _driver_url(cls, value: str | None) -> str | None:
        """A URL SQLAlchemy parses, for one of the two async drivers the platform ships.
        Its text is never quoted back: it may hold a password."""
        if value is None:
            return None
        try:
            url = make_url(value)
        except (ArgumentError, ValueError):
            raise ValueError("not a database URL (its host, port or form is unreadable)") from None
        if url.drivername not in _DRIVERS:
            raise ValueError(f"use one of {' or '.join(d + '://...' for d in _DRIVERS)}")
        return value


class AuthSettings(BaseModel):
    """Access tokens of portal and app users: signing key, lifetime, issuer."""

    model_config = ConfigDict(extra="forbid")

    jwt_secret: SecretStr | None = Field(
        default=None,
        description=(
            "HMAC key signing access tokens, at least 32 characters. Required in production; "
            "the embedded profile generates one under data_dir."
        ),
    )
    access_token_ttl_seconds: int = Field(
        default=900, ge=60, le=86_400, description="How long an access token is valid, in seconds."
    )
    issuer: str = Field(
        default="passerelle-xr",
        description="Issuer (iss claim) written into access tokens and required when reading them.",
    )

    refresh_token_ttl_seconds: int = Field(
        default=30 * 86_400,
        ge=300,
        le=365 * 86_400,
        description="How long a refresh token is valid, in seconds; each refresh starts anew.",
    )
    max_failed_logins: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Wrong passwords in a row that lock an account.",
    )
    lockout_seconds: int = Field(
        default=900,
        ge=1,
        le=86_400,
        description="How long a locked account stays locked, in seconds.",
    )
    invitation_ttl_hours: int = Field(
        default=72,
        ge=1,
        le=720,
        description="How long an account invitation's set-up link works, in hours.",
    )
    password_reset_ttl_minutes: int = Field(
        default=30,
        ge=5,
        le=1440,
        description="How long a password-reset link works, in minutes.",
    )

    @model_validator(mode="after")
    def _secret_long_enough(self) -> Self:
        if self.jwt_secret is not None and len(self.jwt_secret.get_secret_value()) < 32:
            raise ValueError("jwt_secret must be at least 32 characters")
        return self


class ApiSettings(BaseModel):
    """The HTTP API: where it listens and how a request finds its tenant."""

    model_config = ConfigDict(extra="forbid")

    host: HostName = Field(default="127.0.0.1", description="Interface the API listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port the API listens on.")
    base_domain: str = Field(
        default="localhost",
        description="Tenants are served at <slug>.<base_domain>.",
    )
    tenant_header: str = Field(
        default="X-Passerelle-Tenant",
        description="Header naming the tenant's slug when the host name does not.",
    )
    public_url: BaseUrl | None = Field(
        default=None,
        description=(
            "URL users and guests reach the portal at: the links in invitations and e-mails "
            "point there. Required in production; embedded: http://<host>:<port>."
        ),
    )
    max_request_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=1024**3,
        description=(
            "Largest request body accepted, in bytes; larger ones answer 413 "
            "payload_too_large. A route may allow more with its own request_max_body_size."
        ),
    )
    hsts_seconds: int = Field(
        default=0,
        ge=0,
        le=2 * 365 * 86_400,
        description=(
            "max-age of the Strict-Transport-Security header; 0 sends none. Set it when the "
            "API is only reached over HTTPS (e.g. 31536000)."
        ),
    )
    idempotency_ttl_seconds: int = Field(
        default=86_400,
        ge=60,
        le=7 * 86_400,
        description="How long the answer to a request with an Idempotency-Key is replayed.",
    )
    idempotency_lease_seconds: int = Field(
        default=300,
        ge=5,
        le=3600,
        description=(
            "A request still in flight after this long is taken for dead: a retry with its "
            "Idempotency-Key may run again instead of answering 409."
        ),
    )
    http_parser: Literal["auto", "httptools", "h11"] = Field(
        default="auto",
        description=(
            "HTTP/1.1 parser of `passerelle serve` and `up`: auto takes httptools (C, faster "
            "on large bodies) when installed, else h11 (pure Python); name one to force it."
        ),
    )
    event_loop: Literal["auto", "uvloop", "asyncio"] = Field(
        default="auto",
        description=(
            "Event loop of `passerelle serve`, `up` and `worker`: auto takes uvloop when "
            "installed (not on Windows), else asyncio's own; name one to force it."
        ),
    )


class RateLimitSettings(BaseModel):
    """API request limits per tenant, per user and per client IP (429 past them).

    Shared by every API replica through Redis when ``redis.url`` is set, else per process.
    Routes tagged ``auth`` (login, password reset, token refresh, device pairing) count
    against the tighter ``auth_*`` limits as well.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="Whether requests are limited at all.")
    per_tenant_per_minute: int = Field(
        default=3000,
        ge=1,
        le=10_000_000,
        description="Requests per minute of all the signed-in users of one tenant together.",
    )
    per_user_per_minute: int = Field(
        default=600, ge=1, le=1_000_000, description="Requests per minute of one credential."
    )
    per_ip_per_minute: int = Field(
        default=1200, ge=1, le=1_000_000, description="Requests per minute from one client IP."
    )
    auth_per_ip_per_minute: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="Requests per minute from one client IP to routes tagged auth.",
    )
    auth_per_user_per_minute: int = Field(
        default=10,
        ge=1,
        le=100_000,
        description=(
            "Requests per minute with one credential (or, signed out, one tenant and IP) to "
            "routes tagged auth."
        ),
    )


class WorkerSettings(BaseModel):
    """Outbox workers: how often they look for messages and how many they take at once."""

    model_config = ConfigDict(extra="forbid")

    poll_interval_seconds: float = Field(
        default=0.5,
        gt=0,
        le=60,
        description="Seconds between reads of the dispatch index; new work waits at most this.",
    )
    tenants_per_pass: int = Field(
        default=50, ge=1, le=10_000, description="Due tenants a worker serves in one pass."
    )
    full_scan_seconds: float = Field(
        default=300,
        gt=0,
        le=86_400,
        description=(
            "How often a worker checks every tenant's outbox for work the dispatch index "
            "missed (a crash between a commit and its index mark)."
        ),
    )
    batch_size: int = Field(
        default=50, ge=1, le=1000, description="Messages a worker claims per tenant in one pass."
    )
    lease_seconds: int = Field(
        default=60, ge=5, le=3600, description="How long a claimed message stays with one worker."
    )


class MailSettings(BaseModel):
    """Outgoing mail: which adapter sends it and whom it comes from."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description="Mail adapter by name (smtp, console, file...). Embedded: console; else smtp.",
    )
    sender: str = Field(
        default="Passerelle XR <no-reply@localhost>", description="From address of every mail."
    )


class VideoSettings(BaseModel):
    """Live video: which adapter creates video sessions and join tokens."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description="Video adapter by name. Embedded: development; else opentok.",
    )


class MultiplayerSettings(BaseModel):
    """Shared AR rooms: which adapter names rooms and signs join tickets."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description="Multiplayer adapter by name. Embedded: development; else photon.",
    )


class NotificationSettings(BaseModel):
    """Notifications: the channels each kind tries, in order."""

    model_config = ConfigDict(extra="forbid")

    channels: dict[str, list[Channel]] = Field(
        default_factory=dict,
        description=(
            "Channel chain per kind, first reachable channel first, the rest as fallbacks, "
            'e.g. {session_invitation = ["sms", "email"]}. Kinds not named keep '
            "their default chain."
        ),
    )

    @model_validator(mode="after")
    def _chains_are_sendable(self) -> Self:
        try:
            validate_chains(self.chains)
        except InvalidInput as exc:
            raise ValueError(exc.detail) from exc
        return self

    @property
    def chains(self) -> dict[str, tuple[Channel, ...]]:
        return {kind: tuple(chain) for kind, chain in self.channels.items()}


class SmsSettings(BaseModel):
    """SMS: which adapter sends them, and the provider's rate shared by all workers."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description="SMS adapter by name (vonage, console...). Embedded: console; else vonage.",
    )
    rate_per_second: float = Field(
        default=30.0,
        gt=0,
        le=10_000,
        description=(
            "Requests per second to the SMS provider for the whole worker fleet "
            "(Vonage's default account limit is 30)."
        ),
    )


class PushSettings(BaseModel):
    """Push notifications: which adapter rings phones and glasses."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description="Push adapter by name (fcm, console...). Embedded: console; else fcm.",
    )


class EventSettings(BaseModel):
    """Realtime events and presence: which transport carries them, how long presence lasts."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description=(
            "Events adapter by name: channels (the platform's WebSocket/SSE, over Redis when "
            "redis.url is set), firebase (Realtime Database; firebase.* block). Default: channels."
        ),
    )
    presence_ttl_seconds: int = Field(
        default=60,
        ge=5,
        le=3600,
        description=(
            "A device that sent no heartbeat (and holds no open WebSocket) for this long "
            "counts as offline."
        ),
    )
    presence_sweep_seconds: float = Field(
        default=5,
        gt=0,
        le=300,
        description="How often the API looks for expired presence to announce as offline.",
    )


class StorageSettings(BaseModel):
    """Files: which adapter stores tenants' files."""

    model_config = ConfigDict(extra="forbid")

    backend: str | None = Field(
        default=None,
        description="Storage adapter by name (gcs, s3, local...). Embedded: local; else gcs.",
    )
    allowed_content_types: list[str] = Field(
        default=[
            "image/*",
            "video/*",
            "audio/*",
            "application/pdf",
            "text/plain",
            "text/csv",
            "application/json",
            "application/zip",
            "application/octet-stream",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "model/gltf-binary",
        ],
        description="Content types the files API accepts (`image/*` allows a family); "
        "others get 415.",
    )
    max_file_bytes: int = Field(
        default=2 * 1024**3,
        ge=1,
        description="Ceiling on one file for every tenant: a plan's max_file_bytes and the "
        "tenant's storage quota may allow less. Larger uploads get 413 and nothing is stored.",
    )
    upload_url_ttl_seconds: int = Field(
        default=900,
        ge=60,
        le=7 * 86_400,
        description="Lifetime of a signed upload URL; an upload not confirmed by then is deleted.",
    )
    download_url_ttl_seconds: int = Field(
        default=300, ge=1, le=7 * 86_400, description="Lifetime of a signed download URL."
    )
    orphan_grace_seconds: int = Field(
        default=3_600,
        ge=0,
        description="`passerelle files reconcile --repair` deletes a blob without a row only "
        "once older than this, so uploads in flight are spared.",
    )


class TenancySettings(BaseModel):
    """Tenant lifecycle: how long a deleted tenant's data is kept, how often it is purged."""

    model_config = ConfigDict(extra="forbid")

    deletion_grace_days: int = Field(
        default=30,
        ge=0,
        le=365,
        description="Days a deleted tenant's data is kept before the purge drops it.",
    )
    purge_interval_seconds: float = Field(
        default=300, gt=0, le=86_400, description="How often workers look for tenants to purge."
    )
    resolution_cache_seconds: float = Field(
        default=2,
        ge=0,
        le=60,
        description=(
            "How long a process remembers a tenant it looked up (by slug or id) instead of "
            "asking the control database again; 0 turns the cache off. A suspension made "
            "by another process takes effect within this time."
        ),
    )


class BackupSettings(BaseModel):
    """Daily backups of every tenant into its own storage directory (``backups/``)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True, description="Whether workers make a daily backup of every tenant."
    )
    keep_daily: int = Field(
        default=7,
        ge=1,
        le=366,
        description="Daily backups kept per tenant, newest first; manual ones are never pruned.",
    )
    check_interval_seconds: float = Field(
        default=3600,
        ge=60,
        le=86_400,
        description="How often workers look for tenants without today's (UTC) backup.",
    )


class WebhookSettings(BaseModel):
    """Outbound webhooks to the URLs tenant admins configure (docs/webhooks.md)."""

    model_config = ConfigDict(extra="forbid")

    allow_private_targets: bool = Field(
        default=False,
        description=(
            "Let webhooks reach private, loopback, link-local and reserved addresses. Off, "
            "the SSRF guard refuses a URL whose host resolves to any such address, when it "
            "is saved and before each delivery. On only when receivers live on the "
            "deployment's own network (or in tests)."
        ),
    )
    allow_http: bool = Field(
        default=False,
        description="Accept plain http:// webhook URLs; off, endpoints must use https.",
    )
    timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=60,
        description="Connect, send and read timeout of one delivery attempt.",
    )


class SessionSettings(BaseModel):
    """Timing and size rules of assistance sessions, the same for every tenant."""

    model_config = ConfigDict(extra="forbid")

    ring_timeout_seconds: int = Field(
        default=45, ge=5, le=600, description="How long a call rings before it counts as missed."
    )
    idle_timeout_minutes: int = Field(
        default=30,
        ge=1,
        le=1440,
        description="An active session with no join or leave for this long is ended.",
    )
    max_participants: int = Field(
        default=10, ge=2, le=100, description="People in one session at once, guests included."
    )
    invitation_ttl_hours: int = Field(
        default=24, ge=1, le=720, description="How long a guest link works if nobody uses it."
    )
    join_token_ttl_minutes: int = Field(
        default=120, ge=5, le=1440, description="Lifetime of the video token a join returns."
    )
    sweep_interval_seconds: float = Field(
        default=5,
        ge=1,
        le=300,
        description="How often workers look for unanswered calls and idle sessions.",
    )
    recording_copy_interval_seconds: float = Field(
        default=30,
        ge=1,
        le=3600,
        description=(
            "How often workers look for finished recordings to copy from the video "
            "provider into the tenant's storage."
        ),
    )
    recording_copy_attempts: int = Field(
        default=8,
        ge=1,
        le=50,
        description=(
            "Tries to copy one recording (delays doubling from 30 s, at most 1 h apart) "
            "before it is marked failed."
        ),
    )
    recording_download_timeout_seconds: float = Field(
        default=60,
        gt=0,
        le=600,
        description="Connect and read timeout when downloading a recording from the provider.",
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PASSERELLE_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    profile: Profile = Field(
        default=Profile.PRODUCTION,
        description="embedded: SQLite, local files, development adapters. production: real ones.",
    )
    data_dir: Path = Field(
        default=Path("var"), description="Where the embedded profile keeps data."
    )
    database: DatabaseSettings = DatabaseSettings()
    auth: AuthSettings = AuthSettings()
    encryption: EncryptionSettings = EncryptionSettings()
    api: ApiSettings = ApiSettings()
    rate_limits: RateLimitSettings = RateLimitSettings()
    redis: RedisSettings = RedisSettings()
    worker: WorkerSettings = WorkerSettings()
    mail: MailSettings = MailSettings()
    video: VideoSettings = VideoSettings()
    multiplayer: MultiplayerSettings = MultiplayerSettings()
    notifications: NotificationSettings = NotificationSettings()
    sms: SmsSettings = SmsSettings()
    push: PushSettings = PushSettings()
    events: EventSettings = EventSettings()
    channels: ChannelsSettings = ChannelsSettings()
    storage: StorageSettings = StorageSettings()
    tenancy: TenancySettings = TenancySettings()
    backups: BackupSettings = BackupSettings()
    sessions: SessionSettings = SessionSettings()
    webhooks: WebhookSettings = WebhookSettings()
    observability: ObservabilitySettings = ObservabilitySettings()
    clients: ClientSettings = ClientSettings()
    smtp: SmtpSettings = SmtpSettings()
    mail_file: FileMailSettings = FileMailSettings()
    dev_video: DevelopmentVideoSettings = DevelopmentVideoSettings()
    storage_local: LocalStorageSettings = LocalStorageSettings()
    gcs: GcsSettings = GcsSettings()
    s3: S3Settings = S3Settings()
    firebase: FirebaseSettings = FirebaseSettings()
    vonage: VonageSettings = VonageSettings()
    opentok: OpenTokSettings = OpenTokSettings()
    vonage_video: VonageVideoSettings = VonageVideoSettings()
    photon: PhotonSettings = PhotonSettings()
    plugins: dict[str, dict[str, Any]] = Field(
        default_factory=dict,
        description=(
            "Settings blocks of plugins, by key ([plugins.<key>] in the TOML file); each "
            "validated at start-up. Those of installed plugins are listed at the end."
        ),
    )
    disabled_plugins: list[str] = Field(
        default_factory=list,
        description=(
            "Plugins not to load: built-in module names (plugins.builtin.sms) or "
            "entry-point names, as `passerelle plugins` lists them."
        ),
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file.get())
        return (init_settings, env_settings, toml)

    @model_validator(mode="after")
    def _production_needs_real_settings(self) -> Self:
        if self.profile is not Profile.PRODUCTION:
            return self
        required = {
            "database.url": self.database.url,
            "auth.jwt_secret": self.auth.jwt_secret,
            "api.public_url": self.api.public_url,
            "encryption.keys": self.encryption.keys,
        }
        missing = [name for name, value in required.items() if value is None]
        if missing:
            named = ", ".join(setting_label(name.split(".")) for name in missing)
            raise ValueError(
                f"the production profile (the default) needs {named}. `passerelle secrets "
                "new-key` prints an encryption key; api.public_url is where users and guests "
                "reach the portal, which every link sent to them points at. To try the "
                "platform on one machine, run `passerelle up`, or set PASSERELLE_PROFILE=embedded"
            )
        return self

    @property
    def control_database_url(self) -> str:
        return self.database.url or f"sqlite+aiosqlite:///{self.data_dir.resolve()}/control.db"

    @property
    def mail_backend(self) -> str:
        return self.mail.backend or ("console" if self.profile is Profile.EMBEDDED else "smtp")

    @property
    def video_backend(self) -> str:
        return self.video.backend or (
            "development" if self.profile is Profile.EMBEDDED else "opentok"
        )

    @property
    def multiplayer_backend(self) -> str:
        return self.multiplayer.backend or (
            "development" if self.profile is Profile.EMBEDDED else "photon"
        )

    @property
    def sms_backend(self) -> str:
        return self.sms.backend or ("console" if self.profile is Profile.EMBEDDED else "vonage")

    @property
    def push_backend(self) -> str:
        return self.push.backend or ("console" if self.profile is Profile.EMBEDDED else "fcm")

    @property
    def events_backend(self) -> str:
        return self.events.backend or "channels"

    @property
    def storage_backend(self) -> str:
        return self.storage.backend or ("local" if self.profile is Profile.EMBEDDED else "gcs")

    def chosen_adapters(self) -> dict[str, str]:
        """The adapter each kind is built with, by kind: its ``<kind>.backend`` setting, or
        the profile's default when unset."""
        return {
            "mail": self.mail_backend,
            "video": self.video_backend,
            "multiplayer": self.multiplayer_backend,
            "sms": self.sms_backend,
            "push": self.push_backend,
            "events": self.events_backend,
            "storage": self.storage_backend,
        }

    @property
    def public_url(self) -> str:
        return self.api.public_url or f"http://{url_host(self.api.host)}:{self.api.port}"

    @property
    def local_links_url(self) -> str:
        """Where the local store's signed links point: storage_local.links_url when set,
        else the API's blob route (apps/api/blobs) under the public URL, so the links follow
        api.public_url, or the host and port the API listens on (`up --port` included)."""
        explicit = self.storage_local.links_url
        return explicit or f"{self.public_url.rstrip('/')}{BLOB_LINKS_PATH}"

    def adapter_blocks(self) -> dict[str, Any]:
        """Settings blocks by key, as adapter factories ask for them."""
        return {
            **self.plugins,
            "smtp": self.smtp,
            "mail_file": self.mail_file,
            "dev_video": self.dev_video,
            "storage_local": self.storage_local.model_copy(
                update={"links_url": self.local_links_url}
            ),
            "gcs": self.gcs,
            "s3": self.s3,
            "firebase": self.firebase,
            "vonage": self.vonage,
            "opentok": self.opentok,
            "vonage_video": self.vonage_video,
            "photon": self.photon,
            "channels": self.channels,
            "redis": self.redis,
        }
