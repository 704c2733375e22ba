"""One event loop for every Lua invocation: the scheduler.

An `Invocation` is one run of Lua code on one Lua state (a function call, a
process, a workflow run) under the kernel (wippy/lua/kernel.lua). It runs until
every thread in it blocks; then it waits for external events — a timer fired, a
call returned, a message arrived — which the scheduler collects and hands over
in the next step. Commands that start those (`start_timer`, `call`) are made by
primitives during a step, synchronously. A function call or a process runs
`W.serve`, a luavm task that ends when every thread blocks (it returns nil); each
later step is a new task running `W.pump(events)` (`LuaState.pump`), so a wait
unwinds and rebuilds no frame of the kernel. A workflow run waits suspended in
P.wait instead (W.run), where its snapshots are taken.

Invariants: one invocation runs at a time (the asyncio loop's thread); events for
an invocation are delivered in the order they were posted; a step that raises
ends the invocation with an error, never the loop. Costs: a step is a luavm task
run (a few µs; a workflow's a suspension and resumption, ~30 µs) plus the Lua
run and the frames of its threads that blocked (recorded at the yield, rebuilt
at the resumption); timers are asyncio handles.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import luavm

from .luastate import LuaState
from .modules import _spec
from .modules._kernel import DEADLOCK


class Outcome:
    """How an invocation ended: `value` (a Python value) or `error` (plain error data
    {kind, message, ...}), plus the Lua traceback of a failure."""

    __slots__ = ("value", "error", "traceback")

    def __init__(self, value: Any = None, error: dict[str, Any] | None = None, traceback: str = "") -> None:
        self.value = value
        self.error = error
        self.traceback = traceback

    @property
    def ok(self) -> bool:
        return self.error is None

    def __repr__(self) -> str:
        return f"Outcome(value={self.value!r}, error={self.error!r})"


class Invocation:
    """One run of a Lua function on a Lua state, driven by a Scheduler."""

    in_workflow = False
    replaying = False  # (a workflow engine replaying history sets this)
    _ids = itertools.count(1)

    def __init__(self, scheduler: Scheduler, state: LuaState, fn: Any, args: tuple[Any, ...],
                 *, entry_id: str, ctx: dict[str, Any] | None = None,
                 on_done: Callable[[Invocation], None] | None = None, task: luavm.Task | None = None) -> None:
        self.scheduler = scheduler
        self.state = state
        self.entry_id = entry_id
        self.ctx = dict(ctx or {})
        self.pid = f"{{{scheduler.node}|{next(self._ids):x}}}"
        if task is None:  # (a workflow run waits suspended in P.wait, where it is snapshotted)
            task = state.task(fn, args) if self.in_workflow else state.served(fn, args)
        self.task = task
        self.events: list[list[Any]] = []
        self.queued = False
        self.waiting = False
        self.outcome: Outcome | None = None
        self.on_done = on_done
        self.future: asyncio.Future[Outcome] | None = None
        self.timers: dict[int, asyncio.TimerHandle] = {}
        self.calls: dict[int, Any] = {}  # event id -> handle with .cancel() of a call in flight

    # what primitives ask of the running invocation (modules/_spec.Invocation) ----------
    def now_ns(self) -> int:
        return time.time_ns()

    def env(self, key: str) -> str | None:
        return self.scheduler.env.get(key)

    def env_all(self) -> dict[str, str]:
        return dict(self.scheduler.env)

    monitoring = False  # it spawned a monitored process or workflow

    def can_receive(self) -> bool:
        return self.monitoring

    def random_bytes(self, n: int) -> bytes:
        return os.urandom(n)

    # commands ---------------------------------------------------------------------
    def start_timer(self, tid: int, delay_ns: int) -> None:
        loop = self.scheduler.loop
        self.timers[tid] = loop.call_later(max(delay_ns, 0) / 1e9, self._fire, tid)

    def _fire(self, tid: int) -> None:
        self.timers.pop(tid, None)
        self.post(tid, time.time_ns())

    def stop_timer(self, tid: int) -> bool:
        h = self.timers.pop(tid, None)
        if h is None:
            return False
        h.cancel()
        return True

    def call(self, eid: int, target: str, args: list[Any], options: dict[str, Any],
             ctx: dict[str, Any]) -> dict[str, Any] | None:
        """Start a call of function `target`; its outcome is posted as event `eid`.
        Returns error data if it cannot start."""
        d = self.scheduler.dispatcher
        if d is None:
            return {"kind": "NotFound", "message": f"function {target} not found (no app)"}
        handle, err = d.start_call(self, eid, target, args, options, {**self.ctx, **ctx})
        if handle is not None:
            self.calls[eid] = handle
        return err

    def call_now(self, target: str, args: list[Any], options: dict[str, Any], ctx: dict[str, Any]) -> Any:
        """funcs.call's direct path (App.call_now): run the callee now if it does not
        block; None if this call must take the asynchronous path."""
        d = self.scheduler.dispatcher
        if d is None:
            return None
        return d.call_now(self, target, args, options, {**self.ctx, **ctx})

    pending_call: Any = None  # a direct call whose callee blocked, until attach_call

    def attach_call(self, eid: int) -> None:
        p, self.pending_call = self.pending_call, None
        if p is not None:
            self.calls[eid] = p.attach(self, eid)

    def cancel_call(self, eid: int) -> bool:
        h = self.calls.pop(eid, None)
        if h is None:
            return False
        h.cancel()
        return True

    # process API (process module): routed to the app's hosts ----------------------
    def send(self, dest: str, topic: str, data: Any) -> dict[str, Any] | None:
        d = self.scheduler.dispatcher
        if d is None:
            return {"kind": "NotFound", "message": f"no process {dest}"}
        return d.send(self.pid, dest, topic, data)

    def spawn(self, mode: str, entry: str, host: str, args: list[Any], opts: dict[str, Any],
              ctx: dict[str, Any], eid: int) -> Any:
        d = self.scheduler.dispatcher
        if d is None:
            return None, {"kind": "NotFound", "message": f"no host {host}"}
        return d.spawn(self, mode, entry, host, args, opts, {**self.ctx, **ctx}, eid)

    def control(self, op: str, *args: Any) -> Any:
        d = self.scheduler.dispatcher
        if d is None:
            return None, {"kind": "Invalid", "message": f"process.{op} is not available here"}
        return d.control(self, op, *args)

    def upgrade(self, entry: Any, args: list[Any]) -> Any:
        return None, {"kind": "Invalid", "message": "process.upgrade is available in workflows only"}

    def post(self, eid: int, value: Any) -> None:
        """Deliver an external event (handled by W.expect(eid, ...)) to this invocation."""
        if self.outcome is not None:
            return
        self.events.append([eid, value])
        if self.waiting and not self.queued:
            self.scheduler.schedule(self)

    # running ----------------------------------------------------------------------
    def step(self) -> None:
        self.queued = False
        task = self.task
        _spec.push(self)
        try:
            if not task.started:
                task.run()
            else:
                evs, self.events = self.events, []
                self.waiting = False
                if task.done:  # W.serve's last pump left every thread blocked: the next one
                    task = self.task = self.state.pump(evs)
                    task.run()
                else:
                    task.run(evs)
        except luavm.LuaError as e:
            self._finish(Outcome(error={"kind": "Internal", "message": _lua_message(e)},
                                 traceback=e.lua_traceback or ""))
            return
        finally:
            _spec.pop()
        if task.done:
            res = task.result
            if res and res[0] is None:  # (W.serve/W.pump) every thread is blocked
                if not self.blocked(res[1] if len(res) > 1 else False):
                    return
            else:
                self._finish(self._result(res))
                return
        self.waiting = True
        if self.events:
            self.scheduler.schedule(self)

    def blocked(self, pending: bool) -> bool:
        """Every thread of a served invocation (W.serve) is blocked, `pending`: on
        something external (P.wait's check). False if that is a deadlock: the
        invocation then ended with an error."""
        if not pending and not self.can_receive():
            self._finish(Outcome(error={"kind": "Internal", "message": DEADLOCK}))
            return False
        return True

    def _result(self, res: list[Any] | None) -> Outcome:
        packed = res[0] if res else None  # table.pack of the main function's pcall
        if packed is None:
            return Outcome(error={"kind": "Internal", "message": "invocation ended without a result"})
        n = packed.get("n", 0)
        vals = [packed.get(i) for i in range(1, n + 1)]
        if not vals[0]:
            err = vals[1] if len(vals) > 1 else None
            tb = self.state.W.get("K")["traceback"] if self.state.W.get("K") else ""
            return Outcome(error=error_data(self.state, err), traceback=tb or "")
        try:
            value = to_plain(vals[1]) if len(vals) > 1 else None
        except ValueError as e:
            return Outcome(error={"kind": "Invalid", "message": f"cannot return that value: {e}"})
        second = vals[2] if len(vals) > 2 else None
        if second is not None and (isinstance(second, str) or is_error_value(self.state, second)):
            return Outcome(error=error_data(self.state, second))
        return Outcome(value=value)

    def cancel(self, reason: str = "canceled") -> None:
        """Stop this invocation where it waits; it ends with a Canceled error."""
        if self.outcome is None:
            self._finish(Outcome(error={"kind": "Canceled", "message": reason}))

    def _finish(self, outcome: Outcome) -> None:
        self.outcome = outcome
        for h in self.timers.values():
            h.cancel()
        self.timers.clear()
        calls, self.calls = self.calls, {}
        for c in calls.values():
            c.cancel()
        if self.future is not None and not self.future.done():
            self.future.set_result(outcome)
        if self.on_done is not None:
            self.on_done(self)


def is_error_value(state: LuaState, v: Any) -> bool:
    return bool(state.runtime.call(state.W["is_error"], v))


def error_data(state: LuaState, err: Any) -> dict[str, Any]:
    """A Lua error value as plain data: error objects keep kind/message/retryable/
    details; anything else is kind Internal with its string form."""
    if err is not None and is_error_value(state, err):
        d = state.runtime.call(state.W["error_data"], err)
        out = {"kind": d.get("kind") or "", "message": d.get("message") or ""}
        if d.get("retryable") is not None:
            out["retryable"] = d.get("retryable")
        if d.get("details") is not None:
            out["details"] = to_plain(d.get("details"))
        return out
    if isinstance(err, str):
        return {"kind": "Internal", "message": err}
    return {"kind": "Internal", "message": state.runtime.call(state.runtime.globals()["tostring"], err)}


def _lua_message(e: luavm.LuaError) -> str:
    v = e.value
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(e)


def to_plain(v: Any, _seen: set[int] | None = None) -> Any:
    """A Lua value as plain Python data (what crosses processes and the store):
    tables become dicts (a sequence 1..n becomes a list), functions are refused."""
    if isinstance(v, luavm.LuaTableView):
        seen = _seen if _seen is not None else set()
        if id(v.table) in seen:
            raise ValueError("cannot pass a table that contains itself")
        seen.add(id(v.table))
        items = [(k, to_plain(x, seen)) for k, x in v.items()]
        seen.discard(id(v.table))
        n = len(items)
        if n and all(type(k) is int for k, _ in items) and sorted(k for k, _ in items) == list(range(1, n + 1)):
            return [x for _, x in sorted(items, key=lambda kv: kv[0])]
        return {k: x for k, x in items}
    if callable(v):
        raise ValueError("cannot pass a function")
    return v


class Scheduler:
    """Runs invocations on the running asyncio loop, FIFO."""

    def __init__(self, *, node: str = "wippy@local", env: dict[str, str] | None = None) -> None:
        self.node = node
        self.env: dict[str, str] = dict(env or {})
        self.ready: deque[Invocation] = deque()
        self.dispatcher: Any = None  # the App: starts calls of function entries
        self._draining = False

    _loop: asyncio.AbstractEventLoop | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop; inside a step, the loop that runs it: luavm may run Lua
        (and so the primitives) on a big-stack worker thread while the loop's
        thread waits for it (an embedder's `asyncio.run(app.call_async(...))`),
        where no loop is running."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if self._loop is None:
                raise
            return self._loop
        self._loop = loop
        return loop

    def schedule(self, inv: Invocation) -> None:
        if inv.queued:
            return
        inv.queued = True
        self.ready.append(inv)
        if not self._draining:
            self._draining = True
            self.loop.call_soon(self._drain)

    def _drain(self) -> None:
        try:
            for _ in range(256):  # then let the loop run timers and I/O
                if not self.ready:
                    break
                self.ready.popleft().step()
        finally:
            self._draining = False
        if self.ready:
            self._draining = True
            self.loop.call_soon(self._drain)

    def start(self, inv: Invocation) -> asyncio.Future[Outcome]:
        inv.future = self.loop.create_future()
        self.schedule(inv)
        return inv.future


__all__ = ["Scheduler", "Invocation", "Outcome", "to_plain", "error_data"]
