"""Use cases on a tenant's notification wording and sender: tenant admins change them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.errors import Forbidden, InvalidInput, NotFound
from core.identity.model import Actor, Role
from core.notifications.customisation import (
    MAX_SMS_PARTS,
    SenderIdentity,
    TemplateKey,
    TemplateOverride,
    TemplateWording,
)
from core.notifications.kinds import notification_kind
from core.notifications.model import Channel
from core.notifications.sms_text import measure_sms
from ports.clock import Clock
from ports.pagination import Page, PageRequest
from ports.templates import TemplateError, TemplateRenderer
from ports.unit_of_work import TenantUnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class CustomisationDependencies:
    tenant_uow: TenantUnitOfWorkFactory
    renderer: TemplateRenderer
    clock: Clock


async def set_wording(
    actor: Actor, key: TemplateKey, wording: TemplateWording, deps: CustomisationDependencies
) -> TemplateOverride:
    """Replace the platform's wording of one kind, channel and language for this tenant.

    Checked before it is stored, so it cannot fail later at delivery: the template
    compiles, uses only the kind's values, and an SMS fits MAX_SMS_PARTS parts when
    rendered with the kind's example values.
    """
    _require_admin(actor)
    key = key.validated()
    wording = wording.validated(key.channel)
    _check_renders(key, wording, deps.renderer)
    now = deps.clock.now()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        existing = await uow.customisation.override(key)
        override = TemplateOverride(
            id=existing.id if existing else uuid.uuid4(),
            key=key,
            wording=wording,
            created_at=existing.created_at if existing else now,
            updated_at=now,
            updated_by=actor.user_id,
        )
        await uow.customisation.save_override(override)
        await uow.commit()
    return override


async def remove_wording(actor: Actor, key: TemplateKey, deps: CustomisationDependencies) -> None:
    """Go back to the platform's wording."""
    _require_admin(actor)
    key = key.validated()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        if not await uow.customisation.delete_override(key):
            raise NotFound(
                f"no wording of {key.kind} by {key.channel} in {key.locale} to remove",
                field="kind",
                code="wording_not_found",
            )
        await uow.commit()


async def list_wordings(
    actor: Actor, page: PageRequest, deps: CustomisationDependencies
) -> Page[TemplateOverride]:
    _require_admin(actor)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.customisation.list_overrides(page)


async def wording_of(
    actor: Actor, key: TemplateKey, deps: CustomisationDependencies
) -> TemplateWording | None:
    """The tenant's wording of a kind, channel and language, as a preview shows it."""
    async with deps.tenant_uow(actor.tenant_id) as uow:
        override = await uow.customisation.override(key)
    return override.wording if override is not None else None


async def get_sender(actor: Actor, deps: CustomisationDependencies) -> SenderIdentity:
    _require_admin(actor)
    async with deps.tenant_uow(actor.tenant_id) as uow:
        return await uow.customisation.sender()


async def set_sender(
    actor: Actor, sender: SenderIdentity, deps: CustomisationDependencies
) -> SenderIdentity:
    _require_admin(actor)
    sender = sender.validated()
    async with deps.tenant_uow(actor.tenant_id) as uow:
        await uow.customisation.save_sender(sender)
        await uow.commit()
    return sender


def _check_renders(key: TemplateKey, wording: TemplateWording, renderer: TemplateRenderer) -> None:
    kind = notification_kind(key.kind, channel=key.channel)
    try:
        renderer.check_wording(wording, kind.values)
        rendered = renderer.render_wording(wording, kind.example)
    except TemplateError as exc:
        raise InvalidInput(str(exc), field=exc.part or "text", code="template_error") from exc
    if key.channel == Channel.SMS:
        length = measure_sms(rendered.text.strip())
        if length.parts > MAX_SMS_PARTS:
            raise InvalidInput(
                f"with example values this SMS takes {length.parts} parts "
                f"({length.units} {length.encoding.value} characters); at most {MAX_SMS_PARTS}",
                field="text",
                code="sms_too_long",
            )


def _require_admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("only admins may change how notifications read", code="admin_only")
