"""Set-up shared by the session API tests: people of a tenant, signed in, with a known role."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from core.identity.model import Role, User
from tests.integration.conftest import ADMIN_PASSWORD, Api


async def signed_in(api: Api, slug: str, role: Role, name: str) -> tuple[dict[str, str], str]:
    """Headers of a new user of the tenant with ``role``, and the user's id."""
    tenant = await api.container.catalog().find_by_slug(slug)
    assert tenant is not None
    email = f"{uuid.uuid4().hex[:10]}@{slug}.example"
    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=name,
        role=role,
        password_hash=api.container.hasher().hash(ADMIN_PASSWORD),
        created_at=datetime.now(UTC),
    )
    async with api.container.tenant_uow()(tenant.id) as uow:
        await uow.users.add(user)
        await uow.commit()
    return await api.login(slug, email), str(user.id)
