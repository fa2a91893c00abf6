"""The rules of a recording's life, without I/O: what the provider's news changes, when a
copy is queued and retried, and how a callback finds its tenant."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from core.recordings.model import (
    CopyState,
    Recording,
    RecordingStatus,
    archive_name,
    copy_backoff,
    owner_of_archive,
)

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def _recording() -> Recording:
    return Recording(
        id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        archive_id="a-1",
        status=RecordingStatus.RECORDING,
        started_by=uuid.uuid4(),
        created_at=NOW,
        updated_at=NOW,
    )


def test_an_available_recording_with_a_url_is_queued_for_copy_once() -> None:
    available = _recording().reported(
        RecordingStatus.AVAILABLE, url="https://x/a.mp4", size_bytes=10, duration_seconds=3, now=NOW
    )
    claimed = available.claimed(NOW, timedelta(minutes=30))
    again = claimed.reported(
        RecordingStatus.AVAILABLE, url="https://x/a.mp4", size_bytes=10, duration_seconds=3, now=NOW
    )

    assert available.copy_state is CopyState.PENDING
    assert available.next_copy_at == NOW
    assert again.copy_attempts == 1
    assert again.next_copy_at == NOW + timedelta(minutes=30)


def test_news_without_a_url_queues_nothing() -> None:
    stopped = _recording().reported(
        RecordingStatus.AVAILABLE, url=None, size_bytes=0, duration_seconds=0, now=NOW
    )

    assert stopped.copy_state is CopyState.NONE


def test_a_failed_copy_is_retried_until_given_up() -> None:
    pending = _recording().reported(
        RecordingStatus.AVAILABLE, url="https://x/a.mp4", size_bytes=1, duration_seconds=1, now=NOW
    )

    retried = pending.copy_failed("HTTP 503", NOW, retry_at=NOW + timedelta(seconds=30))
    given_up = retried.copy_failed("HTTP 503", NOW, retry_at=None)

    assert (retried.copy_state, retried.copy_error) == (CopyState.PENDING, "HTTP 503")
    assert (given_up.copy_state, given_up.next_copy_at) == (CopyState.FAILED, None)


def test_copy_delays_double_up_to_the_ceiling() -> None:
    base, ceiling = timedelta(seconds=30), timedelta(minutes=5)

    delays = [copy_backoff(attempt, base, ceiling) for attempt in range(1, 7)]

    assert delays[:4] == [base, base * 2, base * 4, base * 8]
    assert delays[-1] == ceiling


def test_an_archive_name_leads_back_to_its_tenant_and_session_only() -> None:
    tenant, session = uuid.uuid4(), uuid.uuid4()

    assert owner_of_archive(archive_name(tenant, session)) == (tenant, session)
    assert owner_of_archive(None) is None
    assert owner_of_archive("someone else's archive") is None
    assert owner_of_archive(f"pxr/{tenant}/not-a-uuid") is None


def test_a_copy_refused_by_the_quota_is_given_up_and_never_queued_again() -> None:
    pending = _recording().reported(
        RecordingStatus.AVAILABLE, url="https://x/a.mp4", size_bytes=9, duration_seconds=1, now=NOW
    )

    refused = pending.copy_refused("quota_exceeded: 0 bytes left", NOW)
    told_again = refused.reported(
        RecordingStatus.AVAILABLE, url="https://x/a.mp4", size_bytes=9, duration_seconds=1, now=NOW
    )

    assert (refused.copy_state, refused.next_copy_at) == (CopyState.QUOTA_EXCEEDED, None)
    assert told_again.copy_state is CopyState.QUOTA_EXCEEDED
