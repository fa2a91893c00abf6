"""An API wired to a real database (SQLite or PostgreSQL), driven in the test's own loop."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from dependency_injector import providers
from litestar import Litestar
from litestar.datastructures import State

from adapters.argon2.password_hasher import Argon2PasswordHasher
from adapters.memory.event_publisher import InProcessEventPublisher
from adapters.memory.mail_sender import RecordingMailSender
from adapters.sql.tenant_tables import outbox
from apps.api.app import create_app
from apps.config.loading import load_settings
from apps.container import Container, build_container, check_adapters, close_container
from apps.maintenance import migrate_control
from core.identity.model import Role, User
from core.identity.services import create_operator_key
from core.tenants.model import Tenant, TenantStatus
from tests.conftest import TEMPLATE_DIR, TEMPLATE_PREFIX, Database
from tests.support.smtp_server import (  # noqa: F401 - fixtures, found by name
    smtp_certificates,
    smtp_server,
    start_smtp_server,
)
from tests.support.tls_postgres import tls_postgres  # noqa: F401 - fixture, found by name
from tests.support.vonage_server import (  # noqa: F401 - fixtures, found by name
    start_vonage_server,
    vonage_certificates,
    vonage_server,
)
from tests.support.webhook_receiver import webhook_receiver  # noqa: F401 - fixture, found by name

TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
ADMIN_PASSWORD = "correct horse battery staple"
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0wMTIzNDU2Nzg5YWI"
PUBLIC_URL = "http://127.0.0.1:8000"


def settings_for(database: Database, data_dir: Path, **overrides: Any) -> Any:
    return load_settings(
        profile="production",
        data_dir=data_dir,
        database={
            "url": database.url,
            "tenant_database_prefix": database.tenant_prefix,
            "tenant_template_prefix": TEMPLATE_PREFIX,
            "tenant_template_dir": TEMPLATE_DIR,
        },
        auth={"jwt_secret": TEST_JWT_SECRET},
        api={"public_url": PUBLIC_URL} | overrides.pop("api", {}),
        mail={"backend": "console"},
        video={"backend": "development"},
        multiplayer={"backend": "development"},
        storage={"backend": "local"},
        push={"backend": "console"},
        sms={"backend": "console"},
        **({"encryption": {"keys": TEST_ENCRYPTION_KEY}} | overrides),
    )


@pytest.fixture
def environment(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment variables a CLI run reads: this test's database, cheap adapters."""
    for name, value in {
        "PASSERELLE_PROFILE": "production",
        "PASSERELLE_DATA_DIR": str(tmp_path),
        "PASSERELLE_DATABASE__URL": database.url,
        "PASSERELLE_DATABASE__TENANT_DATABASE_PREFIX": database.tenant_prefix,
        "PASSERELLE_DATABASE__TENANT_TEMPLATE_PREFIX": TEMPLATE_PREFIX,
        "PASSERELLE_DATABASE__TENANT_TEMPLATE_DIR": str(TEMPLATE_DIR),
        "PASSERELLE_AUTH__JWT_SECRET": TEST_JWT_SECRET,
        "PASSERELLE_API__PUBLIC_URL": PUBLIC_URL,
        "PASSERELLE_MAIL__BACKEND": "console",
        "PASSERELLE_ENCRYPTION__KEYS": TEST_ENCRYPTION_KEY,
        "PASSERELLE_VIDEO__BACKEND": "development",
        "PASSERELLE_MULTIPLAYER__BACKEND": "development",
        "PASSERELLE_STORAGE__BACKEND": "local",
        "PASSERELLE_PUSH__BACKEND": "console",
        "PASSERELLE_SMS__BACKEND": "console",
        "PASSERELLE_ADMIN_PASSWORD": ADMIN_PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
async def container(database: Database, tmp_path: Path) -> AsyncIterator[Container]:
    container = build_container(settings_for(database, tmp_path))
    container.hasher.override(
        providers.Object(Argon2PasswordHasher(time_cost=1, memory_cost_kib=8192))
    )
    container.mail.override(providers.Object(RecordingMailSender()))
    await migrate_control(container)
    try:
        yield container
    finally:
        await close_container(container)


@dataclass
class Api:
    """An HTTP client on the app plus the operator key, with helpers for the usual set-up."""

    client: httpx.AsyncClient
    operator_key: str
    container: Container

    async def create_tenant(self, slug: str, email: str = "admin@acme.example") -> dict[str, Any]:
        response = await self.client.post(
            "/api/v1/tenants",
            json={
                "slug": slug,
                "display_name": f"{slug.title()} Inc.",
                "admin_email": email,
                "admin_password": ADMIN_PASSWORD,
                "admin_name": "Ada Admin",
            },
            headers={"Authorization": f"Bearer {self.operator_key}"},
        )
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def login(self, slug: str, email: str = "admin@acme.example") -> dict[str, str]:
        """Headers for a signed-in admin of the tenant."""
        response = await self.client.post(
            "/api/v1/auth/login",
            json={"email": email, "password": ADMIN_PASSWORD},
            headers={"X-Passerelle-Tenant": slug},
        )
        assert response.status_code == 200, response.text
        token = response.json()["access_token"]
        return {"X-Passerelle-Tenant": slug, "Authorization": f"Bearer {token}"}

    async def add_provisioning_tenant(self, slug: str, **fields: Any) -> Tenant:
        """A catalog row as a provisioning that stopped early leaves it (or one written
        before today's checks): no database, no storage directory, its admin pending."""
        now = self.container.clock().now()
        tenant = Tenant(
            id=uuid.uuid4(),
            slug=slug,
            display_name=slug.title(),
            status=TenantStatus.PROVISIONING,
            created_at=now,
            updated_at=now,
            **fields,
        )
        admin = User(
            id=uuid.uuid4(),
            email=f"admin@{slug}.example",
            display_name="Ada",
            role=Role.ADMIN,
            password_hash=self.container.hasher().hash(ADMIN_PASSWORD),
            created_at=now,
        )
        await self.container.catalog().add(tenant, pending_admin=admin)
        return tenant

    async def create_session(self, headers: dict[str, str], reference: str = "Ticket 1") -> str:
        response = await self.client.post(
            "/api/v1/sessions", json={"reference": reference}, headers=headers
        )
        assert response.status_code == 201, response.text
        session_id: str = response.json()["id"]
        return session_id

    async def outbox_size(self, slug: str) -> int:
        tenant = await self.container.catalog().find_by_slug(slug)
        assert tenant is not None
        engine = self.container.tenant_engines().get(tenant.id)
        async with engine.connect() as connection:
            query = sa.select(sa.func.count()).select_from(outbox)
            return int((await connection.execute(query)).scalar_one())

    @property
    def mail(self) -> RecordingMailSender:
        sender = self.container.mail()
        assert isinstance(sender, RecordingMailSender)
        return sender


_apps: dict[str, Litestar] = {}


def _app_for(container: Container) -> Litestar:
    """An app serving this test's container, built once per shape of settings.

    Building one costs about a quarter of a second (routes, signature models, the OpenAPI
    document), more than most tests. The app keeps no data of its own: handlers and
    middleware reach the container through ``app.state``, which each test gets anew. Only
    the settings that change from test to test (its folder and databases) are left out of
    the key, so any other setting a test changes gets an app built for it.
    """
    key = container.settings().model_dump_json(exclude={"data_dir", "database"})
    app = _apps.get(key)
    if app is None:
        app = _apps[key] = create_app(container, close=False)
    app.state = State({"container": container})
    return app


@pytest.fixture
async def api(container: Container) -> AsyncIterator[Api]:
    operator_key, _ = await create_operator_key(
        "tests", keys=container.operator_keys(), clock=container.clock()
    )
    await check_adapters(container)
    transport = httpx.ASGITransport(app=_app_for(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Api(client=client, operator_key=operator_key, container=container)


@pytest.fixture
def events(api: Api) -> InProcessEventPublisher:
    """Recorded in process, whatever transport the deployment uses, to see what was sent."""
    recorder = InProcessEventPublisher()
    api.container.events.override(providers.Object(recorder))
    return recorder
