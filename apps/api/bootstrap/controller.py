"""What a client needs before anyone signs in: branding, features, languages, public keys.

The web portal, the mobile apps and the glasses ask once at start, before the login
screen (which needs the tenant's name), so no credentials are needed. Only values public
by design leave here: a video API key or application id, a Photon AppId and region, the
Firebase web configuration. The document is cacheable: ETag, If-None-Match, max-age.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency, Provide
from litestar.status_codes import HTTP_304_NOT_MODIFIED

from apps.api.dependencies import container_of, provide_tenant
from apps.api.schemas import ResponseBody
from apps.config.settings import Settings
from core.tenants.model import Tenant

API_VERSION = "1"


class BrandingOut(ResponseBody):
    tenant: str
    display_name: str


class BootstrapOut(ResponseBody):
    api_version: str
    branding: BrandingOut
    languages: list[str]
    default_language: str
    features: list[str]
    video: dict[str, str]
    multiplayer: dict[str, str] | None = None
    firebase: dict[str, str] | None = None


def bootstrap_document(settings: Settings, tenant: Tenant) -> BootstrapOut:
    languages = settings.clients.languages
    return BootstrapOut(
        api_version=API_VERSION,
        branding=BrandingOut(tenant=tenant.slug, display_name=tenant.display_name),
        languages=languages,
        default_language=languages[0],
        features=_features(settings),
        video=_video(settings),
        multiplayer=_multiplayer(settings),
        firebase=settings.clients.firebase_web_config,
    )


def _features(settings: Settings) -> list[str]:
    """Every channel and service a deployment always has, plus shared AR rooms if set."""
    features = ["email", "sms", "push", "video", "guests"]
    if settings.multiplayer_backend:
        features.append("multiplayer")
    return features


def _video(settings: Settings) -> dict[str, str]:
    """The provider and the identifier its client SDK is initialised with, if public."""
    backend = settings.video_backend
    public = {
        "opentok": ("api_key", settings.opentok.api_key),
        "vonage": ("application_id", settings.vonage_video.application_id),
    }.get(backend)
    if public is None or public[1] is None:
        return {"provider": backend}
    return {"provider": backend, public[0]: public[1]}


def _multiplayer(settings: Settings) -> dict[str, str] | None:
    if settings.multiplayer_backend != "photon" or not settings.photon.app_id:
        return None
    return {
        "provider": "photon",
        "app_id": settings.photon.app_id,
        "region": settings.photon.region,
    }


@get(
    "/bootstrap",
    tags=["operations"],
    summary="Start-up configuration of a tenant's clients",
    description=(
        "Branding, features, languages and the public configuration of the video, "
        "multiplayer and Firebase SDKs. No credentials needed. Send the `ETag` back as "
        "`If-None-Match`: an unchanged document answers 304."
    ),
    dependencies={"tenant": Provide(provide_tenant)},
)
async def bootstrap(
    request: Request[Any, Any, Any], tenant: NamedDependency[Tenant]
) -> Response[BootstrapOut | bytes]:
    settings = container_of(request).settings()
    body = msgspec.json.encode(bootstrap_document(settings, tenant))
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.clients.cache_seconds}",
        "Vary": f"Host, {settings.api.tenant_header}",
    }
    if etag in _tags(request.headers.get("if-none-match", "")):
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _tags(header: str) -> set[str]:
    """The entity tags of an If-None-Match header, weak ones compared as strong."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
