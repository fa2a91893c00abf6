"""`passerelle operator-keys create`: keys for the operator API."""

from __future__ import annotations

from typing import Annotated

import typer

from apps.cli.options import ConfigOption, JsonOption
from apps.cli.output import console, emit_json
from apps.cli.runtime import run_with_container, settings_or_exit
from apps.container import Container
from core.identity.services import create_operator_key

app = typer.Typer(help="Manage operator API keys.", no_args_is_help=True)


@app.command("create")
def create(
    name: Annotated[str, typer.Argument(help="What the key is for, e.g. 'provisioning-bot'.")],
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an operator key and print it once; only its hash is stored."""
    settings = settings_or_exit(config)

    async def work(container: Container) -> tuple[str, str]:
        plaintext, key = await create_operator_key(
            name, keys=container.operator_keys(), clock=container.clock()
        )
        return plaintext, str(key.id)

    plaintext, key_id = run_with_container(settings, work)
    if as_json:
        emit_json({"id": key_id, "name": name, "key": plaintext})
    else:
        console.print(f"operator key {key_id} ({name}); shown once, store it now:\n{plaintext}")
