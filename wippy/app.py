"""The embedding API: an App is a loaded registry plus the runtime that runs it.

    app = wippy.App("examples/shop")
    app.register_function("app.db:get_user", get_user)   # Python code as an entry
    app.call("app.api:checkout", {"user": 1})             # -> the result, or raises WippyError

An App dispatches calls of function entries: Lua entries run on pooled states
(wippy/functions.py), Python callables inline on the event loop (async ones are
awaited); a funcs.call from Lua runs its callee inside the caller's step when it
does not block (`call_now`, modules/funcs.py). `call` runs its own event loop on a big-stack thread (deep Lua
recursion works); inside a running loop use `await app.call_async(...)`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import luavm

from .functions import Pool, PythonFunction, WippyError
from .registry import LuaEntry, Registry, TemporalWorkerEntry, WorkflowHostEntry, load_registry
from .scheduler import Invocation, Outcome, Scheduler


class _TaskHandle:
    """A call in flight to a Python function (an asyncio task)."""

    __slots__ = ("task",)

    def __init__(self, task: asyncio.Task[Any]) -> None:
        self.task = task

    def cancel(self) -> None:
        self.task.cancel()


class _InvocationHandle:
    __slots__ = ("inv", "timer")

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.timer: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        self.inv.cancel("call canceled by the caller")
        if self.timer is not None:
            self.timer.cancel()


DIRECT_DEPTH = 8  # direct funcs.calls nested in one another (each adds Python stack)
_depth = 0


def _watch(handle: _InvocationHandle, pool: Pool, item: Any, deliver: Callable[[Any, Any], None],
           timeout: Any, fid: str, t0: float) -> None:
    """Route the outcome of a callee's invocation to `deliver` (and its state back
    to the pool unless it was canceled mid-run); a timeout counts from `t0`."""
    inv = handle.inv

    def done(inv: Invocation) -> None:
        if handle.timer is not None:
            handle.timer.cancel()
        o = inv.outcome
        assert o is not None
        if o.error is None or o.error.get("kind") != "Canceled":
            pool.release(item)
        deliver(o.value, o.error)

    inv.on_done = done
    if timeout:
        loop = inv.scheduler.loop
        left = float(timeout) / 1000 - (loop.time() - t0)
        handle.timer = loop.call_later(max(left, 0.0), inv.cancel, f"{fid}: timed out after {timeout} ms")


class _PendingCall:
    """A direct call whose callee blocked: attached to the caller's event `eid`."""

    __slots__ = ("inv", "pool", "item", "timeout", "fid", "t0")

    def __init__(self, inv: Invocation, pool: Pool, item: Any, timeout: Any, fid: str, t0: float) -> None:
        self.inv, self.pool, self.item, self.timeout, self.fid, self.t0 = inv, pool, item, timeout, fid, t0

    def attach(self, caller: Invocation, eid: int) -> _InvocationHandle:
        def deliver(value: Any, error: dict[str, Any] | None) -> None:
            caller.calls.pop(eid, None)
            caller.post(eid, {"error": error} if error is not None else {"value": value})

        handle = _InvocationHandle(self.inv)
        _watch(handle, self.pool, self.item, deliver, self.timeout, self.fid, self.t0)
        return handle


