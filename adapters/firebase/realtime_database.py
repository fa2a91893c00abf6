"""Realtime events in the Firebase Realtime Database, read by clients straight from there.

Layout (``channels_of`` as database paths): ``tenants/<tenant>/users/<user>/events/<id>``,
``tenants/<tenant>/sessions/<session>/events/<id>`` and ``tenants/<tenant>/everyone/
events/<id>``; each event node is the event's JSON plus ``ts`` (epoch milliseconds), the
child clients order by and the prune job queries. A session also lists who may read it
(``.../sessions/<session>/members/<user>: true``), since the security rules
(``deploy/firebase/database.rules.json``) can only check what is in the database or the
token. One publish is one multi-path ``update``: every node of every event, or none.

Clients sign in with a custom token from ``grant`` (uid = user id; claims ``pxr_tenant``
and ``pxr_role``), which the rules compare with the path.

The SDK's database calls block (requests), so they run in worker threads; an ``http://``
``database_url`` (``...?ns=<db>``) makes the SDK speak to an emulator without credentials.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import firebase_admin
from firebase_admin import auth, credentials, db, exceptions

from adapters.firebase.access_tokens import load_service_account
from adapters.firebase.settings import FirebaseCredentialsError, FirebaseSettings
from ports.events import (
    ClientGrant,
    Event,
    EventsUnavailable,
    EventType,
    channels_of,
    session_channel,
    tenant_channel,
    user_channel,
)

CUSTOM_TOKEN_SECONDS = 3600
"""Firebase accepts custom tokens for one hour; the client SDK then keeps its own session."""
PRUNE_BATCH = 500
_EVENT_ROOTS = ("users", "sessions")


class FirebaseRealtimeEvents:
    name = "firebase"

    def __init__(self, settings: FirebaseSettings) -> None:
        if settings.database_url is None:
            raise FirebaseCredentialsError(
                "firebase.database_url: the firebase events adapter needs the Realtime Database URL"
            )
        try:
            certificate = credentials.Certificate(load_service_account(settings))
        except ValueError as exc:
            raise FirebaseCredentialsError(
                f"firebase credentials: not a usable service-account key: {exc}"
            ) from None
        options: dict[str, Any] = {
            "databaseURL": settings.database_url,
            "httpTimeout": settings.timeout_seconds,
        }
        if settings.project_id is not None:
            options["projectId"] = settings.project_id
        self._app = firebase_admin.initialize_app(
            certificate, options, name=f"passerelle-events-{uuid.uuid4()}"
        )
        self._database_url = settings.database_url
        self._root = db.reference("/", app=self._app)

    async def publish(self, events: Sequence[Event]) -> None:
        if events:
            await self._call(self._root.update, nodes_of(events))

    async def grant(self, tenant_id: UUID, user_id: UUID, role: str) -> ClientGrant:
        claims = {"pxr_tenant": str(tenant_id), "pxr_role": role}
        token = await asyncio.to_thread(
            auth.create_custom_token, str(user_id), claims, app=self._app
        )
        return ClientGrant(
            token=token.decode(),
            expires_in_seconds=CUSTOM_TOKEN_SECONDS,
            database_url=self._database_url,
            channels=(user_channel(tenant_id, user_id), tenant_channel(tenant_id)),
        )

    async def prune(self, before: datetime) -> int:
        removed: int = await self._call(self._prune, int(before.timestamp() * 1000))
        return removed

    async def close(self) -> None:
        firebase_admin.delete_app(self._app)

    def _prune(self, cutoff_ms: int) -> int:
        """Blocking: every events node of every tenant, oldest first, in bounded batches."""
        removed = 0
        for tenant in _keys(self._root.child("tenants")):
            tenant_ref = self._root.child("tenants").child(tenant)
            nodes = [tenant_ref.child("everyone").child("events")]
            for kind in _EVENT_ROOTS:
                owners = _keys(tenant_ref.child(kind))
                nodes += [tenant_ref.child(kind).child(owner).child("events") for owner in owners]
            for node in nodes:
                removed += _prune_node(node, cutoff_ms)
        return removed

    async def _call(self, function: Any, *args: Any) -> Any:
        try:
            return await asyncio.to_thread(function, *args)
        except (exceptions.FirebaseError, OSError, ValueError) as exc:
            raise EventsUnavailable(f"firebase: {type(exc).__name__}: {exc}") from exc


def nodes_of(events: Sequence[Event]) -> dict[str, object]:
    """The multi-path update that writes ``events`` and the session members they name."""
    updates: dict[str, object] = {}
    for event in events:
        body = {**event.to_json(), "ts": int(event.occurred_at.timestamp() * 1000)}
        for channel in channels_of(event):
            updates[f"{channel}/events/{event.id}"] = body
        session_id = event.audience.session_id
        if session_id is not None:
            for member in _members(event):
                updates[f"{session_channel(event.tenant_id, session_id)}/members/{member}"] = True
    return updates


def _members(event: Event) -> list[str]:
    """Who may read a session's events: its addressed users, and who joined it."""
    members = [str(user) for user in event.audience.user_ids]
    joined = event.data.get("user_id")
    if event.type is EventType.PARTICIPANT_JOINED and isinstance(joined, str):
        members.append(joined)
    return members


def _keys(reference: db.Reference) -> list[str]:
    found = reference.get(shallow=True)
    return list(found) if isinstance(found, dict) else []


def _prune_node(events: db.Reference, cutoff_ms: int) -> int:
    removed = 0
    while True:
        old = events.order_by_child("ts").end_at(cutoff_ms).limit_to_first(PRUNE_BATCH).get()
        if not old:
            return removed
        events.update(dict.fromkeys(old))
        removed += len(old)
        if len(old) < PRUNE_BATCH:
            return removed
