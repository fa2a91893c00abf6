"""Previewing a notification: the words a kind would send, with example or given values."""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import InvalidInput
from core.notifications.customisation import TemplateWording
from core.notifications.kinds import notification_kind, validate_locale
from core.notifications.model import Channel
from ports.templates import RenderedMessage, TemplateError, TemplateRenderer


def preview_notification(
    kind_name: str,
    channel: Channel,
    locale: str,
    values: Mapping[str, str],
    *,
    tenant_name: str,
    public_url: str,
    renderer: TemplateRenderer,
    wording: TemplateWording | None = None,
) -> RenderedMessage:
    """Values not given fall back to the kind's examples; a value the kind lacks is refused.

    ``wording`` is the tenant's own wording of this kind, channel and language, if any.
    """
    kind = notification_kind(kind_name, channel=channel)
    validate_locale(locale)
    unknown = sorted(set(values) - kind.values)
    if unknown:
        raise InvalidInput(
            f"{kind.name} has no value {unknown[0]}; it uses {', '.join(sorted(kind.values))}",
            field=f"values.{unknown[0]}",
            code="unknown_value",
        )
    merged = {**kind.example, "tenant_name": tenant_name, "public_url": public_url, **values}
    try:
        if wording is not None:
            return renderer.render_wording(wording, merged)
        return renderer.render(kind.name, channel, locale, merged)
    except TemplateError as exc:
        raise InvalidInput(str(exc), field="kind", code="template_error") from exc
