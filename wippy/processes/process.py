"""A process: one `process.lua` entry running on its own Lua state, with a PID.

A Process is an Invocation (wippy/scheduler.py) that can receive: messages and
process events reach it as external events (modules/process.py: MESSAGE, EVENT)
at any time, so it never counts as deadlocked while it waits for them. Its
relations — who monitors it, what it is linked to, its registered names — are
kept by the ProcessNode (host.py); the process itself keeps what only it needs:
its `trap_links` option, the deadline of a pending cancel, and whether its last
step was preempted.

Stepping. A step runs the Lua task until every thread in it blocks (the kernel's
W.serve / W.pump returns nil; the next step is a new W.pump task with the events
that came), it ends, or luavm preempts it (the state's `preempt_every` budget:
runtime/limits.py). A preempted process goes to the back of the scheduler's
queue and its next step continues without consuming events, so a busy process
shares the loop with the others. A step that breaks the host's limits (the
per-step time or memory cap) ends the process with an error; the host and the
other processes go on.

Invariants: a process ends exactly once (`_finish` is idempotent); after it
ended nothing of it runs again (a queued step is dropped, posts are ignored);
its exit is reported to the node synchronously, inside `_finish`, so monitors,
links and names are settled before any other invocation runs.

Costs: a process is its Lua state (~75 KB: a copy of its entry's template, sharing
chunks, builtins and closures that reach nothing mutable)
plus a few dicts; a step is a luavm run (~30 µs of overhead) plus the Lua code.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import luavm

from ..luastate import LuaState
from ..modules import _spec
from ..scheduler import Invocation, Outcome, Scheduler, _lua_message

if TYPE_CHECKING:
    from .host import ProcessHost

LIMIT_MESSAGES = {
    "time": "ran for longer than the host's step_timeout without waiting (time limit exceeded)",
    "instructions": "ran more than the host's max_instructions steps without waiting (instruction limit exceeded)",
    "memory": "grew by more than the host's max_memory in one step (not enough memory)",
}


class Process(Invocation):
    """A running `process.lua` entry; `pid` is `{host|entry|n}`."""

    def __init__(self, scheduler: Scheduler, state: LuaState, fn: Any, args: tuple[Any, ...], *,
                 entry_id: str, host: ProcessHost, pid: str, ctx: dict[str, Any] | None = None,
                 cancel_timeout: float = 5.0, task: luavm.Task | None = None) -> None:
        super().__init__(scheduler, state, fn, args, entry_id=entry_id, ctx=ctx, task=task)
        self.pid = pid
        self.host = host
        self.trap_links = False
        self.preempted = False
        self.cancel_timeout = cancel_timeout  # seconds from process.cancel to terminate
        self.kill_timer: asyncio.TimerHandle | None = None
        self.started_ns = time.time_ns()
        self.steps = 0
        self.first_step: asyncio.Future[None] | None = None  # set when the first step ends
        self.exit_callbacks: list[Callable[[Process], None]] = []

    def __repr__(self) -> str:
        state = "running" if self.outcome is None else ("ok" if self.outcome.ok else "failed")
        return f"<Process {self.pid} {self.entry_id} {state}>"

    @property
    def alive(self) -> bool:
        return self.outcome is None

    def can_receive(self) -> bool:
        return True

    # running ----------------------------------------------------------------------
    def step(self) -> None:
        self.queued = False
        if self.outcome is not None:
            return  # ended while it waited in the queue (terminated, killed by a link)
        task = self.task
        _spec.push(self)
        try:
            if not task.started:
                task.run()
            elif self.preempted:
                self.preempted = False
                task.run()  # events that came meanwhile wait for the next P.wait
            else:
                evs, self.events = self.events, []
                self.waiting = False
                if task.done:  # W.serve's last pump left every thread blocked: the next one
                    task = self.task = self.state.pump(evs)
                    task.run()
                else:
                    task.run(evs)  # (blocked in P.wait: a coroutine of the program's own)
        except luavm.LuaLimitError as e:
            self._finish(Outcome(error={"kind": "Internal", "message": f"process {self.pid} "
                                        f"({self.entry_id}) {LIMIT_MESSAGES.get(e.kind, _lua_message(e))}",
                                        "details": {"limit": e.kind}},
                                 traceback=e.lua_traceback or ""))
            return
        except luavm.LuaError as e:
            self._finish(Outcome(error={"kind": "Internal", "message": _lua_message(e)},
                                 traceback=e.lua_traceback or ""))
            return
        finally:
            _spec.pop()
        self.steps += 1
        if self.outcome is not None:
            return  # it terminated itself (process.terminate(process.pid()))
        if task.done:
            res = task.result
            if not res or res[0] is not None:
                self._finish(self._result(res))
                return
            # (W.serve/W.pump returned nil: every thread is blocked; a process can receive)
        elif task.preempted:
            self.preempted = True
            self.scheduler.schedule(self)  # to the back of the queue: the others run first
            return
        self._first_step_done()
        self.waiting = True
        if self.events:
            self.scheduler.schedule(self)

    def _first_step_done(self) -> None:
        f = self.first_step
        if f is not None and not f.done():
            f.set_result(None)

    # ending -----------------------------------------------------------------------
    def terminate(self, message: str, kind: str = "Canceled", details: dict[str, Any] | None = None) -> bool:
        """End the process now, wherever it is, with an error exit. False if it had
        already ended."""
        if self.outcome is not None:
            return False
        err: dict[str, Any] = {"kind": kind, "message": message}
        if details:
            err["details"] = details
        self._finish(Outcome(error=err))
        return True

    def cancel(self, reason: str = "canceled") -> None:
        self.terminate(reason)

    def arm_cancel_deadline(self, seconds: float) -> None:
        """After process.cancel: terminate the process if it has not exited within
        `seconds` (an earlier deadline already set stays)."""
        if self.kill_timer is not None or self.outcome is not None:
            return
        self.kill_timer = self.scheduler.loop.call_later(max(seconds, 0.0), self._cancel_expired, seconds)

    def _cancel_expired(self, seconds: float) -> None:
        self.kill_timer = None
        self.terminate(f"process {self.pid} terminated: it did not exit within {seconds:g}s of process.cancel",
                       details={"cancel_timeout": seconds})

    def _finish(self, outcome: Outcome) -> None:
        if self.outcome is not None:
            return
        if self.kill_timer is not None:
            self.kill_timer.cancel()
            self.kill_timer = None
        super()._finish(outcome)
        self._first_step_done()
        self.host.node.exited(self)
        for cb in self.exit_callbacks:
            cb(self)
        self.exit_callbacks.clear()
        self.task = None  # type: ignore[assignment]  # the Lua state goes with it


def exit_result(outcome: Outcome) -> dict[str, Any]:
    """An exit as the `result` of a pid.exit / pid.link.down event: {value=} or {error=}."""
    if outcome.error is not None:
        return {"error": outcome.error}
    return {"value": outcome.value}


__all__ = ["Process", "exit_result"]
