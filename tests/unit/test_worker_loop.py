"""The worker's job loop: a busy job runs again at once, a failing one never stops it."""

from __future__ import annotations

import asyncio

from apps.worker.process import every


async def test_a_busy_job_runs_again_without_waiting_its_interval() -> None:
    stop = asyncio.Event()
    results = iter([True, True, False])
    calls = []

    async def job() -> bool:
        calls.append(len(calls))
        result = next(results)
        if not result:
            stop.set()
        return result

    await asyncio.wait_for(every(3600, job, stop, "test", busy=bool), timeout=5)
    assert calls == [0, 1, 2]


async def test_a_failing_job_is_logged_and_run_again_next_time() -> None:
    stop = asyncio.Event()
    calls = []

    async def job() -> None:
        calls.append(1)
        if len(calls) == 3:
            stop.set()
        raise RuntimeError("provider exploded")

    await asyncio.wait_for(every(0.01, job, stop, "test"), timeout=5)
    assert len(calls) == 3
