"""The Temporal workflow definition: one generic Python workflow runs every Lua
`workflow.lua` entry, stepping its luavm state as Temporal delivers events.

Concept. The worker registers one dynamic workflow class (made per worker by
`workflow_class`): the workflow type name is the entry ID. A run builds the Lua
state from the entry's code bundle (`engine.code_bundle`: the entry and its
libraries) — or restores it from the luavm snapshot a previous run carried over —
then loops: deliver the events that arrived ([eid, value] pairs, exactly the
sqlite provider's: activity {value}|{error}, timer fire ns, messages on -1
{topic, from, data}, process events on -2) into `run.events`, call `run.step()`
(Lua runs until every thread blocks), and carry out the commands it issued with
the SDK:

  activity        -> workflow.start_activity (type = function ID; start_to_close 10m
                     by default; activity.retry_policy -> RetryPolicy; ctx in a header);
                     a local activity (workflows/local.py) -> workflow.start_local_activity
  timer           -> a task sleeping on a Temporal timer; cancel_timer cancels it
  cancel_activity -> the activity handle's cancel()
  send            -> an external workflow handle's signal (topic, [data, sender]);
                     to anything else: the `wippy.send` activity
  child           -> workflow.start_child_workflow; its end is the exec result or the
                     pid.exit event (parent close policy: TERMINATE for exec and
                     monitored children, ABANDON for plain spawns — *ours*)
  cancel/terminate-> the `wippy.control` activity
  continue_as_new -> workflow.continue_as_new (pending messages carried over)
  version         -> workflow.patched(change_id): max if patched, else min

The clock is `workflow.time_ns()` at the step; uuid randomness comes from
`workflow.random()`. Signals (any name) become message events; a cancellation of
the Temporal workflow becomes a `pid.cancel` event {reason} the Lua code handles
(if it then fails with kind Canceled, the Temporal workflow ends as canceled).

Automatic continue-as-new. After a step, when Temporal suggests it or the history
would reach `continue_as_new_after` events (worker option, default 1000; three times
the largest growth seen between two steps is kept in reserve), and no
activity, child, message or control is in flight, the run continues as new with
the same arguments and a `wippy-carry` header holding the luavm snapshot, the code
bundle, the undelivered events, the armed timers (by due time) and the step
counter; the next run restores the state and goes on. The Lua code never sees it.

Determinism. Everything the Lua program observes comes through this module: the
events in the order the SDK resolves them (one activation's events are one step),
the step time, the seeded random source, patch markers. Temporal replays history
on a cache miss by re-running the steps from the start of the current run (or from
its carried snapshot): histories stay short, so replays stay cheap.

Sandbox: *not* used (UnsandboxedWorkflowRunner). Tried with luavm, msgpack, wippy,
lark and yaml passed through: the sandbox refuses `__builtins__.open` even to
passed-through modules, and luavm's chunk disk cache opens files the first time a
chunk is compiled in a process (RestrictedWorkflowAccessError, the workflow task
fails for ever); its limits read /proc/self/statm too. What the sandbox would
guard is then this module alone: determinism is enforced by construction instead
— the Lua program observes only what WorkflowRun hands it (recorded events, the
step time, the seeded random source, patch markers).

Threads. luavm keeps its current state in module globals, so Lua must never run
on two threads at once: the worker runs activations inline on its event loop
thread (worker.InlineExecutor), where activities run too. That thread is the
App's big-stack thread (wippy.run_sync), so deep Lua recursion works. Temporal's
deadlock detector (2 s) does not apply to inline activations; instead each Lua
step runs with a luavm time limit (`step_timeout`, default 2s): a step that runs
longer without waiting fails the workflow with a Timeout error naming it.

Costs: a new run compiles nothing after the first of its kind in the process (chunk
cache) — it builds a Lua state (~ms); a step is a luavm resume plus the Lua code;
a carried snapshot is ~25-100 KB.
"""

from __future__ import annotations

import asyncio
import re
import types
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import msgpack
from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

import luavm

from .... import codebook
from ....functions import WippyError, chunkname, entry_modules, install_imports, lua_message
from ....luastate import new_state, primitives, restored_state
from ....modules.process import EVENT, MESSAGE
from ....registry import LuaEntry
from ....scheduler import Outcome
from ...code import bundle_lookup, code_bundle
from ...local import is_local
from ...run import WorkflowRun
from . import activities as acts
from .client import (
    HEADER_CARRY,
    HEADER_CTX,
    common_start_options,
    decode_payload,
    duration,
    error_data,
    retry_policy,
)

if TYPE_CHECKING:
    from ....luastate import LuaState
    from .worker import TemporalProvider

DEFAULT_START_TO_CLOSE = timedelta(minutes=10)
SPAWN_ACTIVITY_TIMEOUT = timedelta(days=3650)  # a child on another host runs as long as it runs
CARRY_VERSION = 1
PARENT_CLOSE = {"terminate": ParentClosePolicy.TERMINATE, "abandon": ParentClosePolicy.ABANDON,
                "request_cancel": ParentClosePolicy.REQUEST_CANCEL}


class TemporalRun(WorkflowRun):
    """A WorkflowRun whose randomness, versions and info come from Temporal."""

    def random_bytes(self, n: int) -> bytes:
        return workflow.random().randbytes(n)

    def version(self, change_id: str, vmin: int, vmax: int) -> int:
        v = vmax if workflow.patched(change_id) else vmin
        self.commands.append(["version", 0, {"id": change_id, "version": v}])
        return v

    def info(self) -> dict[str, Any]:
        i = workflow.info()
        return {"workflow_id": i.workflow_id, "run_id": i.run_id, "workflow_type": i.workflow_type,
                "task_queue": i.task_queue, "namespace": i.namespace, "attempt": i.attempt,
                "history_length": i.get_current_history_length(), "history_size": i.get_current_history_size()}


def prepare_limited(lookup: Any, entry: LuaEntry, *, seed: int, limits: dict[str, Any]) -> tuple[LuaState, Any]:
    """functions.prepare with luavm limits compiled in (a step of a workflow on
    Temporal must not run unbounded): a Lua state for `entry`, its chunk run."""
    st = new_state(entry_modules(lookup, entry), entry_id=entry.id, seed=seed, limits=limits)
    codebook.add(entry.source)
    rt = st.runtime
    try:
        install_imports(lookup, st, entry)
        main = rt.call(rt.load(entry.source, chunkname(entry)))
    except luavm.LuaError as e:
        raise WippyError(f"loading {entry.id}: {lua_message(e)}", "Internal") from None
    fn = main
    if isinstance(main, luavm.LuaTableView):
        fn = main.get(entry.method or "main")
    if not isinstance(fn, luavm.LuaFunction):
        raise WippyError(f"{entry.id}: the chunk must return a function or a table with '{entry.method or 'main'}'",
                         "Invalid")
    return st, fn.fn


def _fail(err: dict[str, Any]) -> ApplicationError:
    kind = str(err.get("kind") or "Internal")
    return ApplicationError(str(err.get("message") or kind), dict(err), type=kind, non_retryable=True)


def _cancellation_reason() -> str | None:
    f = getattr(workflow, "cancellation_reason", None)
    return f() if f is not None else None


class LuaWorkflowBase:
    """The generic workflow: one instance per Temporal workflow run."""

    provider: TemporalProvider  # set on the class workflow_class() makes

    def __init__(self) -> None:
        self.pending: list[list[Any]] = []  # events not yet delivered to Lua
        self.ctx: dict[str, Any] = {}
        self.next_headers: dict[str, Any] | None = None  # read by the outbound interceptor
        self.child_headers: dict[str, dict[str, Any]] = {}
        self.activities: dict[int, Any] = {}  # eid -> ActivityHandle
        self.timers: dict[int, tuple[asyncio.Task[None], int]] = {}  # tid -> (task, due ns)
        self.children: dict[str, asyncio.Task[None]] = {}
        self.child_started: list[asyncio.Future[None]] = []
        self.child_ready: dict[str, asyncio.Future[None]] = {}  # wid -> resolved once the child started
        self.outgoing: list[Any] = []  # sends and controls in flight (tasks / activity handles)
        self.cancel_delivered = False
        self.step_no = 0
        self.last_length = 0  # history length at the last check, and the largest growth between checks
        self.max_growth = 0
        self.bundle: dict[str, Any] = {}
        self.args: list[Any] = []
        self.run_: TemporalRun | None = None

    # signals -------------------------------------------------------------------------
    def _on_signal(self, name: str, args: Sequence[RawValue]) -> None:
        pc = workflow.payload_converter()
        vals = [pc.from_payload(a.payload) for a in args]
        sender = vals[1] if len(vals) > 1 and isinstance(vals[1], str) else ""
        self.pending.append([MESSAGE, {"topic": name, "from": sender, "data": vals[0] if vals else None}])

    # the run ---------------------------------------------------------------------------
    async def _run(self, raw: Sequence[RawValue]) -> Any:
        prov = self.provider
        info = workflow.info()
        pc = workflow.payload_converter()
        self.args = [pc.from_payload(a.payload) for a in raw]
        hdr = info.headers
        ctx = decode_payload(hdr[HEADER_CTX]) if HEADER_CTX in hdr else None
        self.ctx = ctx if isinstance(ctx, dict) else {}
        carry: dict[str, Any] = {}
        if HEADER_CARRY in hdr:
            carry = msgpack.unpackb(decode_payload(hdr[HEADER_CARRY]), raw=False, strict_map_key=False)
        try:
            run = self._restore(carry) if carry.get("snapshot") else self._fresh(info.workflow_type)
        except WippyError as e:
            raise _fail(e.data()) from None
        self.run_ = run
        self.pending[:0] = [list(ev) for ev in carry.get("events") or []]
        now = workflow.time_ns()
        for tid, due in sorted((carry.get("timers") or {}).items()):
            self._arm(int(tid), max(0, int(due) - now))
        while True:
            if run.task.started:
                if not self.pending:
                    await self._wait()
                events, self.pending = self.pending, []
            else:
                events = []
            self.step_no += 1
            run.begin_step(self.step_no, workflow.time_ns())
            run.replaying = workflow.unsafe.is_replaying()  # (log lines are not repeated by a replay)
            run.events = events
            run.step()
            prov.stats["steps"] += 1
            outcome = run.outcome
            if outcome is not None and isinstance(run.task.error, luavm.LuaLimitError):
                outcome = Outcome(error={"kind": "Timeout", "message": (
                    f"workflow {info.workflow_id}: a step ran longer than {prov.step_timeout:g}s without waiting "
                    f"(temporal.worker {prov.entry.id}, worker_options.step_timeout): {outcome.error and outcome.error.get('message')}")})
            cont = None
            for c in run.commands:
                if c[0] == "continue_as_new":
                    cont = c
                else:
                    self._command(c)
            if outcome is not None:
                await self._flush()
                return self._finish(outcome)
            if cont is not None:
                await self._flush()
                self._continue_user(cont[2])
            if self._continue_due():
                self._continue_carrying()

    def _fresh(self, type_id: str) -> TemporalRun:
        app = self.provider.app
        entry = app.registry.get(type_id)
        if not isinstance(entry, LuaEntry) or entry.kind != "workflow.lua":
            raise WippyError(f"workflow type {type_id} is not a workflow.lua entry of this app", "NotFound")
        self.bundle = code_bundle(app, entry)
        lookup = bundle_lookup(self.bundle)
        st, fn = prepare_limited(lookup, lookup(entry.id), seed=workflow.random().getrandbits(56),
                                 limits=self.provider.limits)
        return self._make_run(st, fn, tuple(self.args), None)

    def _restore(self, carry: dict[str, Any]) -> TemporalRun:
        self.bundle = carry["bundle"]
        for k, v in self.bundle.items():
            if k != "__entry__":
                codebook.add(v["source"])
        task = luavm.restore(carry["snapshot"], functions=_primitives(), code=codebook.book(), **self.provider.limits)
        st = restored_state(task.runtime, workflow.info().workflow_type)
        self.step_no = int(carry.get("step") or 0)
        self.max_growth = int(carry.get("growth") or 0)
        self.provider.stats["restores"] += 1
        return self._make_run(st, None, (), task)

    def _make_run(self, st: LuaState, fn: Any, args: tuple[Any, ...], task: luavm.Task | None) -> TemporalRun:
        info = workflow.info()
        run = TemporalRun(self.provider.app.scheduler, st, fn, args, entry_id=info.workflow_type, ctx=self.ctx,
                          task=task, host=None, wid=info.workflow_id, run_id=info.run_id, type_id=info.workflow_type)
        run.pid = f"{{{self.provider.entry.id}|{info.workflow_id}}}"
        run.task_queue = info.task_queue
        return run

    async def _wait(self) -> None:
        """Until an event arrives; a cancellation of this workflow is one."""
        while not self.pending:
            try:
                await workflow.wait_condition(lambda: bool(self.pending))
            except asyncio.CancelledError:
                reason = _cancellation_reason()
                if self.cancel_delivered or reason is None:
                    raise  # an eviction from the worker's cache, not a cancel request
                self.cancel_delivered = True
                self.pending.append([EVENT, {"kind": "pid.cancel", "from": "", "reason": reason or "canceled",
                                             "at": workflow.time_ns()}])

    async def _flush(self) -> None:
        """Before the run closes: the messages, controls and child starts its last
        step issued are carried out (as the sqlite provider does)."""
        waits: list[Any] = [*self.outgoing, *self.child_started]
        while any(not w.done() for w in waits):
            try:
                await workflow.wait_condition(lambda: all(w.done() for w in waits))
            except asyncio.CancelledError:
                if self.cancel_delivered or _cancellation_reason() is None:
                    raise
                self.cancel_delivered = True

    def _finish(self, outcome: Outcome) -> Any:
        if outcome.error is None:
            try:  # values cross as JSON: one that cannot fails the workflow, not its task
                workflow.payload_converter().to_payloads([outcome.value])
            except Exception as e:  # noqa: BLE001
                raise _fail({"kind": "Invalid", "message": f"cannot return that value: {e}"}) from None
            return outcome.value
        err = outcome.error
        if outcome.traceback and not workflow.unsafe.is_replaying():
            workflow.logger.info("workflow failed: %s\n%s", err.get("message"), outcome.traceback)
        if err.get("kind") == "Canceled" and self.cancel_delivered:
            raise asyncio.CancelledError(err.get("message"))
        raise _fail(err)

    # commands ---------------------------------------------------------------------------
    def _command(self, c: list[Any]) -> None:
        kind, eid, data = c
        if kind == "activity":
            self._activity(eid, data)
        elif kind == "timer":
            self._arm(eid, int(data))
        elif kind == "cancel_timer":
            t = self.timers.pop(eid, None)
            if t is not None:
                t[0].cancel()
        elif kind == "cancel_activity":
            h = self.activities.pop(eid, None)
            if h is not None:
                h.cancel()
        elif kind == "send":
            self._send(data)
        elif kind == "child":
            self._child(eid, data)
        elif kind in ("cancel", "terminate"):
            self._system(acts.CONTROL, [kind, data.get("pid"), data.get("reason")])

    def _resolve(self, target: str) -> str:
        if ":" in target:
            return target
        return f"{workflow.info().workflow_type.split(':', 1)[0]}:{target}"

    def _activity(self, eid: int, data: dict[str, Any]) -> None:
        opts = dict(data.get("options") or {})
        kw = activity_options(opts)
        self.next_headers = {HEADER_CTX: data["ctx"]} if data.get("ctx") else None
        try:
            name, args = self._resolve(str(data["target"])), list(data.get("args") or [])
            if is_local(self.provider.app, workflow.info().workflow_type, data):
                lkw = {k: v for k, v in kw.items() if k in _LOCAL_OPTIONS}
                h = workflow.start_local_activity(name, args=args, **lkw)
            else:
                h = workflow.start_activity(name, args=args, **kw)
        except Exception as e:  # noqa: BLE001 - arguments that cannot cross as JSON: the call's error
            self.pending.append([eid, {"error": {"kind": "Invalid", "message": f"cannot call {data['target']}: {e}",
                                                 "retryable": False}}])
            return
        finally:
            self.next_headers = None
        self.activities[eid] = h
        h.add_done_callback(lambda f: self._activity_done(eid, f))

    def _activity_done(self, eid: int, f: Any) -> None:
        if self.activities.pop(eid, None) is None or f.cancelled():
            return  # canceled by the Lua code: its handler is gone
        exc = f.exception()
        self.pending.append([eid, {"value": f.result()} if exc is None else {"error": error_data(exc)}])

    def _arm(self, tid: int, delay_ns: int) -> None:
        due = workflow.time_ns() + delay_ns

        async def fire() -> None:
            await asyncio.sleep(delay_ns / 1e9 if delay_ns >= 1_000_000 else 0)
            if self.timers.pop(tid, None) is not None:
                self.pending.append([tid, workflow.time_ns()])

        self.timers[tid] = (asyncio.create_task(fire()), due)

    def _system(self, name: str, args: list[Any], timeout: timedelta = timedelta(minutes=1)) -> Any:
        h = workflow.start_activity(name, args=args, start_to_close_timeout=timeout,
                                    retry_policy=RetryPolicy(maximum_attempts=5))
        self.outgoing.append(h)
        h.add_done_callback(lambda f: self._log_failure(name, f))
        return h

    def _log_failure(self, what: str, f: Any) -> None:
        if not f.cancelled() and f.exception() is not None and not workflow.unsafe.is_replaying():
            workflow.logger.info("%s failed: %s", what, f.exception())

    def _send(self, d: dict[str, Any]) -> None:
        run = self.run_
        assert run is not None
        to = str(d.get("to"))
        wid = self.provider.workflow_id_of(to)
        if wid is None:
            self._system(acts.SEND, [to, d.get("topic"), d.get("data"), run.pid])
            return
        ready = self.child_ready.get(wid)

        async def signal() -> None:
            if ready is not None:  # a child this run starts: signal it once it exists
                await ready
            await workflow.get_external_workflow_handle(wid).signal(str(d.get("topic")), args=[d.get("data"), run.pid])

        t = asyncio.create_task(signal())
        t.add_done_callback(lambda f: self._log_failure(f"message to {to}", f))
        self.outgoing.append(t)

    def _child(self, eid: int, d: dict[str, Any]) -> None:
        run = self.run_
        assert run is not None
        mode, wid, host = d["mode"], str(d["wid"]), str(d.get("host") or "")
        pid = f"{{{host}|{wid}}}"
        entry = self._resolve(str(d["entry"]))
        opts = dict(d.get("options") or {})
        msgs = [m for m in opts.pop("__messages", None) or [] if isinstance(m, dict)]
        tq = self.provider.child_queue(host)

        def deliver(result: dict[str, Any]) -> None:
            if mode == "exec":
                self.pending.append([eid, result])
            else:
                self.pending.append([EVENT, {"kind": "pid.exit", "from": pid, "at": workflow.time_ns(),
                                             "result": result}])

        started: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.child_started.append(started)
        self.child_ready[wid] = started
        if tq is None:  # a host of another kind: started there by an activity that waits for its end
            o = {**opts, "workflow.id": wid, "workflow.id_conflict_policy": "use_existing"}
            if msgs:
                o["__messages"] = msgs
            h = workflow.start_activity(acts.SPAWN, args=[mode, entry, host, list(d.get("args") or []), o,
                                                          d.get("ctx") or {}],
                                        start_to_close_timeout=SPAWN_ACTIVITY_TIMEOUT)
            started.set_result(None)

            def done(f: Any) -> None:
                self.children.pop(wid, None)
                if f.cancelled():
                    return
                exc = f.exception()
                deliver(f.result() if exc is None else {"error": error_data(exc)})

            h.add_done_callback(done)
            self.children[wid] = h
            return
        kw = common_start_options(opts)
        pcp = str(opts.get("workflow.parent_close_policy") or opts.get("temporal.workflow.parent_close_policy")
                  or ("abandon" if mode == "spawn" else "terminate")).lower()
        kw["parent_close_policy"] = PARENT_CLOSE.get(pcp, ParentClosePolicy.TERMINATE)
        if d.get("ctx"):
            self.child_headers[wid] = {HEADER_CTX: d["ctx"]}

        async def go() -> None:
            try:
                h = await workflow.start_child_workflow(entry, args=list(d.get("args") or []), id=wid,
                                                        task_queue=tq, **kw)
            except WorkflowAlreadyStartedError:
                started.set_result(None)
                deliver({"error": {"kind": "AlreadyExists", "message": f"workflow {wid} is already running"}})
                return
            except Exception as e:  # noqa: BLE001 - a child that cannot start is its parent's error value
                started.set_result(None)
                deliver({"error": error_data(e)})
                return
            finally:
                self.child_headers.pop(wid, None)
            started.set_result(None)
            for m in msgs:
                await h.signal(str(m.get("topic")), args=[m.get("data"), run.pid])
            try:
                v = await h
            except Exception as e:  # noqa: BLE001 - the child's failure is delivered to the parent
                deliver({"value": None, "error": error_data(e)})
            else:
                deliver({"value": v})
            finally:
                self.children.pop(wid, None)

        self.children[wid] = asyncio.create_task(go())

    # continue-as-new -----------------------------------------------------------------------
    def _continue_user(self, data: dict[str, Any]) -> None:
        """process.upgrade: a new run of (by default) the same type with new
        arguments; undelivered messages and process events go with it."""
        keep = [e for e in self.pending if e[0] in (MESSAGE, EVENT)]
        headers: dict[str, Any] = {HEADER_CTX: self.ctx} if self.ctx else {}
        if keep:
            headers[HEADER_CARRY] = msgpack.packb({"v": CARRY_VERSION, "events": keep}, use_bin_type=True)
        self.next_headers = headers
        entry = data.get("entry")
        target = self._resolve(str(entry)) if isinstance(entry, str) and entry else workflow.info().workflow_type
        workflow.continue_as_new(args=list(data.get("args") or []), workflow=target)

    def _continue_due(self) -> bool:
        if self.activities or self.children or any(not w.done() for w in self.outgoing):
            return False
        self.outgoing = []
        self.child_started = []
        self.child_ready = {}
        info = workflow.info()
        limit = self.provider.continue_as_new_after
        n = info.get_current_history_length()
        # a workflow task can add many events (a burst of signals), and a continue-as-new
        # that new events race is retried once more: keep three times the largest growth
        # seen between two steps in reserve, so the run ends under the limit (the first
        # task of a run, holding what arrived while it started, is not a growth rate)
        if self.last_length:
            self.max_growth = max(self.max_growth, n - self.last_length)
        self.last_length = n
        suggested = getattr(info, "is_continue_as_new_suggested", None)
        return bool((limit and n + 3 * self.max_growth >= limit) or (suggested and suggested()))

    def _continue_carrying(self) -> None:
        """Continue as new carrying the luavm snapshot: the Lua code never notices."""
        run = self.run_
        assert run is not None
        try:
            snap = run.task.snapshot(code=codebook.book())
        except Exception as e:  # noqa: BLE001 - a state that cannot be saved keeps its (long) history
            if not workflow.unsafe.is_replaying():
                workflow.logger.warning("cannot continue as new (snapshot failed): %s", e)
            return
        carry = {"v": CARRY_VERSION, "snapshot": snap, "bundle": self.bundle, "events": self.pending,
                 "timers": {tid: due for tid, (_, due) in self.timers.items()}, "step": self.step_no,
                 "growth": self.max_growth}
        self.next_headers = {HEADER_CARRY: msgpack.packb(carry, use_bin_type=True)}
        if self.ctx:
            self.next_headers[HEADER_CTX] = self.ctx
        self.provider.stats["continued"] += 1
        workflow.continue_as_new(args=self.args)


# what start_local_activity takes of activity_options (a local activity has no
# task queue, schedule-to-start or heartbeat of its own: it runs in the workflow's worker)
_LOCAL_OPTIONS = ("start_to_close_timeout", "schedule_to_close_timeout", "retry_policy", "activity_id")


def activity_options(opts: dict[str, Any]) -> dict[str, Any]:
    """Wippy's activity options (`activity.*` / `temporal.activity.*`, durations as
    strings or milliseconds) as workflow.start_activity keyword arguments."""
    def get(key: str) -> Any:
        for k in (f"activity.{key}", f"temporal.activity.{key}", key):
            if k in opts and opts[k] is not None:
                return opts[k]
        return None

    kw: dict[str, Any] = {}
    stc = duration(get("start_to_close_timeout")) or duration(get("timeout"))
    sched = duration(get("schedule_to_close_timeout"))
    kw["start_to_close_timeout"] = stc or DEFAULT_START_TO_CLOSE
    if sched is not None:
        kw["schedule_to_close_timeout"] = sched
    sts = duration(get("schedule_to_start_timeout"))
    if sts is not None:
        kw["schedule_to_start_timeout"] = sts
    hb = duration(get("heartbeat_timeout"))
    if hb is not None:
        kw["heartbeat_timeout"] = hb
    rp = retry_policy(get("retry_policy"))
    if rp is not None:
        kw["retry_policy"] = rp
    if get("task_queue"):
        kw["task_queue"] = str(get("task_queue"))
    if get("id"):
        kw["activity_id"] = str(get("id"))
    return kw


_PRIMS: dict[str, Any] = {}


def _primitives() -> dict[str, Any]:
    if not _PRIMS:
        _PRIMS.update(primitives())
    return _PRIMS


async def _run_method(self, args: Sequence[RawValue]) -> Any:
    return await self._run(args)


def _signal_method(self, name: str, args: Sequence[RawValue]) -> None:
    self._on_signal(name, args)


def _method(fn: Any, cls_name: str, name: str) -> Any:
    """A copy of a module-level function as a method of class `cls_name` (temporalio
    refuses run methods of local classes, and keeps per-class data on the function)."""
    f = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    f.__qualname__ = f"{cls_name}.{name}"
    f.__annotations__ = dict(fn.__annotations__)
    f.__module__ = fn.__module__
    return f


def workflow_class(provider: TemporalProvider) -> type:
    """The dynamic workflow class a worker registers (bound to its provider)."""
    name = "LuaWorkflow_" + re.sub(r"\W", "_", provider.entry.id)
    ns = {"__module__": __name__, "__qualname__": name, "provider": provider,
          "run": workflow.run(_method(_run_method, name, "run")),
          "on_signal": workflow.signal(dynamic=True)(_method(_signal_method, name, "on_signal"))}
    cls = type(name, (LuaWorkflowBase,), ns)
    return workflow.defn(dynamic=True, sandboxed=False)(cls)


__all__ = ["workflow_class", "TemporalRun", "LuaWorkflowBase", "activity_options", "prepare_limited"]
