"""Request and response bodies of the user and API-key endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec

from apps.api.fields import Email, Locale, PersonName
from apps.api.schemas import RequestBody, ResponseBody
from core.identity.credentials import ApiKey, ApiScope
from core.identity.model import Capability, Role, User

Flag = Annotated[bool | None, msgspec.Meta(description="Grant (true) or withdraw (false).")]


class CapabilityFlags(RequestBody, kw_only=True):
    may_host: Flag = None
    may_record: Flag = None
    may_invite_guests: Flag = None

    def chosen(self) -> dict[Capability, bool]:
        given = {
            Capability.HOST: self.may_host,
            Capability.RECORD: self.may_record,
            Capability.INVITE_GUESTS: self.may_invite_guests,
        }
        return {capability: on for capability, on in given.items() if on is not None}


class InviteUserBody(CapabilityFlags):
    email: Email
    display_name: PersonName
    role: Role
    locale: Locale = Locale.EN


class UpdateUserBody(CapabilityFlags):
    display_name: PersonName | None = None
    role: Role | None = None


class UserOut(ResponseBody):
    id: UUID
    email: str
    display_name: str
    role: str
    status: str
    may_host: bool
    may_record: bool
    may_invite_guests: bool
    locked_until: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        capabilities = user.effective_capabilities
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role.value,
            status=user.status.value,
            may_host=Capability.HOST in capabilities,
            may_record=Capability.RECORD in capabilities,
            may_invite_guests=Capability.INVITE_GUESTS in capabilities,
            locked_until=user.locked_until,
            created_at=user.created_at,
        )


class InvitedUserOut(ResponseBody):
    user: UserOut
    notification_id: UUID


class UserPage(ResponseBody):
    items: list[UserOut]
    next_cursor: str | None


class SignOutOut(ResponseBody):
    revoked_refresh_tokens: int


class CreateApiKeyBody(RequestBody):
    name: Annotated[
        str, msgspec.Meta(min_length=1, max_length=100, pattern=r"\S", examples=["ERP connector"])
    ]
    scopes: Annotated[
        list[ApiScope],
        msgspec.Meta(min_length=1, max_length=len(ApiScope), description="What the key may do."),
    ]
    expires_in_days: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                le=3650,
                description="Days until the key stops working; left out: it works until revoked.",
                examples=[365],
            ),
        ]
        | None
    ) = None


class ApiKeyOut(ResponseBody):
    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    created_by: UUID
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> ApiKeyOut:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=sorted(s.value for s in key.scopes),
            created_by=key.created_by,
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


class CreatedApiKeyOut(ResponseBody):
    key: ApiKeyOut
    secret: Annotated[str, msgspec.Meta(description="Shown this once; only a digest is kept.")]


class ApiKeyPage(ResponseBody):
    items: list[ApiKeyOut]
    next_cursor: str | None
