"""Rules on a tenant's own wording: admins only, and an SMS must fit three parts."""

from __future__ import annotations

import uuid

import pytest

from adapters.jinja.renderer import JinjaTemplateRenderer
from adapters.memory.clock import FixedClock
from adapters.memory.tenant_store import MemoryTenantUnitOfWorkFactory
from core.errors import Forbidden, InvalidInput
from core.identity.model import Actor, Role
from core.notifications.customisation import SenderIdentity, TemplateKey, TemplateWording
from core.notifications.customising import CustomisationDependencies, set_sender, set_wording
from core.notifications.model import Channel

TENANT = uuid.uuid4()
SMS_KEY = TemplateKey("missed_call", Channel.SMS, "en")


@pytest.fixture
def deps(uow: MemoryTenantUnitOfWorkFactory, clock: FixedClock) -> CustomisationDependencies:
    return CustomisationDependencies(uow, JinjaTemplateRenderer(), clock)


def _actor(role: Role) -> Actor:
    return Actor(tenant_id=TENANT, user_id=uuid.uuid4(), role=role)


@pytest.mark.parametrize("role", [Role.EXPERT, Role.FIELD_ENGINEER, Role.OBSERVER])
async def test_only_admins_change_wording_and_sender(
    deps: CustomisationDependencies, role: Role
) -> None:
    with pytest.raises(Forbidden):
        await set_wording(_actor(role), SMS_KEY, TemplateWording("hi"), deps)
    with pytest.raises(Forbidden):
        await set_sender(_actor(role), SenderIdentity(sms_sender_id="ACME"), deps)


async def test_an_sms_of_exactly_three_parts_is_accepted_and_one_more_character_is_not(
    deps: CustomisationDependencies, uow: MemoryTenantUnitOfWorkFactory
) -> None:
    admin = _actor(Role.ADMIN)
    await set_wording(admin, SMS_KEY, TemplateWording("x" * 459), deps)

    with pytest.raises(InvalidInput) as refused:
        await set_wording(admin, SMS_KEY, TemplateWording("x" * 460), deps)

    assert refused.value.code == "sms_too_long"
    assert uow.data(TENANT).template_overrides[SMS_KEY].wording.text == "x" * 459


async def test_sms_length_counts_the_kinds_example_values(
    deps: CustomisationDependencies,
) -> None:
    """Example caller name "Ada Expert" is 10 characters: 450 + 10 does not fit in 459."""
    with pytest.raises(InvalidInput) as refused:
        await set_wording(
            _actor(Role.ADMIN), SMS_KEY, TemplateWording("x" * 450 + "{{ caller_name }}"), deps
        )

    assert refused.value.field == "text"
