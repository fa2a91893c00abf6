"""A real SMTP server (aiosmtpd) on 127.0.0.1, recording what it receives.

Used by the mail contract suite and by any integration test that must see a mail leave the
platform. The server runs in its own thread and event loop (aiosmtpd's Controller), so
anything the test reads from it goes through a lock (a Condition, to wait on).

Fixtures (import them into a conftest.py to use them):

- ``smtp_certificates``: a throwaway CA and a server certificate for 127.0.0.1; the CA is
  written to a PEM file that ``SmtpSettings.ca_file`` can name.
- ``start_smtp_server``: a factory starting servers with the options a test needs, all
  stopped at teardown.
- ``smtp_server`` (plain, no AUTH), ``starttls_smtp_server`` (STARTTLS required, AUTH) and
  ``tls_smtp_server`` (implicit TLS, AUTH): the three shapes of relay the adapter supports.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any, Literal

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from adapters.smtp.settings import SmtpSecurity, SmtpSettings
from tests.support.network import free_port

USERNAME = "passerelle-relay"
PASSWORD = "relay-s3cret-é"

Stage = Literal["RCPT", "DATA"]


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server accepted it, and the connection it came over."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage
    connection: int
    tls: bool
    authenticated_as: str | None


@dataclass(frozen=True)
class Refusal:
    """Answer ``code`` at ``stage``, for every recipient or only for ``recipient``."""

    stage: Stage
    code: int
    text: str
    recipient: str | None = None

    def applies_to(self, stage: Stage, recipients: list[str]) -> bool:
        return stage == self.stage and (self.recipient is None or self.recipient in recipients)


@dataclass(frozen=True)
class SmtpCertificates:
    ca: trustme.CA
    ca_file: Path
    server_context: ssl.SSLContext


@dataclass
class _ServerState:
    """What the server thread writes and the test thread reads, under one condition."""

    lock: threading.Condition = field(default_factory=threading.Condition)
    mails: list[ReceivedMail] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    stalls: dict[Stage, float] = field(default_factory=dict)
    numbers: dict[int, int] = field(default_factory=dict)
    open: dict[int, SMTP] = field(default_factory=dict)
    idle_callbacks: list[Callable[[], object]] = field(default_factory=list)

    def opened(self, protocol: SMTP) -> None:
        with self.lock:
            self.numbers.setdefault(id(protocol), len(self.numbers))
            self.open[id(protocol)] = protocol

    def closed(self, protocol: SMTP) -> None:
        with self.lock:
            self.open.pop(id(protocol), None)
            if self.open:
                return
            self.lock.notify_all()
            callbacks, self.idle_callbacks = self.idle_callbacks, []
        for callback in callbacks:
            callback()

    def number_of(self, protocol: SMTP) -> int:
        with self.lock:
            return self.numbers[id(protocol)]

    def stall(self, stage: Stage) -> float:
        with self.lock:
            return self.stalls.get(stage, 0.0)

    def refusal(self, stage: Stage, recipients: list[str]) -> Refusal | None:
        with self.lock:
            return next((r for r in self.refusals if r.applies_to(stage, recipients)), None)


class _TrackedSMTP(SMTP):
    """aiosmtpd's protocol, telling the state when a connection opens and closes.

    A connection is identified by its protocol object: aiosmtpd makes a new Session after
    STARTTLS, so sessions cannot tell connections apart.
    """

    def __init__(self, handler: Any, state: _ServerState, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._state = state

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._state.opened(self)

    def connection_lost(self, error: Exception | None) -> None:
        self._state.closed(self)
        super().connection_lost(error)


class _RecordingHandler:
    def __init__(self, state: _ServerState) -> None:
        self._state = state

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        await asyncio.sleep(self._state.stall("RCPT"))
        refusal = self._state.refusal("RCPT", [address])
        if refusal is not None:
            return f"{refusal.code} {refusal.text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        await asyncio.sleep(self._state.stall("DATA"))
        refusal = self._state.refusal("DATA", list(envelope.rcpt_tos))
        if refusal is not None:
            return f"{refusal.code} {refusal.text}"
        content = envelope.original_content or envelope.content or b""
        raw = content if isinstance(content, bytes) else content.encode()
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        auth_data: Any = session.auth_data
        login = auth_data.login.decode() if isinstance(auth_data, LoginPassword) else None
        mail = ReceivedMail(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            message=message,
            connection=self._state.number_of(server),
            tls=server.transport is not None
            and server.transport.get_extra_info("ssl_object") is not None,
            authenticated_as=login,
        )
        with self._state.lock:
            self._state.mails.append(mail)
        return "250 Message accepted for delivery"


def _authenticate(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """Accept only USERNAME/PASSWORD; a refusal must be unhandled, or the client hangs."""
    if (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    ):
        return AuthResult(success=True, auth_data=auth_data)
    return AuthResult(success=False, handled=False)


class _TrackingController(Controller):
    def __init__(self, state: _ServerState, **kwargs: Any) -> None:
        super().__init__(_RecordingHandler(state), **kwargs)
        self._state = state

    def factory(self) -> SMTP:
        return _TrackedSMTP(self.handler, self._state, **self.SMTP_kwargs)


class SmtpTestServer:
    """A running aiosmtpd server and what it has received."""

    def __init__(
        self,
        *,
        security: SmtpSecurity,
        certificates: SmtpCertificates | None,
        auth: bool,
    ) -> None:
        if security is not SmtpSecurity.NONE and certificates is None:
            raise ValueError("a TLS server needs certificates")
        self.host = "127.0.0.1"
        self.security = security
        self.auth = auth
        self._certificates = certificates
        self._state = _ServerState()
        self._controller, self.port = self._start()

    def _start(self, port: int | None = None) -> tuple[Controller, int]:
        options: dict[str, Any] = {}
        context = self._certificates.server_context if self._certificates else None
        if self.security is SmtpSecurity.STARTTLS:
            options.update(tls_context=context, require_starttls=True)
        elif self.security is SmtpSecurity.TLS:
            options.update(ssl_context=context)
        if self.auth:
            # aiosmtpd only counts STARTTLS as TLS; under implicit TLS everything already is.
            options.update(
                authenticator=_authenticate,
                auth_require_tls=self.security is SmtpSecurity.STARTTLS,
            )
        last_error: OSError | None = None
        for _attempt in range(3):
            chosen = port or free_port()
            controller = _TrackingController(
                self._state, hostname=self.host, port=chosen, ready_timeout=5.0, **options
            )
            try:
                controller.start()
            except OSError as exc:
                last_error = exc
                continue
            self._wait_for_start_up_probe()
            return controller, chosen
        raise RuntimeError(f"no free port for the SMTP test server: {last_error}")

    def settings(self, **overrides: Any) -> SmtpSettings:
        """Settings that reach this server the way an operator would configure them."""
        values: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "security": self.security,
            "timeout_seconds": 3.0,
        }
        if self.auth:
            values.update(username=USERNAME, password=PASSWORD)
        if self._certificates is not None:
            values.update(ca_file=self._certificates.ca_file)
        values.update(overrides)
        return SmtpSettings(**values)

    @property
    def mails(self) -> list[ReceivedMail]:
        with self._state.lock:
            return list(self._state.mails)

    @property
    def open_connections(self) -> int:
        with self._state.lock:
            return len(self._state.open)

    def refuse(
        self, stage: Stage, code: int, text: str = "Refused by test", recipient: str | None = None
    ) -> None:
        """From now on, answer ``code`` at ``stage`` (for one recipient, or every message)."""
        with self._state.lock:
            self._state.refusals.append(Refusal(stage, code, text, recipient))

    def stall(self, stage: Stage, seconds: float) -> None:
        """From now on, wait ``seconds`` before answering ``stage``, as an overloaded relay."""
        with self._state.lock:
            self._state.stalls[stage] = seconds

    def accept_all(self) -> None:
        """Forget every refusal and stall: answer at once and accept every message."""
        with self._state.lock:
            self._state.refusals.clear()
            self._state.stalls.clear()

    def drop_connections(self) -> None:
        """Cut every open connection from the server side, as a relay restart would.

        Returns once the server has closed them, before the client's event loop had a
        chance to notice: the client still believes it is connected.
        """
        future = asyncio.run_coroutine_threadsafe(self._abort_all(), self._controller.loop)
        future.result(timeout=5)
        if not self._wait_until_idle():
            raise RuntimeError("the SMTP test server could not drop its connections")

    async def _abort_all(self) -> None:
        with self._state.lock:
            protocols = list(self._state.open.values())
        for protocol in protocols:
            transport = protocol._original_transport or protocol.transport
            if isinstance(transport, asyncio.Transport):
                transport.abort()

    async def wait_until_idle(self) -> None:
        """Return once no client connection is open (bound it with ``asyncio.timeout``).

        Waits without blocking the test's event loop, which must run for a client of the
        test to close its side.
        """
        loop = asyncio.get_running_loop()
        idle = asyncio.Event()
        with self._state.lock:
            if not self._state.open:
                return
            self._state.idle_callbacks.append(lambda: loop.call_soon_threadsafe(idle.set))
        await idle.wait()

    def _wait_for_start_up_probe(self) -> None:
        """aiosmtpd's start() connects once to check the server; let that connection end."""
        with self._state.lock:
            self._state.lock.wait_for(lambda: self._state.numbers and not self._state.open, 3)

    def _wait_until_idle(self, timeout: float = 3.0) -> bool:
        """Blocking: only while no client of the test's own loop is connected."""
        with self._state.lock:
            return self._state.lock.wait_for(lambda: not self._state.open, timeout)

    def stop(self) -> None:
        if self.open_connections:
            self.drop_connections()
        self._controller.stop()

    def start_again(self) -> None:
        """Come back on the same port after ``stop``, as a relay does after an outage."""
        self._controller, _ = self._start(self.port)


