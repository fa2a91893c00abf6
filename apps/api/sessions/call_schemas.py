"""Request and response bodies of the call flow and of call preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema

from apps.api.fields import Locale, Phone
from apps.api.schemas import RequestBody, ResponseBody
from core.sessions.model import CalleeKind
from core.sessions.preferences import CallPreference


class PlaceCallBody(RequestBody):
    callee_id: UUID
    callee_kind: Annotated[
        CalleeKind, msgspec.Meta(description="user, or device (rings its owner)")
    ] = CalleeKind.USER
    reference: Annotated[
        str, msgspec.Meta(max_length=200, examples=["Ticket 4711 - pump P-12 vibrates"])
    ] = ""


class CallPreferenceBody(RequestBody):
    """SMS needs a phone number."""

    missed_call_channel: Annotated[
        Literal["email", "sms"], msgspec.Meta(description="email or sms", examples=["sms"])
    ] = "email"
    phone: Phone | None = None
    push_token: (
        Annotated[
            str,
            msgspec.Meta(max_length=4096, description="The token the phone app got from FCM."),
        ]
        | None
    ) = None
    locale: Locale = Locale.EN

    @classmethod
    def openapi_extra(cls) -> dict[str, Any]:
        return {
            "any_of": [
                Schema(properties={"missed_call_channel": Schema(const="email")}),
                Schema(required=["phone"], properties={"phone": Schema(type=OpenAPIType.STRING)}),
            ]
        }


class CallPreferenceOut(ResponseBody):
    missed_call_channel: str
    phone: str | None
    push_registered: bool
    locale: str
    updated_at: datetime

    @classmethod
    def of(cls, preference: CallPreference) -> CallPreferenceOut:
        return cls(
            missed_call_channel=preference.missed_call_channel.value,
            phone=preference.phone,
            push_registered=preference.push_token is not None,
            locale=preference.locale,
            updated_at=preference.updated_at,
        )


class GuestJoinBody(RequestBody):
    token: Annotated[
        str, msgspec.Meta(min_length=1, max_length=200, description="From the invitation link.")
    ]
