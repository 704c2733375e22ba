"""`temporal.worker`: the temporal provider's face to the App — a workflow host with
the sqlite WorkflowHost's methods, and the Temporal worker that runs the Lua
workflows and the activities.

Concept. `App.workflow_host(ref)` returns a TemporalProvider for a `temporal.worker`
entry (by ID, bare name or task queue name), so `process.spawn(id, "app:worker")`,
`process.send`, `process.cancel/terminate`, tests and tools use either provider the
same way:

    start_workflow(type_id, args, options, *, ctx) -> (workflow id, error data)
    signal(wid, topic, data, sender)    cancel(wid, reason)    terminate(wid, reason)
    await result(wid) -> Outcome        watch(wid, invocation, eid, mode)
    describe(wid) -> dict | None        list_workflows(query) -> [dict]   (+ *_async forms)

Those go through the entry's TemporalClient (client.py). `ensure_started()` runs
the worker on the calling event loop: it polls `task_queue` for the workflow types
(any `workflow.lua` entry of the app; type name = entry ID) and the activities
(activities.py). Options (`worker_options`): Wippy's names
(max_concurrent_activity_execution_size, max_concurrent_workflow_task_execution_size,
max_concurrent_*_task_pollers, worker_activities_per_second,
task_queue_activities_per_second, sticky_schedule_to_start_timeout,
worker_stop_timeout, identity) plus *ours*: `continue_as_new_after` (history events,
default 1000; 0 = only when Temporal suggests it), `step_timeout` (default 2s),
`max_cached_workflows`.

Invariants: activations run inline on the worker's loop thread (InlineExecutor) —
luavm runs one state at a time per process, and activities run Lua on that thread
too; that thread should be a big-stack thread (wippy.run_sync, `wippy run`) for
deep Lua recursion. Several worker processes may poll one task queue: Temporal
hands each workflow task to one of them, and a killed worker's workflows continue
on another (replayed from their current run's history).
Costs: one worker per entry and process; a workflow task is a poll round trip plus
its Lua steps.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from temporalio import workflow as t_workflow
from temporalio.worker import (
    ActivityInboundInterceptor,
    ContinueAsNewInput,
    Interceptor,
    Replayer,
    StartActivityInput,
    StartChildWorkflowInput,
    UnsandboxedWorkflowRunner,
    Worker,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from ....durations import parse_duration
from ....modules.process import EVENT
from ....registry import LuaEntry, TemporalWorkerEntry
from ....scheduler import Outcome
from .activities import ActivityHeaders, make_activities
from .client import TemporalClient, client_for, encode_payload
from .workflow import workflow_class

if TYPE_CHECKING:
    from ....app import App

log = logging.getLogger("wippy.temporal")


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """The worker's 'workflow task executor': runs each activation at once, on the
    thread that submits it (the worker's event loop thread), instead of on a pool
    thread — Lua must not run on two threads at once."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="unused")

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        f: concurrent.futures.Future[Any] = concurrent.futures.Future()
        loop = asyncio._get_running_loop()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - handed to the awaiting worker
            f.set_exception(e)
        finally:
            asyncio._set_running_loop(loop)  # the activation's own loop unset it
        return f


class WorkerHeaders(Interceptor):
    """Headers: the caller's context on activities, children and continue-as-new
    (from the workflow instance's `next_headers` / `child_headers`), and the
    activity's context from its header."""

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return ActivityHeaders(next)

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        return _WorkflowIn


class _WorkflowIn(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_WorkflowOut(outbound))


def _add(headers: Any, extra: dict[str, Any] | None) -> Any:
    if not extra:
        return headers
    return {**headers, **{k: encode_payload(v) for k, v in extra.items()}}


class _WorkflowOut(WorkflowOutboundInterceptor):
    def start_activity(self, input: StartActivityInput) -> t_workflow.ActivityHandle[Any]:
        input.headers = _add(input.headers, getattr(t_workflow.instance(), "next_headers", None))
        return super().start_activity(input)

    async def start_child_workflow(self, input: StartChildWorkflowInput) -> t_workflow.ChildWorkflowHandle[Any, Any]:
        extra = getattr(t_workflow.instance(), "child_headers", {}).get(input.id)
        input.headers = _add(input.headers, extra)
        return await super().start_child_workflow(input)

    def continue_as_new(self, input: ContinueAsNewInput) -> Any:
        input.headers = _add(input.headers, getattr(t_workflow.instance(), "next_headers", None))
        return super().continue_as_new(input)


def _seconds(v: Any, default: float) -> float:
    if v is None or v == "":
        return default
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    return parse_duration(v) / 1e9


class TemporalProvider:
    """One `temporal.worker` entry: the client operations on its task queue, and
    its worker (run by ensure_started)."""

    def __init__(self, app: App, entry: TemporalWorkerEntry) -> None:
        self.app = app
        self.entry = entry
        self.task_queue = entry.task_queue
        self.client: TemporalClient = client_for(app, entry.client)
        wo = dict(entry.worker_options or {})
        self.options = wo
        self.continue_as_new_after = int(wo.get("continue_as_new_after", 1000) or 0)
        self.step_timeout = _seconds(wo.get("step_timeout"), 2.0)
        self.limits: dict[str, Any] = {"timeout": self.step_timeout} if self.step_timeout > 0 else {}
        self.stats = {"steps": 0, "restores": 0, "continued": 0}
        self.worker: Worker | None = None
        self._task: asyncio.Task[None] | None = None
        self._running: asyncio.Event | None = None
        self._watches: set[asyncio.Task[None]] = set()

    # the client API (the sqlite WorkflowHost's) ----------------------------------------
    def _check_type(self, type_id: str) -> dict[str, Any] | None:
        e = self.app.registry.get(type_id) if ":" in type_id else None
        if not isinstance(e, LuaEntry) or e.kind != "workflow.lua":
            return {"kind": "NotFound", "message": f"workflow {type_id} not found"}
        return None

    def start_workflow(self, type_id: str, args: list[Any], options: dict[str, Any] | None = None, *,
                       ctx: dict[str, Any] | None = None, **_: Any) -> tuple[str, dict[str, Any] | None]:
        """Start a workflow of entry `type_id` on this worker's task queue."""
        err = self._check_type(type_id)
        if err is not None:
            return "", err
        return self.client.sync(self.client.start(type_id, list(args), options, task_queue=self.task_queue, ctx=ctx))

    async def start_workflow_async(self, type_id: str, args: list[Any], options: dict[str, Any] | None = None, *,
                                   ctx: dict[str, Any] | None = None) -> tuple[str, dict[str, Any] | None]:
        err = self._check_type(type_id)
        if err is not None:
            return "", err
        return await self.client.aio(self.client.start(type_id, list(args), options, task_queue=self.task_queue,
                                                       ctx=ctx))

    def signal(self, wid: str, topic: str, data: Any, sender: str = "") -> dict[str, Any] | None:
        return self.client.sync(self.client.signal(wid, topic, data, sender))

    async def signal_async(self, wid: str, topic: str, data: Any, sender: str = "") -> dict[str, Any] | None:
        return await self.client.aio(self.client.signal(wid, topic, data, sender))

    def cancel(self, wid: str, reason: str | None = None, sender: str = "") -> dict[str, Any] | None:
        return self.client.sync(self.client.cancel(wid, reason))

    def terminate(self, wid: str, reason: str | None = None) -> dict[str, Any] | None:
        return self.client.sync(self.client.terminate(wid, reason))

    async def result(self, wid: str) -> Outcome:
        return await self.client.aio(self.client.result(wid))

    def describe(self, wid: str) -> dict[str, Any] | None:
        return self.client.sync(self.client.describe(wid))

    async def describe_async(self, wid: str) -> dict[str, Any] | None:
        return await self.client.aio(self.client.describe(wid))

    def list_workflows(self, query: str | None = None) -> list[dict[str, Any]]:
        return self.client.sync(self.client.list(query or f"TaskQueue = '{self.task_queue}'"))

    async def list_workflows_async(self, query: str | None = None) -> list[dict[str, Any]]:
        return await self.client.aio(self.client.list(query or f"TaskQueue = '{self.task_queue}'"))

    def watch(self, wid: str, inv: Any, eid: int, mode: str) -> None:
        """Post the workflow's end to a live invocation: `eid` gets {value|error}
        for exec, or an EXIT event for a monitored spawn."""
        pid = f"{{{self.entry.id}|{wid}}}"

        async def go() -> None:
            o = await self.result(wid)
            result = {"value": o.value, "error": o.error} if o.error is not None else {"value": o.value}
            if mode == "exec":
                inv.post(eid, result)
            else:
                inv.post(EVENT, {"kind": "pid.exit", "from": pid, "at": time.time_ns(), "result": result})

        t = asyncio.get_running_loop().create_task(go())
        self._watches.add(t)
        t.add_done_callback(self._watches.discard)

    async def verify(self, wid: str, run_id: str | None = None) -> str | None:
        """Replay a run's history (the latest run by default) against this app's
        code, as a fresh worker would on a cache miss; None if it replays, else the
        nondeterminism Temporal reports."""
        client = await self.client.aio(self.client.connect())
        hist = await client.get_workflow_handle(wid, run_id=run_id).fetch_history()
        replayer = Replayer(workflows=[workflow_class(self)], workflow_runner=UnsandboxedWorkflowRunner(),
                            workflow_task_executor=InlineExecutor(), interceptors=[WorkerHeaders()])
        res = await replayer.replay_workflow(hist, raise_on_replay_failure=False)
        return None if res.replay_failure is None else f"{type(res.replay_failure).__name__}: {res.replay_failure}"

    # routing (used inside workflows: registry lookups only, deterministic) -------------
    def _entry(self, ref: str) -> Any:
        reg = self.app.registry
        if ":" in ref:
            return reg.get(ref)
        try:
            e = reg.get(ref)
        except LookupError:
            e = None
        if e is not None:
            return e
        for kind in ("temporal.worker", "workflow.host"):
            for x in reg.by_kind(kind):
                if getattr(x, "task_queue", None) == ref:
                    return x
        return None

    def child_queue(self, host: str) -> str | None:
        """The task queue a child spawned on `host` runs on; None when `host` is
        a host of another kind (a workflow.host, a process.host)."""
        if not host:
            return self.task_queue
        e = self._entry(host)
        if isinstance(e, TemporalWorkerEntry):
            return e.task_queue
        if e is not None:
            return None
        return host  # a task queue name (Wippy passes the host argument as the child's task queue)

    def workflow_id_of(self, pid: str) -> str | None:
        """The workflow ID if `pid` names a workflow on Temporal, else None."""
        if not pid.startswith("{") or "|" not in pid:
            return None
        host, _, wid = pid.strip("{}").partition("|")
        e = self._entry(host)
        if isinstance(e, TemporalWorkerEntry):
            return wid
        if e is not None or "@" in host or "|" in wid:
            return None
        return wid

    def temporal_target(self, pid: Any) -> tuple[TemporalProvider, str] | None:
        """(provider, workflow ID) for a PID of a workflow on a temporal.worker."""
        if not isinstance(pid, str):
            return None
        wid = self.workflow_id_of(pid)
        if wid is None:
            return None
        host = pid.strip("{}").partition("|")[0]
        e = self._entry(host)
        wh = self.app.workflow_host(e.id) if isinstance(e, TemporalWorkerEntry) else self
        return (wh, wid) if isinstance(wh, TemporalProvider) else (self, wid)

    # the worker -------------------------------------------------------------------------------
    def ensure_started(self) -> None:
        """Run this entry's worker on the running event loop (from now until close)."""
        if self._task is not None:
            return
        self._running = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._serve(), name=f"temporal worker {self.entry.id}")

    async def started(self, timeout: float = 30.0) -> None:
        """Wait until the worker polls (ensure_started first)."""
        self.ensure_started()
        assert self._running is not None and self._task is not None
        waiter = asyncio.ensure_future(self._running.wait())
        done, _ = await asyncio.wait({waiter, self._task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if self._task in done:
            waiter.cancel()
            self._task.result()  # raises the worker's failure
        if waiter not in done:
            waiter.cancel()
            raise TimeoutError(f"temporal worker {self.entry.id} did not start in {timeout}s")

    def _worker_kwargs(self) -> dict[str, Any]:
        wo = self.options
        kw: dict[str, Any] = {}
        for ours, theirs in (("max_concurrent_activity_execution_size", "max_concurrent_activities"),
                             ("max_concurrent_workflow_task_execution_size", "max_concurrent_workflow_tasks"),
                             ("max_concurrent_workflow_task_pollers", "max_concurrent_workflow_task_polls"),
                             ("max_concurrent_activity_task_pollers", "max_concurrent_activity_task_polls"),
                             ("max_cached_workflows", "max_cached_workflows")):
            if wo.get(ours):
                kw[theirs] = int(wo[ours])
        for ours, theirs in (("worker_activities_per_second", "max_activities_per_second"),
                             ("task_queue_activities_per_second", "max_task_queue_activities_per_second")):
            if wo.get(ours):
                kw[theirs] = float(wo[ours])
        # Wippy's default (5s; temporalio's is 10s): how long a workflow task waits for the
        # worker that has the workflow cached before any worker may take it (a dead worker's)
        kw["sticky_queue_schedule_to_start_timeout"] = timedelta(
            seconds=_seconds(wo.get("sticky_schedule_to_start_timeout"), 5.0))
        if wo.get("worker_stop_timeout"):
            kw["graceful_shutdown_timeout"] = timedelta(seconds=_seconds(wo["worker_stop_timeout"], 0))
        if wo.get("identity"):
            kw["identity"] = str(wo["identity"])
        return kw

    async def _serve(self) -> None:
        client = await self.client.aio(self.client.connect())
        self.worker = Worker(client, task_queue=self.task_queue, workflows=[workflow_class(self)],
                             activities=make_activities(self), workflow_runner=UnsandboxedWorkflowRunner(),
                             workflow_task_executor=InlineExecutor(), interceptors=[WorkerHeaders()],
                             **self._worker_kwargs())
        assert self._running is not None
        self._running.set()
        log.info("temporal worker %s polls %s at %s", self.entry.id, self.task_queue, self.client.entry.address)
        await self.worker.run()

    async def shutdown(self) -> None:
        """Stop the worker gracefully (in-flight activities get worker_stop_timeout)."""
        w, t = self.worker, self._task
        self.worker = None
        self._task = None
        if w is not None and t is not None and not t.done():
            try:
                await w.shutdown()
            except Exception:  # noqa: BLE001 - stopping a worker that failed
                log.debug("worker shutdown", exc_info=True)
        if t is not None and not t.done():
            t.cancel()

    def close(self) -> None:
        """Stop polling (the worker task is canceled) and close the client."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
        self.worker = None
        for t in list(self._watches):
            t.cancel()
        self.client.close()


def is_temporal_host(e: Any) -> bool:
    return isinstance(e, TemporalWorkerEntry)


__all__ = ["TemporalProvider", "InlineExecutor", "WorkerHeaders", "is_temporal_host"]
