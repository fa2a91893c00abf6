"""Running usage totals: a meter per open session and settled minutes per month; room
in ``recordings.copy_state`` for ``quota_exceeded``.

The monthly limit check reads these instead of recounting every participant of the month
(``core.usage.meter``). The backfill fills them from the participants already recorded:
each ended session's minutes go to the months it touched, each open session someone
joined gets the meter its joins and leaves would have built. It uses the core's own
functions so the figures match the usage report exactly.

Revision ID: 0012_usage_totals
Revises: 0011_webhook_endpoints
Create Date: 2026-11-29
"""

from collections import defaultdict
from datetime import UTC, datetime
from uuid import UUID

import sqlalchemy as sa
from alembic import op

from adapters.sql.types import UtcDateTime
from adapters.sql.usage_ledger import epoch_us
from core.sessions.model import Participant, ParticipantRole
from core.usage.meter import replayed_meter, settled_minutes
from core.usage.model import Month

revision = "0012_usage_totals"
down_revision = "0011_webhook_endpoints"
branch_labels = None
depends_on = None

OPEN_STATES = ("created", "ringing", "active")


def upgrade() -> None:
    op.create_table(
        "session_meters",
        sa.Column(
            "session_id", sa.Uuid(), sa.ForeignKey("assistance_sessions.id"), primary_key=True
        ),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("settled_us", sa.BigInteger(), nullable=False),
        sa.Column("present", sa.Integer(), nullable=False),
        sa.Column("since_us", sa.BigInteger(), nullable=True),
    )
    op.create_table(
        "usage_months",
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("settled_minutes", sa.BigInteger(), nullable=False),
    )
    _backfill(datetime.now(UTC))
    _copy_state_length(20)


def downgrade() -> None:
    recordings = sa.table("recordings", sa.column("copy_state"))
    op.execute(
        recordings.update()
        .where(recordings.c.copy_state == "quota_exceeded")
        .values(copy_state="failed")
    )
    _copy_state_length(10)
    op.drop_table("usage_months")
    op.drop_table("session_meters")


def _copy_state_length(length: int) -> None:
    """SQLite does not enforce a VARCHAR's length (and cannot alter a column in place)."""
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("recordings", "copy_state", type_=sa.String(length))


def _backfill(now: datetime) -> None:
    sessions = sa.table("assistance_sessions", sa.column("id", sa.Uuid()), sa.column("state"))
    people = sa.table(
        "participants",
        sa.column("id", sa.Uuid()),
        sa.column("session_id", sa.Uuid()),
        sa.column("role"),
        sa.column("joined_at", UtcDateTime()),
        sa.column("left_at", UtcDateTime()),
    )
    query = sa.select(people, sessions.c.state).join(sessions, sessions.c.id == people.c.session_id)
    by_session: dict[UUID, list[Participant]] = defaultdict(list)
    states: dict[UUID, str] = {}
    for row in op.get_bind().execute(query):
        states[row.session_id] = row.state
        by_session[row.session_id].append(
            Participant(
                id=row.id,
                session_id=row.session_id,
                user_id=None,
                role=ParticipantRole(row.role),
                joined_at=row.joined_at,
                left_at=row.left_at,
            )
        )
    totals: dict[Month, int] = defaultdict(int)
    open_meters = []
    for session_id, present in by_session.items():
        if states[session_id] in OPEN_STATES:
            meter = replayed_meter(session_id, present, now)
            open_meters.append(
                {
                    "session_id": session_id,
                    "month": str(meter.month),
                    "settled_us": meter.settled_us,
                    "present": meter.present,
                    "since_us": epoch_us(meter.since) if meter.since else None,
                }
            )
        else:
            for month, spent in settled_minutes(present, now).items():
                totals[month] += spent
    meters = sa.table(
        "session_meters",
        sa.column("session_id", sa.Uuid()),
        *(sa.column(name) for name in ("month", "settled_us", "present", "since_us")),
    )
    months = sa.table("usage_months", sa.column("month"), sa.column("settled_minutes"))
    if open_meters:
        op.bulk_insert(meters, open_meters)
    if totals:
        op.bulk_insert(
            months, [{"month": str(m), "settled_minutes": n} for m, n in sorted(totals.items())]
        )
