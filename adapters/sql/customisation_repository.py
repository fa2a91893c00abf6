"""A tenant's notification wording and sender, in its own database.

The sender is one row with a fixed id (1): a tenant has one sender, and an upsert on a
known key keeps concurrent saves from creating two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sql.keyset import paginate, to_page
from adapters.sql.tenant_tables import notification_sender, template_overrides
from core.notifications.customisation import (
    SenderIdentity,
    TemplateKey,
    TemplateOverride,
    TemplateWording,
)
from core.notifications.model import Channel
from ports.pagination import Page, PageRequest

_SENDER_ROW = 1


class SqlCustomisationRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def sender(self) -> SenderIdentity:
        query = notification_sender.select().where(notification_sender.c.id == _SENDER_ROW)
        row = (await self._connection.execute(query)).first()
        if row is None:
            return SenderIdentity()
        return SenderIdentity(row.mail_from_name, row.mail_reply_to, row.sms_sender_id)

    async def save_sender(self, sender: SenderIdentity) -> None:
        values = {
            "mail_from_name": sender.mail_from_name,
            "mail_reply_to": sender.mail_reply_to,
            "sms_sender_id": sender.sms_sender_id,
        }
        await self._upsert(
            notification_sender.update()
            .where(notification_sender.c.id == _SENDER_ROW)
            .values(**values),
            notification_sender.insert().values(id=_SENDER_ROW, **values),
        )

    async def override(self, key: TemplateKey) -> TemplateOverride | None:
        found = await self.overrides_for([key])
        return found.get(key)

    async def overrides_for(
        self, keys: Iterable[TemplateKey]
    ) -> dict[TemplateKey, TemplateOverride]:
        wanted = set(keys)
        if not wanted:
            return {}
        t = template_overrides
        query = t.select().where(
            sa.tuple_(t.c.kind, t.c.channel, t.c.locale).in_(
                [(k.kind, str(k.channel), k.locale) for k in wanted]
            )
        )
        rows = (await self._connection.execute(query)).all()
        return {override.key: override for override in map(_override, rows)}

    async def save_override(self, override: TemplateOverride) -> None:
        t = template_overrides
        key = override.key
        wording = {
            "subject": override.wording.subject,
            "text": override.wording.text,
            "html": override.wording.html,
            "updated_at": override.updated_at,
            "updated_by": override.updated_by,
        }
        updated = await self._connection.execute(t.update().where(_is(key)).values(**wording))
        if updated.rowcount == 0:
            await self._connection.execute(
                t.insert().values(
                    id=override.id,
                    kind=key.kind,
                    channel=str(key.channel),
                    locale=key.locale,
                    created_at=override.created_at,
                    **wording,
                )
            )

    async def _upsert(self, update: sa.Update, insert: sa.Insert) -> None:
        """Update the row, else insert it; an insert that lost a race becomes the update."""
        if (await self._connection.execute(update)).rowcount > 0:
            return
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(insert)
        except IntegrityError:
            await self._connection.execute(update)

    async def delete_override(self, key: TemplateKey) -> bool:
        deleted = await self._connection.execute(template_overrides.delete().where(_is(key)))
        return deleted.rowcount > 0

    async def list_overrides(self, page: PageRequest) -> Page[TemplateOverride]:
        query = paginate(template_overrides.select(), template_overrides, page)
        rows = (await self._connection.execute(query)).all()
        return to_page(rows, page, _override)


def _is(key: TemplateKey) -> sa.ColumnElement[bool]:
    t = template_overrides
    return sa.and_(t.c.kind == key.kind, t.c.channel == str(key.channel), t.c.locale == key.locale)


def _override(row: Any) -> TemplateOverride:
    return TemplateOverride(
        id=row.id,
        key=TemplateKey(row.kind, Channel(row.channel), row.locale),
        wording=TemplateWording(text=row.text, subject=row.subject, html=row.html),
        created_at=row.created_at,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )
