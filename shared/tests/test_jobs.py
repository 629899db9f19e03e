"""One background-job mechanism (issue 11, item 4): passes repeated in green threads, woken
early, retried after a failure, and a stop that lets a running pass finish first."""

from __future__ import annotations

import time
from typing import Any

import eventlet
from shequ.jobs import Job, Jobs


def spawn(fn: Any, identifier: str) -> Any:
    return eventlet.spawn(fn)


def test_a_job_repeats_its_pass_and_a_wake_runs_the_next_one_at_once() -> None:
    passes: list[float] = []
    jobs = Jobs("svc")
    job = jobs.add(Job("tick", lambda: passes.append(time.monotonic()), every=30.0))
    jobs.start(spawn)
    eventlet.sleep(0.05)
    assert len(passes) == 1  # the first pass at once, the next in 30 s ...
    job.wake()
    eventlet.sleep(0.05)
    assert len(passes) == 2  # ... or when woken
    jobs.stop()
    assert job.thread.dead


def test_a_pass_that_fails_is_tried_again_and_a_pass_may_ask_to_go_on_at_once() -> None:
    calls: list[int] = []

    def flaky() -> float | None:
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("database down")
        return 0.0 if len(calls) < 5 else None

    jobs = Jobs("svc")
    jobs.add(Job("flaky", flaky, every=0.01))
    jobs.start(spawn)
    eventlet.sleep(0.2)
    jobs.stop()
    assert len(calls) >= 5


def test_stop_wakes_a_waiting_job_and_lets_a_running_pass_finish_before_it_returns() -> None:
    finished: list[str] = []

    def slow() -> None:
        eventlet.sleep(0.2)  # e.g. a transaction under way
        finished.append("pass")

    jobs = Jobs("svc")
    sleeper = jobs.add(Job("sleeper", lambda: None, every=3600.0))
    busy = jobs.add(Job("busy", slow, every=3600.0))
    jobs.start(spawn)
    eventlet.sleep(0.05)
    started = time.monotonic()
    jobs.stop(grace=3.0)
    assert finished == ["pass"]  # the pass ended before stop returned
    assert sleeper.thread.dead and busy.thread.dead
    assert time.monotonic() - started < 1.0  # the sleeper did not keep its hour


def test_a_pass_that_outlives_the_grace_is_killed() -> None:
    jobs = Jobs("svc")
    stuck = jobs.add(Job("stuck", lambda: eventlet.sleep(60), every=1.0))
    jobs.start(spawn)
    eventlet.sleep(0.01)
    started = time.monotonic()
    jobs.stop(grace=0.1)
    assert stuck.thread.dead
    assert time.monotonic() - started < 1.0


def test_a_job_can_be_stopped_alone_and_may_wait_before_its_first_pass() -> None:
    passes: list[str] = []
    jobs = Jobs("svc")
    later = jobs.add(Job("later", lambda: passes.append("later"), every=3600.0, after=3600.0))
    other = jobs.add(Job("other", lambda: passes.append("other"), every=3600.0))
    jobs.start(spawn)
    eventlet.sleep(0.05)
    jobs.stop_job(later, grace=None)
    assert later.thread.dead and not other.thread.dead
    assert passes == ["other"]
    jobs.stop()
