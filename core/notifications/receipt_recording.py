"""Recording what a provider's delivery receipt says about a notification."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from core.notifications.model import Channel, OutboxMessage
from core.notifications.receipts import DeliveryReceipt, ReceiptOutcome, parse_receipt_reference
from core.tenants.model import TenantStatus
from ports.clock import Clock
from ports.tenant_catalog import TenantCatalog
from ports.unit_of_work import TenantUnitOfWorkFactory

_HOLDING_DATA = (TenantStatus.ACTIVE, TenantStatus.SUSPENDED)


@dataclass(frozen=True, slots=True)
class ReceiptDependencies:
    catalog: TenantCatalog
    tenant_uow: TenantUnitOfWorkFactory
    clock: Clock


async def record_receipt(
    receipt: DeliveryReceipt, deps: ReceiptDependencies
) -> OutboxMessage | None:
    """Apply a verified receipt to its notification; None when nothing matches any more.

    A receipt for a purged tenant or a deleted notification is acknowledged and dropped:
    refusing it would only make the provider send it again for a day.
    """
    tenant_id, message_id = parse_receipt_reference(receipt.reference)
    if receipt.outcome is ReceiptOutcome.PENDING:
        return None
    tenant = await deps.catalog.get(tenant_id)
    if tenant is None or tenant.status not in _HOLDING_DATA:
        return None
    async with deps.tenant_uow(tenant_id) as uow:
        message = await uow.outbox.get(message_id)
        if message is None or message.channel is not Channel.SMS:
            return None
        now = deps.clock.now()
        reason = f"not delivered: {receipt.provider_status} (error {receipt.error_code or '-'})"
        updated = message.receipted(receipt.outcome is ReceiptOutcome.DELIVERED, reason, now)
        if updated is message:
            return message
        await uow.outbox.save(updated)
        replacement = updated.fallback(uuid.uuid4(), now)
        if replacement is not None:
            await uow.outbox.add(replacement)
        await uow.commit()
    return updated
