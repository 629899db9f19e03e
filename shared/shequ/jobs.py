"""Background jobs: the one way a service runs work outside its RPC workers.

A ``Job`` is one pass (``run``) repeated in a managed green thread: after a pass it waits
``every`` seconds, or what the pass returned (0: go on at once, yielding first), or until
something ``wake``s it; the first pass may wait ``after`` seconds. A pass that raises is logged
and tried again after ``every``. ``Jobs`` runs a service's jobs and stops them: on a clean stop
every job sees ``stopping``, is woken from its wait, and may finish its pass for ``grace``
seconds before it is killed, so no connection is closed under a running pass.

The platform's own work is jobs (``shequ.runtime.Platform``: the relay, the tree-head sealer,
the metrics, the read log's flusher, one consumer per inbox), and so is a service's:

* ``JobSpec(name, every, make)`` in ``Platform(jobs=[...])``: ``make(app)`` gives the pass
  (outreach's card re-issue and overdue sweep);
* ``@job(every=...)`` on a service method, which is then also a nameko entrypoint that can be
  fired by hand (casework's deadline timer); each pass runs the method as a worker.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import eventlet
from eventlet.event import Event as GreenEvent
from nameko.extensions import Entrypoint

log = logging.getLogger(__name__)

Pass = Callable[[], "float | None"]


class Stopping:
    """A flag the jobs (and the inbox consumers) check between steps."""

    def __init__(self) -> None:
        self._flag = False

    def set(self) -> None:
        self._flag = True

    def is_set(self) -> bool:
        return self._flag


class Job:
    def __init__(self, name: str, run: Pass, every: float, after: float = 0.0) -> None:
        self.name = name
        self.run = run
        self.every = every
        self.after = after
        self.stopped = False  # this job alone (its entrypoint stopped)
        self.thread: Any = None
        self._bell = GreenEvent()

    def wake(self) -> None:
        """Run the next pass now (if waiting) or right after the current one."""
        if not self._bell.ready():
            self._bell.send(True)

    def wait(self, seconds: float) -> None:
        if seconds <= 0:
            eventlet.sleep(0)
        else:
            with eventlet.Timeout(seconds, False):
                self._bell.wait()
        if self._bell.ready():
            self._bell = GreenEvent()


@dataclass
class JobSpec:
    """A service's job, declared with its platform: ``make(app)`` gives the pass."""

    name: str
    every: float
    make: Callable[[Any], Pass]
    after: float = 0.0


class Jobs:
    """The jobs of one service process."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.stopping = Stopping()
        self.jobs: list[Job] = []

    def add(self, job: Job) -> Job:
        self.jobs.append(job)
        return job

    def start(self, spawn: Callable[[Callable[[], None], str], Any]) -> None:
        """Start every job, each in a thread from ``spawn(fn, identifier)``."""
        for job in self.jobs:
            job.thread = spawn(functools.partial(self._loop, job), f"{self.service}.{job.name}")

    def running(self, job: Job) -> bool:
        return not (self.stopping.is_set() or job.stopped)

    def _loop(self, job: Job) -> None:
        if job.after:
            job.wait(job.after)
        while self.running(job):
            try:
                delay = job.run()
            except Exception as exc:  # noqa: BLE001 - outlive outages; tried again
                log.warning("%s %s: %s", self.service, job.name, exc)
                delay = None
            if not self.running(job):
                return
            job.wait(job.every if delay is None else delay)

    def stop(self, grace: float = 3.0) -> None:
        """Let every job see ``stopping`` and finish its pass, then kill what still runs.
        Closing a connection while a green thread waits on its socket lets a new connection
        reuse the file descriptor under the waiter (eventlet's "Second simultaneous read on
        fileno"): so the caller closes connections only after this."""
        self.stopping.set()
        self._end(self.jobs, grace)

    def stop_job(self, job: Job, grace: float | None = 3.0) -> None:
        """Stop one job: ``grace`` None waits for its pass however long it takes."""
        job.stopped = True
        self._end([job], grace)

    def _end(self, jobs: list[Job], grace: float | None) -> None:
        for job in jobs:
            job.wake()
        me = eventlet.getcurrent()
        threads = [j.thread for j in jobs if j.thread is not None and j.thread is not me]
        threads = [t for t in threads if not t.dead]
        with eventlet.Timeout(grace, False):
            for thread in threads:
                thread.wait()
        for thread in threads:
            if not thread.dead:
                thread.kill()


class JobEntrypoint(Entrypoint):
    """``@job(every=seconds)``: a service method run as a job by the service's ``Platform``
    (each pass is a worker, so it has the service's dependencies), and an entrypoint that can
    be fired by hand. The first pass comes after ``every`` seconds."""

    def __init__(self, every: float, **kwargs: Any) -> None:
        self.every = every
        self.job: Job | None = None
        self.jobs: Jobs | None = None
        super().__init__(**kwargs)

    def setup(self) -> None:
        found = [getattr(d, "jobs", None) for d in self.container.dependencies]
        runners = [j for j in found if isinstance(j, Jobs)]
        if len(runners) != 1:
            raise TypeError(f"@job {self.method_name}: the service needs exactly one Platform")
        self.jobs = runners[0]
        self.job = self.jobs.add(Job(self.method_name, self._fire, self.every, self.every))

    def _fire(self) -> None:
        done = GreenEvent()

        def handle_result(worker_ctx: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
            done.send(None)
            return result, exc_info

        self.container.spawn_worker(self, (), {}, handle_result=handle_result)
        done.wait()  # the worker logs its own error

    def stop(self) -> None:
        """Entrypoints stop before the platform: no pass is started after this returns."""
        if self.jobs is not None and self.job is not None:
            self.jobs.stop_job(self.job, grace=None)

    def kill(self) -> None:
        if self.jobs is not None and self.job is not None:
            self.jobs.stop_job(self.job, grace=0.0)


job = JobEntrypoint.decorator

__all__ = ["Job", "JobEntrypoint", "JobSpec", "Jobs", "Stopping", "job"]
