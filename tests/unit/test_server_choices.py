"""The API's HTTP parser and event loop: the C ones when they import, the pure-Python ones
otherwise, and a forced choice that cannot be met named by its setting."""

from __future__ import annotations

import importlib.util
import socket
from typing import Any

import pytest
import typer

from apps.cli import serve_commands
from apps.cli.output import ExitCode
from apps.cli.server_choices import http_parser, loop_factory
from apps.config.loading import SettingsError
from apps.config.settings import ApiSettings


@pytest.fixture
def without_c_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    """httptools and uvloop as on a platform that has no wheels for them."""
    find_spec = importlib.util.find_spec

    def missing(name: str, *args: Any) -> Any:
        return None if name in ("httptools", "uvloop") else find_spec(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", missing)


def test_auto_is_the_default_and_takes_httptools_and_uvloop_when_installed() -> None:
    api = ApiSettings()
    assert (api.http_parser, api.event_loop) == ("auto", "auto")

    factory = loop_factory("auto")

    assert http_parser("auto") == "httptools"
    assert factory is not None
    loop = factory()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()


@pytest.mark.usefixtures("without_c_modules")
def test_auto_falls_back_to_h11_and_asyncios_loop_when_they_are_missing() -> None:
    assert http_parser("auto") == "h11"
    assert loop_factory("auto") is None


@pytest.mark.usefixtures("without_c_modules")
def test_a_forced_choice_that_is_missing_names_its_setting() -> None:
    with pytest.raises(SettingsError, match=r"api\.http_parser: httptools is not installed"):
        http_parser("httptools")
    with pytest.raises(SettingsError, match=r"api\.event_loop: uvloop is not installed"):
        loop_factory("uvloop")


def test_the_pure_python_ones_can_be_forced() -> None:
    assert http_parser("h11") == "h11"
    assert loop_factory("asyncio") is None


def test_an_address_in_use_is_one_clear_error_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(typer.Exit) as stopped:
            serve_commands.listening_sockets("127.0.0.1", port)

    assert stopped.value.exit_code == ExitCode.FAILED
    assert f"cannot listen on 127.0.0.1:{port}" in " ".join(capsys.readouterr().err.split())


def test_a_host_name_is_listened_on_at_every_address_it_resolves_to() -> None:
    """As asyncio binds it: localhost is 127.0.0.1 and, where the machine has IPv6, ::1."""
    resolved = {info[4][0] for info in socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)}

    listening = serve_commands.listening_sockets("localhost", 0)
    try:
        bound = {s.getsockname()[0] for s in listening}
    finally:
        for s in listening:
            s.close()

    assert bound == resolved