class App:
    """A Wippy app loaded from a directory (or an already loaded Registry)."""

    def __init__(self, app: str | Path | Registry, *, env: dict[str, str] | None = None) -> None:
        self.registry = app if isinstance(app, Registry) else load_registry(app)
        self.env = dict(env) if env is not None else {}
        self.scheduler = Scheduler(env=self.env)
        self.scheduler.dispatcher = self
        self._pools: dict[str, Pool] = {}
        self._python: dict[str, PythonFunction] = {}
        self._workflow_hosts: dict[str, Any] = {}
        self._processes: Any = None  # wippy.processes.ProcessNode, made on first use

    # workflow hosts ------------------------------------------------------------------
    def workflow_host(self, ref: str, namespace: str | None = None) -> Any:
        """The running WorkflowHost for a `workflow.host` entry ID (or bare name, or
        its task_queue name); None if there is none."""
        e = self.registry.get(ref, namespace) if ":" in ref or namespace else None
        if e is None and ":" not in ref:
            e = next((x for x in self.registry.by_kind("workflow.host")
                      if x.name == ref or getattr(x, "task_queue", None) == ref), None)
        # -- temporal (wippy/workflows/providers/temporal): a temporal.worker entry, by ID, bare
        #    name or task queue, is a TemporalProvider with the same methods as a WorkflowHost
        if e is None and ":" not in ref:
            e = next((x for x in self.registry.by_kind("temporal.worker")
                      if x.name == ref or getattr(x, "task_queue", None) == ref), None)
        if isinstance(e, TemporalWorkerEntry):
            if e.id not in self._workflow_hosts:
                from .workflows.providers.temporal import provider

                self._workflow_hosts[e.id] = provider(self, e)
            return self._workflow_hosts[e.id]
        # -- (end temporal)
        if not isinstance(e, WorkflowHostEntry):
            return None
        h = self._workflow_hosts.get(e.id)
        if h is None:
            from .workflows import WorkflowHost

            h = self._workflow_hosts[e.id] = WorkflowHost(self, e)
        return h

    def workflow_client(self, ref: str) -> Any:
        """A passive WorkflowHost for a store another process runs (`wippy workflow
        start|signal|cancel|terminate|result`): it writes to the store, runs nothing."""
        e = self.registry.get(ref) if ":" in ref else next(
            (x for x in self.registry.by_kind("workflow.host") if x.name == ref), None)
        if not isinstance(e, WorkflowHostEntry):
            return None
        from .workflows import WorkflowHost

        return WorkflowHost(self, e, passive=True)

    def workflow_host_for(self, ref: str, wid: str, default: Any) -> Any:
        """Inside a workflow the host argument may be a host entry or a task queue."""
        ns = wid.split(":")[0] if ":" in wid else None
        return self.workflow_host(ref, ns) or (default if ref in ("", None) else None)

    def workflow_host_of_pid(self, pid: str) -> tuple[Any, str]:
        host, _, wid = pid.strip("{}").partition("|")
        return self._workflow_hosts.get(host), wid

    def workflow_hosts(self) -> list[Any]:
        """Every workflow.host entry's engine (created on first use)."""
        return [self.workflow_host(e.id) for e in self.registry.by_kind("workflow.host")]

    async def serve(self, stop: asyncio.Event) -> None:
        """`wippy run`: start the workflow hosts (recovering their running workflows)
        and the auto_start services, run until `stop` is set, then stop gracefully."""
        for h in self.workflow_hosts():
            h.ensure_started()
        # -- temporal: every temporal.worker entry's worker polls its task queue
        for e in self.registry.by_kind("temporal.worker"):
            self.workflow_host(e.id).ensure_started()
        try:
            # -- processes (wippy/processes): hosts, then the auto_start services in requires order
            await self.processes.start()
            await stop.wait()
        finally:
            # -- processes: services stop dependents first (cancel, stop_timeout, terminate)
            if self._processes is not None:
                await self._processes.stop()
            # -- temporal: workers stop gracefully (worker_options.worker_stop_timeout)
            for h in list(self._workflow_hosts.values()):
                if hasattr(h, "shutdown"):
                    await h.shutdown()
            self.close()

    def close(self) -> None:
        """Stop the workflow hosts (their leases are released) and close their stores."""
        # -- processes (wippy/processes): terminate whatever still runs
        if self._processes is not None:
            self._processes.close()
        for h in self._workflow_hosts.values():
            h.close()
        self._workflow_hosts.clear()

    # processes (wippy/processes) --------------------------------------------------------
    @property
    def processes(self) -> Any:
        """The app's ProcessNode: process hosts, live processes, names, the supervisor."""
        if self._processes is None:
            from .processes import ProcessNode

            self._processes = ProcessNode(self)
        return self._processes

    # processes (the process API from Lua) ----------------------------------------------
    def spawn(self, inv: Invocation | None, mode: str, entry: str, host: str, args: list[Any],
              opts: dict[str, Any], ctx: dict[str, Any], eid: int) -> Any:
        ns = inv.entry_id.split(":", 1)[0] if inv is not None else None
        wh = self.workflow_host(host, ns)
        if wh is not None:
            fid = self._resolve(entry, ns)
            wid, err = wh.start_workflow(fid, args, opts, ctx=ctx)
            if err is not None and not (err.get("kind") == "AlreadyExists" and mode == "exec" and wid):
                return None, err
            if inv is not None and mode in ("monitored", "linked_monitored", "exec"):
                wh.watch(wid, inv, eid, "exec" if mode == "exec" else "monitor")
                if mode != "exec":
                    inv.monitoring = True  # an EXIT event will come: waiting for it is not a deadlock
            return f"{{{wh.entry.id}|{wid}}}", None
        # -- processes (wippy/processes): a process.host
        if self.processes.host(host, ns) is not None:
            return self.processes.spawn(inv, mode, entry, host, args, opts, ctx, eid)
        return None, {"kind": "NotFound", "message": f"host {host} not found (a workflow.host or process.host entry)"}

    def send(self, sender: str, dest: str, topic: str, data: Any) -> dict[str, Any] | None:
        # -- processes (wippy/processes): a process PID or a registered name
        if self.processes.owns(dest):
            return self.processes.send(sender, dest, topic, data)
        wh, wid = self.workflow_host_of_pid(dest)
        if wh is None and dest.startswith("{"):
            host = dest.strip("{}").partition("|")[0]
            wh = self.workflow_host(host)
        if wh is not None:
            return wh.signal(wid, topic, data, sender)
        return {"kind": "NotFound", "message": f"no process {dest}"}

    def control(self, inv: Invocation | None, op: str, *args: Any) -> Any:
        # -- processes (wippy/processes): everything but cancel/terminate of a workflow
        if op not in ("cancel", "terminate") or self.processes.owns(args[0] if args else None):
            return self.processes.control(inv, op, *args)
        if op in ("cancel", "terminate"):
            pid = args[0] if args else None
            if not isinstance(pid, str):
                return None, {"kind": "Invalid", "message": f"process.{op}: a PID is required"}
            wh, wid = self.workflow_host_of_pid(pid)
            if wh is None:
                wh = self.workflow_host(pid.strip("{}").partition("|")[0])
            if wh is None:
                return None, {"kind": "NotFound", "message": f"no process {pid}"}
            reason = args[1] if len(args) > 1 else None
            err = wh.cancel(wid, reason) if op == "cancel" else wh.terminate(wid, reason)
            return (None, err) if err is not None else (True, None)
        return None, {"kind": "Invalid", "message": f"process.{op} is not available yet"}

    # functions ---------------------------------------------------------------------
    def register_function(self, fid: str, fn: Callable[..., Any]) -> None:
        """Make `fn` callable from Lua as `funcs.call(fid, ...)` (arguments and result
        as plain Python values; raise WippyError to set the error kind)."""
        if ":" not in fid:
            raise ValueError(f"function id must be 'namespace:name', got {fid!r}")
        self._python[fid] = PythonFunction(fid, fn)

    def _resolve(self, target: str, namespace: str | None) -> str:
        if ":" in target:
            return target
        return f"{namespace}:{target}" if namespace else target

    def pool(self, fid: str) -> Pool | None:
        p = self._pools.get(fid)
        if p is None:
            e = self.registry.get(fid)
            if not isinstance(e, LuaEntry) or e.kind != "function.lua":
                return None
            p = self._pools[fid] = Pool(self, e)
        return p

    def start_call(self, caller: Any, eid: int, target: str, args: list[Any],
                   options: dict[str, Any], ctx: dict[str, Any]) -> tuple[Any, dict[str, Any] | None]:
        """Start a call; its outcome is posted to `caller` as event `eid`."""
        ns = caller.entry_id.split(":", 1)[0] if caller is not None else None
        fid = self._resolve(target, ns)
        timeout = options.get("timeout")
        loop = self.scheduler.loop

        def deliver(value: Any, error: dict[str, Any] | None) -> None:
            if caller is not None:
                caller.calls.pop(eid, None)
                caller.post(eid, {"error": error} if error is not None else {"value": value})

        pf = self._python.get(fid)
        if pf is not None:
            async def run() -> None:
                try:
                    if timeout:
                        v, err = await asyncio.wait_for(pf.run(args, ctx), float(timeout) / 1000)
                    else:
                        v, err = await pf.run(args, ctx)
                except TimeoutError:
                    v, err = None, {"kind": "Timeout", "message": f"{fid}: timed out after {timeout} ms"}
                deliver(v, err)

            return _TaskHandle(loop.create_task(run())), None
        pool = self.pool(fid)
        if pool is None:
            return None, {"kind": "NotFound", "message": f"function {fid} not found"}
        try:
            item = pool.acquire()
        except WippyError as e:
            return None, e.data()
        st, fn = item
        inv = Invocation(self.scheduler, st, fn, tuple(args), entry_id=fid, ctx=ctx)
        handle = _InvocationHandle(inv)
        _watch(handle, pool, item, deliver, timeout, fid, loop.time())
        self.scheduler.start(inv)
        return handle, None

    def call_now(self, caller: Invocation, target: str, args: list[Any], options: dict[str, Any],
                 ctx: dict[str, Any]) -> Any:
        """funcs.call's direct path: a Lua function entry runs at once on a pooled
        state, inside the caller's step, and a synchronous Python function is called;
        the caller never suspends for a callee that does not block. Returns (1,
        value) or (2, error data) when the callee ended, (3, None) when it blocked:
        it then goes on as an invocation of its own (`caller.pending_call`, whose
        outcome `attach_call` routes to an event of the caller, with what is left
        of the timeout), and None for what this path does not take (an async Python
        function, nesting deeper than DIRECT_DEPTH): the caller makes a future."""
        global _depth
        ns = caller.entry_id.split(":", 1)[0]
        fid = self._resolve(target, ns)
        pf = self._python.get(fid)
        if pf is not None:
            if pf.is_async:
                return None
            v, err = pf.call_sync(args, ctx)
            return (2, err) if err is not None else (1, v)
        pool = self.pool(fid)
        if pool is None:
            return 2, {"kind": "NotFound", "message": f"function {fid} not found"}
        if _depth >= DIRECT_DEPTH:
            return None
        try:
            item = pool.acquire()
        except WippyError as e:
            return 2, e.data()
        t0 = self.scheduler.loop.time()
        inv = Invocation(self.scheduler, item[0], item[1], tuple(args), entry_id=fid, ctx=ctx)
        _depth += 1
        try:
            inv.step()
        finally:
            _depth -= 1
        o = inv.outcome
        if o is None:
            caller.pending_call = _PendingCall(inv, pool, item, options.get("timeout"), fid, t0)
            return 3, None
        if o.error is None or o.error.get("kind") != "Canceled":
            pool.release(item)
        return (2, o.error) if o.error is not None else (1, o.value)

    async def call_async(self, fid: str, *args: Any, context: dict[str, Any] | None = None) -> Any:
        """Call a function entry from Python (inside a running event loop)."""
        o = await self.invoke(fid, *args, context=context)
        if o.error is not None:
            raise WippyError(o.error.get("message", ""), o.error.get("kind", "Internal"),
                             retryable=o.error.get("retryable"), details=o.error.get("details"),
                             traceback=o.traceback)
        return o.value

    async def invoke(self, fid: str, *args: Any, context: dict[str, Any] | None = None) -> Outcome:
        """Like call_async, but returns the Outcome (value or error data) instead of raising."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Outcome] = loop.create_future()

        class _Caller:
            entry_id = "python:caller"
            calls: dict[int, Any] = {}

            @staticmethod
            def post(eid: int, res: dict[str, Any]) -> None:
                if not fut.done():
                    err = res.get("error")
                    fut.set_result(Outcome(value=res.get("value"), error=err))

        handle, err = self.start_call(_Caller, 0, fid, list(args), {}, dict(context or {}))
        if err is not None:
            return Outcome(error=err)
        inv = getattr(handle, "inv", None)
        o = await fut
        if inv is not None and inv.outcome is not None:
            o.traceback = inv.outcome.traceback
        return o

    def call(self, fid: str, *args: Any, context: dict[str, Any] | None = None) -> Any:
        """Call a function entry from synchronous Python: returns its result or raises
        WippyError (with `.kind`, `.lua_traceback`)."""
        return run_sync(lambda: self.call_async(fid, *args, context=context))


def run_sync(make: Callable[[], Any]) -> Any:
    """Run a coroutine to completion on a fresh event loop on a big-stack thread."""
    return luavm.run_with_big_stack(lambda: asyncio.run(make()))


def default_env() -> dict[str, str]:
    """The environment an app started by the `wippy` command sees (env module)."""
    return dict(os.environ)


__all__ = ["App", "WippyError", "run_sync"]