@pytest.fixture(scope="session")
def smtp_certificates(tmp_path_factory: pytest.TempPathFactory) -> SmtpCertificates:
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_file = tmp_path_factory.mktemp("smtp-ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return SmtpCertificates(ca=ca, ca_file=ca_file, server_context=server_context)


StartSmtpServer = Callable[..., SmtpTestServer]


@pytest.fixture
def start_smtp_server(
    smtp_certificates: SmtpCertificates,
) -> Iterator[StartSmtpServer]:
    """Start servers with ``security=`` and ``auth=``; every one is stopped at teardown."""
    servers: list[SmtpTestServer] = []

    def start(*, security: SmtpSecurity = SmtpSecurity.NONE, auth: bool = False) -> SmtpTestServer:
        server = SmtpTestServer(security=security, certificates=smtp_certificates, auth=auth)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def smtp_server(start_smtp_server: StartSmtpServer) -> SmtpTestServer:
    """A relay with no TLS and no AUTH, as an on-prem relay inside a trusted network."""
    return start_smtp_server(security=SmtpSecurity.NONE)


@pytest.fixture
def starttls_smtp_server(start_smtp_server: StartSmtpServer) -> SmtpTestServer:
    """A relay on the submission port: STARTTLS required before AUTH (Combell's shape)."""
    return start_smtp_server(security=SmtpSecurity.STARTTLS, auth=True)


@pytest.fixture
def tls_smtp_server(start_smtp_server: StartSmtpServer) -> SmtpTestServer:
    """A relay speaking TLS from the first byte (port 465 style), with AUTH."""
    return start_smtp_server(security=SmtpSecurity.TLS, auth=True)
