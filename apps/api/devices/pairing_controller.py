"""Pairing without typing (RFC 8628): the device asks and polls, a signed-in user decides.

The device's two calls carry no credential (the tenant is named by host or header as
usual); they and the user's decision take the tighter "auth" rate limits, so guessing
user codes or device codes is held to a trickle.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody

from apps.api.dependencies import container_of, provide_actor, provide_tenant
from apps.api.devices.qr import qr_images
from apps.api.devices.schemas import (
    ApproveBody,
    DecisionOut,
    DenyBody,
    DeviceTokenOut,
    PairingOut,
    StartPairingBody,
    TokenBody,
)
from apps.api.errors import problem
from apps.api.middleware.routes import AUTH_LIMITS, RATE_LIMIT
from core.devices import pairing
from core.devices.model import DeviceAuthorization, DeviceGrantError, display_user_code
from core.identity.model import Actor
from core.tenants.model import Tenant

_LIMITED = {RATE_LIMIT: AUTH_LIMITS}
_NO_STORE = {"Cache-Control": "no-store"}


def device_grant_error_handler(
    request: Request[Any, Any, Any], exc: DeviceGrantError
) -> Response[dict[str, Any]]:
    """RFC 8628 section 3.5: 400 with ``error``; the rest of the body is our problem document."""
    errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
    response = problem(request, 400, exc.code, exc.detail, errors=errors, headers=_NO_STORE)
    response.content = {**response.content, "error": exc.code, "error_description": exc.detail}
    return response


class DevicePairingController(Controller):
    path = "/devices"
    tags = ["devices"]
    dependencies = {"tenant": Provide(provide_tenant)}
    exception_handlers = {DeviceGrantError: device_grant_error_handler}

    @post(
        "/pairings",
        status_code=200,
        opt=_LIMITED,
        summary="Start pairing a device (RFC 8628 device authorization request)",
        description="Called by the device. Show `user_code` and the QR code; poll /devices/token.",
    )
    async def start(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[StartPairingBody],
        tenant: NamedDependency[Tenant],
    ) -> Response[PairingOut]:
        deps = container_of(request).device_dependencies()
        started = await pairing.start_pairing(
            tenant.id, pairing.PairingRequest(data.serial, data.model, data.kind), deps
        )
        request_ = started.authorization
        user_code = display_user_code(request_.user_code)
        portal = container_of(request).settings().public_url
        uri = f"{portal}/pair?{urlencode({'tenant': tenant.slug})}"
        complete = f"{uri}&{urlencode({'user_code': user_code})}"
        images = qr_images(complete)
        body = PairingOut(
            device_code=started.device_code,
            user_code=user_code,
            verification_uri=uri,
            verification_uri_complete=complete,
            expires_in=int((request_.expires_at - request_.created_at).total_seconds()),
            interval=request_.interval_seconds,
            qr_code_svg=images.svg_data_uri,
            qr_code_png=images.png_data_uri,
        )
        return Response(body, headers=_NO_STORE)

    @post(
        "/token",
        status_code=200,
        opt=_LIMITED,
        summary="Poll for the device credential (RFC 8628 device access token request)",
        description=(
            "Answers 400 with `error` authorization_pending, slow_down, expired_token, "
            "access_denied or invalid_grant until the pairing is approved; "
            "then the credential, once."
        ),
    )
    async def token(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[TokenBody],
        tenant: NamedDependency[Tenant],
    ) -> Response[DeviceTokenOut]:
        deps = container_of(request).device_dependencies()
        issued = await pairing.exchange_device_code(
            tenant.id, data.grant_type, data.device_code, deps
        )
        body = DeviceTokenOut(
            access_token=issued.credential,
            token_type="Bearer",  # noqa: S106 - the RFC 6749 token type, not a secret
            device_id=issued.device.id,
        )
        return Response(body, headers=_NO_STORE)


class DeviceDecisionController(Controller):
    path = "/devices/pairings"
    tags = ["devices"]
    security = [{"BearerAuth": []}]
    dependencies = {"tenant": Provide(provide_tenant), "actor": Provide(provide_actor)}

    @post(
        "/approve",
        status_code=200,
        opt=_LIMITED,
        summary="Approve the device showing this code; it becomes the caller's",
    )
    async def approve(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ApproveBody],
        actor: NamedDependency[Actor],
    ) -> DecisionOut:
        decision = pairing.Decision(data.user_code, approve=True, display_name=data.display_name)
        return _decision_out(await _decide(request, actor, decision))

    @post("/deny", status_code=200, opt=_LIMITED, summary="Refuse the device showing this code")
    async def deny(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[DenyBody],
        actor: NamedDependency[Actor],
    ) -> DecisionOut:
        decision = pairing.Decision(data.user_code, approve=False)
        return _decision_out(await _decide(request, actor, decision))


async def _decide(
    request: Request[Any, Any, Any], actor: Actor, decision: pairing.Decision
) -> DeviceAuthorization:
    return await pairing.decide(actor, decision, container_of(request).device_dependencies())


def _decision_out(decided: DeviceAuthorization) -> DecisionOut:
    return DecisionOut(
        status=decided.status.value,
        serial=decided.serial,
        model=decided.model,
        device_id=decided.device_id,
    )
