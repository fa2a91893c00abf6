"""The first slice over HTTP, on SQLite and PostgreSQL: tenant -> login -> session -> join ->
invitation -> outbox -> worker -> mail."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from adapters.devvideo.video_provider import DevelopmentVideoProvider
from adapters.sql.tenant_tables import invitations, outbox, users
from apps.worker.outbox_worker import OutboxWorker
from tests.integration.conftest import Api


async def test_operator_to_delivered_invitation_end_to_end(api: Api) -> None:
    created = await api.create_tenant("acme")
    assert created["tenant"]["status"] == "active"
    headers = await api.login("acme")

    session_id = await api.create_session(headers, "Pump P-12 vibrates")
    joined = await api.client.post(f"/api/v1/sessions/{session_id}/join", headers=headers)
    assert joined.status_code == 200, joined.text
    video = joined.json()["video"]
    provider = api.container.video()
    assert isinstance(provider, DevelopmentVideoProvider)
    claims = provider.verify(video["token"])
    assert claims is not None
    assert claims["participant"] == joined.json()["participant_id"]

    invited = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@supplier.example", "display_name": "Gus Guest", "locale": "en"},
        headers=headers,
    )
    assert invited.status_code == 201, invited.text
    notification_id = invited.json()["notification_id"]
    queued = await api.client.get(f"/api/v1/notifications/{notification_id}", headers=headers)
    assert queued.json()["status"] == "queued"

    report = await OutboxWorker(api.container).run_once()

    assert report.sent == 1
    (mail,) = api.mail.sent
    assert mail.to == "gus@supplier.example"
    assert "Pump P-12 vibrates" in mail.text
    assert f"/join/{session_id}" in mail.text
    delivered = await api.client.get(f"/api/v1/notifications/{notification_id}", headers=headers)
    assert delivered.json()["status"] == "sent"
    assert delivered.json()["attempts"] == 1
    by_session = await api.client.get(
        f"/api/v1/sessions/{session_id}/notifications", headers=headers
    )
    assert [(n["id"], n["status"]) for n in by_session.json()["items"]] == [
        (notification_id, "sent")
    ]
    session = await api.client.get(f"/api/v1/sessions/{session_id}", headers=headers)
    assert session.json()["state"] == "active"


async def test_invitation_row_and_outbox_row_share_one_transaction(api: Api) -> None:
    created = await api.create_tenant("acme")
    tenant_id = uuid.UUID(created["tenant"]["id"])
    headers = await api.login("acme")
    session_id = await api.create_session(headers)

    refused = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@supplier.example", "display_name": "Gus", "locale": "de"},
        headers=headers,
    )
    accepted = await api.client.post(
        f"/api/v1/sessions/{session_id}/invitations",
        json={"email": "gus@supplier.example", "display_name": "Gus"},
        headers=headers,
    )

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "locale"
    assert accepted.status_code == 201
    engine = api.container.tenant_engines().get(tenant_id)
    async with engine.connect() as connection:
        invitation_rows = (await connection.execute(sa.select(invitations))).all()
        outbox_rows = (await connection.execute(sa.select(outbox))).all()
    assert [r.notification_id for r in invitation_rows] == [r.id for r in outbox_rows]


async def test_tenant_admin_is_stored_with_a_password_hash_not_the_password(api: Api) -> None:
    created = await api.create_tenant("acme")
    engine = api.container.tenant_engines().get(uuid.UUID(created["tenant"]["id"]))
    async with engine.connect() as connection:
        (row,) = (await connection.execute(sa.select(users))).all()
    assert row.email == "admin@acme.example"
    assert row.password_hash.startswith("$argon2id$")


async def test_sessions_are_listed_by_cursor_without_gaps_or_repeats(api: Api) -> None:
    await api.create_tenant("acme")
    headers = await api.login("acme")
    created = [await api.create_session(headers, f"ticket {n}") for n in range(5)]

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = (await api.client.get("/api/v1/sessions", params=params, headers=headers)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == created
    assert pages == 3


async def test_openapi_document_is_served_as_3_1_with_every_route(api: Api) -> None:
    response = await api.client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    for path in (
        "/api/v1/tenants",
        "/api/v1/auth/login",
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}/join",
        "/api/v1/sessions/{session_id}/invitations",
        "/api/v1/notifications/{notification_id}",
    ):
        assert path in document["paths"], path
    assert "BearerAuth" in document["components"]["securitySchemes"]


async def test_tenant_is_found_by_subdomain_of_the_base_domain(api: Api) -> None:
    await api.create_tenant("acme")
    response = await api.client.post(
        "/api/v1/auth/login",
        json={"email": "admin@acme.example", "password": "correct horse battery staple"},
        headers={"Host": "acme.localhost"},
    )
    assert response.status_code == 200, response.text
