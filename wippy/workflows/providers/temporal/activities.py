"""Activities of the temporal provider: function entries, called from Lua workflows.

Concept. Every function a workflow calls (`funcs.call(id, ...)`) is an activity
whose type name is the function's entry ID and whose arguments are the call's
arguments (one JSON payload each). One generic implementation serves them all: it
calls the entry through the App (`App.start_call`: Lua entries on pooled states,
Python functions registered with `App.register_function`), on the worker's event
loop. It is registered under the ID of each `function.lua` entry that names this
worker in `meta.temporal.activity.worker`, and as the worker's dynamic activity,
so any other function a workflow calls is served too.

A function's error becomes an ApplicationError with `type` = its kind and
`details[0]` = its error data; it is non-retryable when the error says
`retryable = false`, or is NotFound/Invalid/Canceled and does not say it is
retryable (the sqlite provider's rule) — otherwise Temporal's retry policy decides.
With `activity.heartbeat_timeout`, the attempt heartbeats every third of it while the
function runs (a worker that dies stops heartbeating: Temporal retries sooner).
The function sees in `ctx` the caller's context (header `wippy-ctx`) plus
`attempt`, `workflow_id` and `idempotency_key` (workflow ID / run ID / activity ID:
stable across attempts).

System activities, for what a workflow cannot do deterministically itself:
`wippy.send` (a message to a process or a workflow on another kind of host),
`wippy.control` (process.cancel / process.terminate of anything), `wippy.spawn`
(a child on a non-Temporal host: started there, its result awaited).

Invariants: an activity runs on the worker's loop thread, like every Lua step of
the process (luavm runs one state at a time per process). Costs: one App call
per attempt (a pooled Lua state; no compilation after the first).
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from temporalio import activity
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError
from temporalio.worker import ActivityInboundInterceptor, ExecuteActivityInput

from ....scheduler import Outcome
from ...retry import NEVER_RETRIED
from .client import HEADER_CTX, decode_payload

if TYPE_CHECKING:
    from ....app import App
    from .worker import TemporalProvider

ACTIVITY_CTX: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("wippy_activity_ctx",
                                                                                    default=None)

SEND = "wippy.send"
CONTROL = "wippy.control"
SPAWN = "wippy.spawn"


class ActivityHeaders(ActivityInboundInterceptor):
    """Makes the `wippy-ctx` header of an activity task its context values."""

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        p = input.headers.get(HEADER_CTX)
        ctx = decode_payload(p) if p is not None else {}
        token = ACTIVITY_CTX.set(ctx if isinstance(ctx, dict) else {})
        try:
            return await self.next.execute_activity(input)
        finally:
            ACTIVITY_CTX.reset(token)


def raise_error(err: dict[str, Any], attempt: int) -> None:
    kind = str(err.get("kind") or "Internal")
    non_retryable = err.get("retryable") is False or (kind in NEVER_RETRIED and err.get("retryable") is not True)
    data = dict(err)
    if attempt > 1:
        data["attempts"] = attempt
    raise ApplicationError(str(err.get("message") or kind), data, type=kind, non_retryable=non_retryable)


async def call_function(app: App, fid: str, args: list[Any]) -> Any:
    """Run function entry `fid` as this activity attempt; its value, or raise."""
    info = activity.info()
    ctx = {**(ACTIVITY_CTX.get() or {}), "attempt": info.attempt, "workflow_id": info.workflow_id,
           "idempotency_key": f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"}
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[dict[str, Any]] = loop.create_future()

    class _Caller:
        entry_id = fid
        calls: dict[int, Any] = {}

        @staticmethod
        def post(eid: int, res: dict[str, Any]) -> None:
            if not fut.done():
                fut.set_result(res)

    opts: dict[str, Any] = {}
    if info.start_to_close_timeout:
        opts["timeout"] = info.start_to_close_timeout.total_seconds() * 1000
    handle, err = app.start_call(_Caller, 0, fid, list(args), opts, ctx)
    if err is not None:
        raise_error(err, info.attempt)
    beat = None
    if info.heartbeat_timeout:  # the function does not heartbeat itself: this attempt is alive while it runs
        beat = loop.create_task(_heartbeat(info.heartbeat_timeout.total_seconds() / 3))
    try:
        res = await fut
    except asyncio.CancelledError:
        if handle is not None:
            handle.cancel()
        raise
    finally:
        if beat is not None:
            beat.cancel()
    if res.get("error") is not None:
        raise_error(res["error"], info.attempt)
    return res.get("value")


async def _heartbeat(every: float) -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(max(every, 0.05))


def make_activities(provider: TemporalProvider) -> list[Callable[..., Any]]:
    """The activities a worker registers: each function entry registered on it by
    meta, the dynamic fallback for any other function, the system activities."""
    app = provider.app
    out: list[Callable[..., Any]] = []

    def named(fid: str) -> Callable[..., Any]:
        async def run(*args: Any) -> Any:
            return await call_function(app, fid, list(args))

        run.__name__ = run.__qualname__ = "wippy_function"
        return activity.defn(name=fid)(run)

    for e in app.registry.find(**{"temporal.activity.worker": provider.entry.id}):
        if e.kind in ("function.lua",) and e.id not in (SEND, CONTROL, SPAWN):
            out.append(named(e.id))

    @activity.defn(dynamic=True)
    async def any_function(args: Sequence[RawValue]) -> Any:
        vals = [activity.payload_converter().from_payload(a.payload) for a in args]
        return await call_function(app, activity.info().activity_type, vals)

    @activity.defn(name=SEND)
    async def send(dest: str, topic: str, data: Any, sender: str) -> Any:
        """A message from a workflow to a process, or to a workflow on another kind
        of host; an undelivered message is reported, not retried (as on sqlite)."""
        target = provider.temporal_target(dest)
        if target is not None:
            prov, wid = target
            return await prov.client.aio(prov.client.signal(wid, topic, data, sender))
        return app.send(sender, dest, topic, data)

    @activity.defn(name=CONTROL)
    async def control(op: str, pid: str, reason: str | None) -> Any:
        target = provider.temporal_target(pid)
        if target is not None:
            prov, wid = target
            c = prov.client
            return await c.aio(c.cancel(wid, reason) if op == "cancel" else c.terminate(wid, reason))
        ok, err = app.control(None, op, pid, reason)
        return err

    @activity.defn(name=SPAWN)
    async def spawn(mode: str, entry: str, host: str, args: list[Any], opts: dict[str, Any],
                    ctx: dict[str, Any]) -> dict[str, Any]:
        """A child on a workflow.host (or another provider): start it there and, for
        exec and monitored children, wait for its end (this activity runs as long)."""
        wh = app.workflow_host(host)
        if wh is None:
            return {"error": {"kind": "NotFound", "message": f"no workflow host {host}"}}
        if hasattr(wh, "ensure_started"):
            wh.ensure_started()
        wid, err = wh.start_workflow(entry, list(args), dict(opts), ctx=dict(ctx))
        if err is not None:
            return {"error": err}
        o: Outcome = await wh.result(wid)
        return {"value": o.value, "error": o.error} if o.error is not None else {"value": o.value}

    out.extend([any_function, send, control, spawn])
    return out


__all__ = ["make_activities", "call_function", "ActivityHeaders", "ACTIVITY_CTX", "SEND", "CONTROL", "SPAWN"]
