"""`passerelle notifications ...`: operator actions on a tenant's notifications."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import ExitCode, console, emit_json, fail
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from core.notifications.model import OutboxMessage
from core.notifications.services import requeue_notification
from core.tenants.services import existing_tenant

app = typer.Typer(help="Operate on notifications (mail, SMS, push).", no_args_is_help=True)


@app.command("retry")
def retry(
    tenant: Annotated[str, typer.Argument(help="The tenant's slug or id.")],
    notification_id: Annotated[str, typer.Argument(help="The notification's id.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Queue a dead or failed notification again, with a fresh set of attempts.

    Exits 3 when the notification does not exist or is not dead or failed.
    """
    try:
        message_id = uuid.UUID(notification_id)
    except ValueError:
        fail(f"not a notification id: {notification_id}", ExitCode.USAGE)

    async def work(container: Container) -> OutboxMessage:
        found = await existing_tenant(container.catalog(), tenant)
        return await requeue_notification(
            found.id, message_id, container.tenant_uow(), container.clock()
        )

    message = run_with_container(settings_or_exit(config), work)
    if as_json:
        emit_json({"id": str(message.id), "status": message.status.value})
    else:
        console.print(f"notification {message.id} queued again")
