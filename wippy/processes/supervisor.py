"""The supervisor of `process.service` entries: Wippy's service lifecycle.

Each `process.service` is a Service: its process (`process`) runs on its host
(`host`) with `input` as arguments and `input_context` as context. The
supervisor starts the services with `lifecycle.auto_start` (and the services
they require) in `requires` order — a service starts once every service it
requires is running — and stops them in the reverse order.

A service's life (states as Wippy's: unknown, starting, running, stopping,
stopped, failed, exited):
- start: spawn the process; it is *running* once its first step has ended (it
  waits for something) without failing, within `start_timeout` (else it is
  terminated and the start counts as a failure).
- exit with a value: *exited* (done; not restarted). Exit with an error whose
  `retryable` is false: *exited* (a terminal error). Any other error:
  *failed*, and restarted after a delay: `initial_delay * backoff_factor^(n-1)`
  capped at `max_delay`, randomized by ±`jitter` (a fraction), n the number of
  failures in a row; a service that ran at least `stable_threshold` before
  failing starts a new series (n = 1). With `max_attempts` > 0, the
  `max_attempts`-th failure in a row is final: the service stays *failed*, an
  error is logged, the other services keep running.
- stop: `process.cancel` (reason "service stopping"); a process still running
  after `stop_timeout` is terminated. Then *stopped*.
Every start, exit (with its reason), restart and give-up is logged on the
`wippy.services` logger; `Service.history` keeps the same as data.

Invariants: at most one process per service at a time; restarts are timers on
the event loop, canceled by stop; a service never restarts after stop.
Costs: one asyncio timer per pending restart, a task per starting service.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import TYPE_CHECKING, Any

from ..durations import SECOND
from ..functions import WippyError
from ..registry import ProcessServiceEntry

if TYPE_CHECKING:
    from .host import ProcessNode
    from .process import Process

log = logging.getLogger("wippy.services")


class Service:
    """One supervised `process.service` entry."""

    def __init__(self, sup: Supervisor, entry: ProcessServiceEntry) -> None:
        self.sup = sup
        self.entry = entry
        self.id = entry.id
        self.lifecycle = entry.lifecycle
        self.status = "unknown"
        self.desired = "stopped"
        self.proc: Process | None = None
        self.failures = 0  # failures in a row (the restart counter)
        self.starts = 0
        self.exhausted = False  # the last failure was the max_attempts-th in a row
        self.delays: list[float] = []  # every restart delay used, in seconds
        self.history: list[dict[str, Any]] = []
        self.run_start = 0.0
        self.retry: asyncio.TimerHandle | None = None
        self.settled = asyncio.Event()  # running, or given up: dependents may proceed
        self.exited_evt = asyncio.Event()  # the current process has exited
        self.start_timed_out = False

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.status}>"

    @property
    def pid(self) -> str | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def gave_up(self) -> bool:
        """Failed `max_attempts` times in a row: no restart comes (not merely between a
        restart's timer and its start, when the status is still "failed")."""
        return self.exhausted and self.status == "failed" and self.desired == "running"

    def _record(self, event: str, **fields: Any) -> None:
        self.history.append({"event": event, "at": time.time(), **fields})

    def delay(self, n: int) -> float:
        """Seconds before restart after the n-th failure in a row."""
        r = self.lifecycle.restart
        base = min(r.initial_delay * r.backoff_factor ** (n - 1), float(r.max_delay)) / SECOND
        if r.jitter > 0:
            base += base * r.jitter * (self.sup.rng.random() * 2 - 1)
        return max(base, 0.0)

    # starting ---------------------------------------------------------------------------
    async def launch(self) -> None:
        """One start attempt."""
        self.retry = None
        if self.desired != "running":
            return
        loop = asyncio.get_running_loop()
        self.exhausted = False
        self.status = "starting"
        self.starts += 1
        self.start_timed_out = False
        self.exited_evt.clear()
        lc = self.lifecycle
        log.info("service %s: starting %s on %s (attempt %d)", self.id, self.entry.process, self.entry.host,
                 self.failures + 1)
        try:
            proc = self.sup.node.start_process(self.entry.process, self.entry.host, list(self.entry.input),
                                               ctx=dict(self.entry.input_context),
                                               cancel_timeout=lc.stop_timeout / SECOND, on_exit=self._on_exit)
        except WippyError as e:
            self._record("start_failed", reason=str(e))
            log.warning("service %s: could not start: %s", self.id, e)
            self._failed(0.0, str(e))
            return
        self.proc = proc
        self.run_start = loop.time()
        proc.first_step = loop.create_future()
        self._record("start", pid=proc.pid, attempt=self.failures + 1)
        try:
            await asyncio.wait_for(asyncio.shield(proc.first_step), lc.start_timeout / SECOND)
        except TimeoutError:
            if proc.alive:
                self.start_timed_out = True
                proc.terminate(f"service {self.id}: not started within start_timeout "
                               f"({lc.start_timeout / SECOND:g}s)")
            return
        if proc.alive and self.proc is proc:
            self.status = "running"
            self.settled.set()
            log.info("service %s: running as %s", self.id, proc.pid)

    def _on_exit(self, proc: Process) -> None:
        if proc is not self.proc:
            return
        self.proc = None
        self.exited_evt.set()
        o = proc.outcome
        assert o is not None
        ran = self.sup.node.app.scheduler.loop.time() - self.run_start  # (maybe inside a step)
        reason = "returned" if o.error is None else f"{o.error.get('kind') or 'error'}: {o.error.get('message', '')}"
        self._record("exit", pid=proc.pid, reason=reason, ran=ran, ok=o.error is None, value=o.value)
        if self.desired != "running":
            self.status = "stopped"
            log.info("service %s: %s stopped (%s)", self.id, proc.pid, reason)
            return
        if o.error is None or o.error.get("retryable") is False:
            self.status = "exited"
            self.settled.set()
            log.info("service %s: %s exited (%s); not restarted", self.id, proc.pid,
                     reason if o.error is None else f"non-retryable {reason}")
            return
        if self.start_timed_out:
            reason = f"start timeout: {reason}"
        log.warning("service %s: %s failed after %.3gs (%s)", self.id, proc.pid, ran, reason)
        self._failed(ran, reason)

    def _failed(self, ran: float, reason: str) -> None:
        self.status = "failed"
        self.failures += 1
        if ran >= self.lifecycle.stable_threshold / SECOND:
            self.failures = 1  # it had been stable: a new series
        max_attempts = self.lifecycle.restart.max_attempts
        if max_attempts and self.failures >= max_attempts:
            self.exhausted = True
            self._record("gave_up", attempts=self.failures, reason=reason)
            log.error("service %s: failed %d times in a row (max_attempts %d), giving up: %s",
                      self.id, self.failures, max_attempts, reason)
            self.settled.set()
            return
        d = self.delay(self.failures)
        self.delays.append(d)
        self._record("restart", delay=d, attempt=self.failures + 1)
        log.info("service %s: restarting in %.3gs (attempt %d)", self.id, d, self.failures + 1)
        loop = self.sup.node.app.scheduler.loop
        self.retry = loop.call_later(d, self._relaunch)

    def _relaunch(self) -> None:
        self.retry = None
        self.sup.spawn_task(self.launch())

    # stopping ---------------------------------------------------------------------------
    async def stop(self) -> None:
        self.desired = "stopped"
        if self.retry is not None:
            self.retry.cancel()
            self.retry = None
        proc = self.proc
        if proc is None or not proc.alive:
            if self.status in ("failed", "starting", "running"):
                log.info("service %s: stopped (%s)", self.id,
                         "no restart pending" if self.status != "failed" else "its pending restart canceled")
                self._record("stop", pid=None)
                self.status = "stopped"
            return
        self.status = "stopping"
        timeout = self.lifecycle.stop_timeout / SECOND
        log.info("service %s: stopping %s (stop_timeout %gs)", self.id, proc.pid, timeout)
        self._record("stop", pid=proc.pid)
        self.sup.node.cancel(proc, "service stopping", timeout=timeout)
        try:
            await asyncio.wait_for(self.exited_evt.wait(), timeout + 1.0)
        except TimeoutError:  # (the cancel deadline terminates it first)
            proc.terminate(f"service {self.id}: did not stop")
        self.status = "stopped"


class Supervisor:
    """Starts, restarts and stops the `process.service` entries of an app."""

    def __init__(self, node: ProcessNode, *, seed: int | None = None) -> None:
        self.node = node
        self.rng = random.Random(seed)
        reg = node.app.registry
        self.services: dict[str, Service] = {
            e.id: Service(self, e) for e in reg.by_kind("process.service") if isinstance(e, ProcessServiceEntry)}
        self.started: list[str] = []  # in start order
        self.tasks: set[asyncio.Task[Any]] = set()
        self.starters: list[asyncio.Task[Any]] = []

    def spawn_task(self, coro: Any) -> asyncio.Task[Any]:
        t = asyncio.ensure_future(coro)
        self.tasks.add(t)
        t.add_done_callback(self.tasks.discard)
        return t

    def requires(self, sid: str) -> list[str]:
        """The services `sid` requires (other required entries — hosts — run already)."""
        return [r for r in self.services[sid].lifecycle.requires if r in self.services]

    def order(self, ids: list[str]) -> list[str]:
        """`ids` and the services they require, dependencies first (load order among
        equals). Raises ValueError naming a cycle."""
        out: list[str] = []
        state: dict[str, int] = {}

        def visit(sid: str, path: list[str]) -> None:
            s = state.get(sid)
            if s == 2:
                return
            if s == 1:
                cyc = path[path.index(sid):] + [sid]
                raise ValueError("services require each other: " + " -> ".join(cyc))
            state[sid] = 1
            for dep in self.requires(sid):
                visit(dep, path + [sid])
            state[sid] = 2
            out.append(sid)

        for sid in ids:
            visit(sid, [])
        return out

    async def start(self, ids: list[str] | None = None) -> None:
        """Start `ids` (default: every auto_start service) and what they require, in
        order. Returns at once; `wait_started()` waits for the first round."""
        if ids is None:
            ids = [sid for sid, s in self.services.items() if s.lifecycle.auto_start]
        try:
            order = self.order(ids)
        except ValueError as e:
            log.error("services not started: %s", e)
            return
        for sid in order:
            svc = self.services[sid]
            if svc.desired == "running":
                continue
            svc.desired = "running"
            svc.settled.clear()
            self.started.append(sid)
            self.starters.append(self.spawn_task(self._start_when_ready(svc)))

    async def _start_when_ready(self, svc: Service) -> None:
        for dep in self.requires(svc.id):
            d = self.services[dep]
            await d.settled.wait()
            if d.status != "running":
                svc.status = "failed"
                svc.settled.set()
                svc._record("blocked", requires=dep)
                log.error("service %s: not started: it requires %s, which is %s", svc.id, dep, d.status)
                return
        await svc.launch()

    async def wait_started(self, timeout: float | None = None) -> None:
        """Wait until every service started so far is running or settled otherwise."""
        evs = [self.services[sid].settled.wait() for sid in self.started]
        if evs:
            await asyncio.wait_for(asyncio.gather(*evs), timeout)

    async def stop(self) -> None:
        """Stop every started service, dependents first."""
        for t in self.starters:
            t.cancel()
        self.starters.clear()
        for sid in reversed(self.order(list(dict.fromkeys(self.started)))):
            await self.services[sid].stop()
        self.started.clear()
        for t in list(self.tasks):
            t.cancel()

    def status(self) -> dict[str, str]:
        return {sid: s.status for sid, s in self.services.items()}


__all__ = ["Supervisor", "Service"]
