"""`temporal.client`: a connection to a Temporal cluster, and the client half of the
temporal provider — start, signal, cancel, terminate, describe, list, result.

Concept. One TemporalClient per `temporal.client` entry and App. temporalio's
Client is async, but Wippy's process API is synchronous (a Lua `process.spawn`
returns a PID or an error at once), so every call runs on a *bridge*: a daemon
thread with its own event loop. A synchronous call submits its coroutine there
and waits — the caller's loop is blocked for one RPC (~1-5 ms against a local
server). The `*_async` forms run on the caller's own loop once the client is
connected: the temporalio Client is not tied to a loop (its RPCs go through the
SDK's Rust core), which is also why one Client serves the workers on the App's loop.

Wire format, chosen so the Temporal CLI, the UI and other SDKs interoperate:
- workflow type = the `workflow.lua` entry ID; arguments = the Lua arguments,
  one JSON payload each; the result is the workflow's first return value;
- a message (`process.send`) = a signal named by the topic, args `[data, sender]`
  (a signal sent by another tool with one argument has sender "");
- the caller's context (`process.with_context`) travels in the header
  `wippy-ctx`, to the workflow, its activities and its children;
- a failure = an ApplicationError whose `type` is the error kind and whose
  `details[0]` is the error data ({kind, message, retryable, details}).

Invariants: no call is made from the bridge thread to itself (it would wait for
ever: refused with RuntimeError); error data returned to callers uses the kinds of
the sqlite provider (NotFound, AlreadyExists, Invalid, Canceled, Timeout, Internal).
Costs: a thread and one gRPC connection per client entry, created on first use.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import uuid as _uuid
import weakref
from collections.abc import Coroutine
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from temporalio import converter as t_converter
from temporalio import exceptions as t_exc
from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Interceptor,
    OutboundInterceptor,
    StartWorkflowInput,
    TLSConfig,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowHandle,
)
from temporalio.common import RetryPolicy, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from ....durations import MILLISECOND, parse_duration
from ....registry import TemporalClientEntry
from ....scheduler import Outcome

if TYPE_CHECKING:
    from ....app import App

T = TypeVar("T")

HEADER_CTX = "wippy-ctx"  # the caller's context values
HEADER_CARRY = "wippy-carry"  # a run continued as new: its luavm snapshot and pending events

_START_HEADERS: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "wippy_temporal_start_headers", default=None)


def encode_payload(value: Any) -> Payload:
    p: Payload = t_converter.default().payload_converter.to_payloads([value])[0]
    return p


def decode_payload(p: Payload) -> Any:
    return t_converter.default().payload_converter.from_payloads([p])[0]


class HeaderInterceptor(Interceptor):
    """Adds the headers a start is made with (set in `_START_HEADERS` by the code
    that calls start_workflow on the bridge) to the StartWorkflow request."""

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        return _StartHeaders(next)


class _StartHeaders(OutboundInterceptor):
    async def start_workflow(self, input: StartWorkflowInput) -> WorkflowHandle[Any, Any]:
        extra = _START_HEADERS.get()
        if extra:
            input.headers = {**input.headers, **{k: encode_payload(v) for k, v in extra.items()}}
        return await super().start_workflow(input)


# options ------------------------------------------------------------------------------

def opt(opts: dict[str, Any], key: str) -> Any:
    """A workflow start option by its key, with or without the legacy `temporal.` prefix."""
    for k in (f"workflow.{key}", f"temporal.workflow.{key}"):
        if k in opts and opts[k] is not None:
            return opts[k]
    return None


def duration(v: Any) -> timedelta | None:
    """A duration option: a Go-style string or a number of milliseconds."""
    if v is None or v == "":
        return None
    return timedelta(microseconds=parse_duration(v, number_unit=MILLISECOND) / 1000)


def retry_policy(rp: Any) -> RetryPolicy | None:
    """Wippy's retry policy table as Temporal's RetryPolicy (durations in ms or strings)."""
    if not isinstance(rp, dict) or not rp:
        return None
    return RetryPolicy(
        initial_interval=duration(rp.get("initial_interval")) or timedelta(seconds=1),
        backoff_coefficient=float(rp.get("backoff_coefficient") or 2.0),
        maximum_interval=duration(rp.get("maximum_interval")),
        maximum_attempts=int(rp.get("maximum_attempts") or 0),
        non_retryable_error_types=list(rp.get("non_retryable_error_types") or []) or None,
    )


CONFLICT = {"use_existing": WorkflowIDConflictPolicy.USE_EXISTING, "fail": WorkflowIDConflictPolicy.FAIL,
            "terminate_existing": WorkflowIDConflictPolicy.TERMINATE_EXISTING}
REUSE = {"allow_duplicate": WorkflowIDReusePolicy.ALLOW_DUPLICATE,
         "allow_duplicate_failed_only": WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
         "reject_duplicate": WorkflowIDReusePolicy.REJECT_DUPLICATE,
         "terminate_if_running": WorkflowIDReusePolicy.TERMINATE_IF_RUNNING}


def common_start_options(opts: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments shared by Client.start_workflow and workflow.start_child_workflow."""
    kw: dict[str, Any] = {}
    for key, name in (("execution_timeout", "execution_timeout"), ("run_timeout", "run_timeout"),
                      ("task_timeout", "task_timeout")):
        d = duration(opt(opts, key))
        if d is not None:
            kw[name] = d
    rp = retry_policy(opt(opts, "retry_policy"))
    if rp is not None:
        kw["retry_policy"] = rp
    memo = opt(opts, "memo")
    if isinstance(memo, dict) and memo:
        kw["memo"] = memo
    reuse = opt(opts, "id_reuse_policy")
    if reuse:
        kw["id_reuse_policy"] = REUSE.get(str(reuse).lower(), WorkflowIDReusePolicy.ALLOW_DUPLICATE)
    cron = opt(opts, "cron_schedule")
    if cron:
        kw["cron_schedule"] = str(cron)
    return kw


# errors ------------------------------------------------------------------------------

def error_data(e: BaseException) -> dict[str, Any]:
    """A Temporal failure as Wippy error data ({kind, message, ...})."""
    if isinstance(e, (t_exc.ActivityError, t_exc.ChildWorkflowError, WorkflowFailureError)) and e.cause is not None:
        return error_data(e.cause)
    if isinstance(e, t_exc.ApplicationError):
        d = e.details[0] if e.details else None
        if isinstance(d, dict) and "kind" in d and "message" in d:
            return dict(d)
        out: dict[str, Any] = {"kind": e.type or "Internal", "message": e.message}
        if e.non_retryable:
            out["retryable"] = False
        return out
    if isinstance(e, t_exc.TimeoutError):
        what = e.type.name.lower() if e.type is not None else "timeout"
        return {"kind": "Timeout", "message": f"timed out ({what})"}
    if isinstance(e, t_exc.TerminatedError):
        return {"kind": "Canceled", "message": e.message or "terminated"}
    if isinstance(e, (t_exc.CancelledError, asyncio.CancelledError)):
        msg = getattr(e, "message", "") or "canceled"
        return {"kind": "Canceled", "message": msg}
    if isinstance(e, RPCError):
        kind = {RPCStatusCode.NOT_FOUND: "NotFound", RPCStatusCode.ALREADY_EXISTS: "AlreadyExists",
                RPCStatusCode.INVALID_ARGUMENT: "Invalid", RPCStatusCode.UNAVAILABLE: "Unavailable",
                RPCStatusCode.DEADLINE_EXCEEDED: "Timeout", RPCStatusCode.PERMISSION_DENIED: "PermissionDenied",
                RPCStatusCode.FAILED_PRECONDITION: "Invalid"}.get(e.status, "Internal")
        return {"kind": kind, "message": e.message}
    if isinstance(e, t_exc.FailureError):
        return {"kind": "Internal", "message": e.message}
    return {"kind": "Internal", "message": f"{type(e).__name__}: {e}"}


_STATUS = {WorkflowExecutionStatus.RUNNING: "running", WorkflowExecutionStatus.COMPLETED: "completed",
           WorkflowExecutionStatus.FAILED: "failed", WorkflowExecutionStatus.CANCELED: "canceled",
           WorkflowExecutionStatus.TERMINATED: "terminated", WorkflowExecutionStatus.CONTINUED_AS_NEW: "continued",
           WorkflowExecutionStatus.TIMED_OUT: "timed_out"}


def _execution(x: Any) -> dict[str, Any]:
    return {"id": x.id, "run_id": x.run_id, "type": x.workflow_type, "status": _STATUS.get(x.status, "unknown")
            if x.status is not None else "unknown", "task_queue": x.task_queue, "start_time": x.start_time,
            "close_time": x.close_time, "history_length": x.history_length}


# the bridge -------------------------------------------------------------------------------

class _Bridge:
    """A daemon thread running an event loop: where the client's coroutines run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _ensure(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self.loop is None or self.thread is None or not self.thread.is_alive():
                loop = asyncio.new_event_loop()
                t = threading.Thread(target=loop.run_forever, name=f"temporal-client {self.name}", daemon=True)
                t.start()
                self.loop, self.thread = loop, t
            return self.loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run `coro` on the bridge and wait for its result (blocking this thread)."""
        if threading.current_thread() is self.thread:
            coro.close()
            raise RuntimeError("a synchronous Temporal client call from the client's own thread")
        return asyncio.run_coroutine_threadsafe(coro, self._ensure()).result(timeout)

    async def run_async(self, coro: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            return await coro
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self._ensure()))

    def close(self) -> None:
        with self._lock:
            loop, t = self.loop, self.thread
            self.loop = self.thread = None
        if loop is not None and t is not None:
            loop.call_soon_threadsafe(loop.stop)
            if t is not threading.current_thread():
                t.join(5)


# the client ---------------------------------------------------------------------------------

class TemporalClient:
    """One `temporal.client` entry: a connection and the workflow operations on it.

    The operations are coroutines that run on the bridge; call them through `sync`
    (blocking) or `aio` (awaitable from any loop)."""

    def __init__(self, app: App, entry: TemporalClientEntry) -> None:
        self.app = app
        self.entry = entry
        self.bridge = _Bridge(entry.id)
        self._client: Client | None = None
        self._connecting: asyncio.Future[Client] | None = None

    # plumbing ----------------------------------------------------------------------------
    def sync(self, coro: Coroutine[Any, Any, T], timeout: float | None = 60.0) -> T:
        return self.bridge.run(coro, timeout)

    async def aio(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await an operation from any loop: on the caller's loop once connected (the
        Client is not tied to a loop), else on the bridge (which connects first)."""
        if self._client is None:
            return await self.bridge.run_async(coro)
        return await coro

    async def connect(self) -> Client:
        """The temporalio Client (connected on first use, on the bridge)."""
        if self._client is not None:
            return self._client
        if threading.current_thread() is not self.bridge.thread:
            return await self.aio(self.connect())
        if self._connecting is None:
            self._connecting = asyncio.get_running_loop().create_future()
            try:
                c = await Client.connect(self.entry.address, **self._connect_options())
            except BaseException as e:
                fut, self._connecting = self._connecting, None
                fut.set_exception(e)
                fut.exception()  # (retrieved: the callers see it raised below)
                raise
            self._client = c
            self._connecting.set_result(c)
            return c
        return await asyncio.shield(self._connecting)

    def client(self) -> Client:
        """The connected Client, connecting (blocking) if needed."""
        if self._client is not None:
            return self._client
        return self.sync(self.connect())

    def _connect_options(self) -> dict[str, Any]:
        e = self.entry
        kw: dict[str, Any] = {"namespace": e.temporal_namespace or "default", "interceptors": [HeaderInterceptor()]}
        tls = dict(e.tls or {})
        auth = dict(e.auth or {})
        atype = str(auth.get("type") or "none")
        if atype == "api_key":
            key = auth.get("api_key")
            if not key and auth.get("api_key_file"):
                key = Path(str(auth["api_key_file"])).read_text().strip()
            if key:
                kw["api_key"] = str(key)
                tls.setdefault("enabled", True)
        cert = _pem(auth, "cert") if atype == "mtls" else None
        key_pem = _pem(auth, "key") if atype == "mtls" else None
        if tls.get("enabled") or cert:
            ca = Path(str(tls["ca_file"])).read_bytes() if tls.get("ca_file") else None
            kw["tls"] = TLSConfig(server_root_ca_cert=ca, domain=tls.get("server_name") or None,
                                  client_cert=cert, client_private_key=key_pem)
        return kw

    def close(self) -> None:
        self.bridge.close()
        self._client = None
        self._connecting = None

    # operations (coroutines: run them through sync() or aio()) --------------------------
    async def start(self, type_id: str, args: list[Any], options: dict[str, Any] | None, *, task_queue: str,
                    ctx: dict[str, Any] | None = None) -> tuple[str, dict[str, Any] | None]:
        """Start a workflow; (workflow ID, error data). Options are Wippy's start
        options (`workflow.id`, `workflow.id_conflict_policy` — `use_existing` by
        default, as on the sqlite provider — …); `__messages` (with_message) are
        delivered as signals, the first with the start itself (signal-with-start)."""
        client = await self.connect()
        opts = dict(options or {})
        wid = str(opt(opts, "id") or opts.get("name") or _uuid.uuid4())
        policy = str(opt(opts, "id_conflict_policy") or "use_existing").lower()
        if opt(opts, "execution_error_when_already_started"):
            policy = "fail"
        kw = common_start_options(opts)
        d = duration(opt(opts, "start_delay"))
        if d is not None:
            kw["start_delay"] = d
        tq = str(opt(opts, "task_queue") or task_queue)
        msgs = [m for m in opts.get("__messages") or [] if isinstance(m, dict)]
        if msgs and policy != "fail":
            kw["start_signal"] = str(msgs[0].get("topic"))
            kw["start_signal_args"] = [msgs[0].get("data"), ""]
            msgs = msgs[1:]
        else:
            kw["id_conflict_policy"] = CONFLICT.get(policy, WorkflowIDConflictPolicy.USE_EXISTING)
        token = _START_HEADERS.set({HEADER_CTX: ctx} if ctx else None)
        try:
            h = await client.start_workflow(type_id, args=list(args), id=wid, task_queue=tq, **kw)
        except t_exc.WorkflowAlreadyStartedError:
            return wid, {"kind": "AlreadyExists", "message": f"workflow {wid} is already running"
                         if policy == "fail" else f"workflow {wid} already ran (id reuse policy)"}
        except RPCError as e:
            return wid, error_data(e)
        finally:
            _START_HEADERS.reset(token)
        for m in msgs:
            await h.signal(str(m.get("topic")), args=[m.get("data"), ""])
        return wid, None

    async def signal(self, wid: str, topic: str, data: Any, sender: str = "") -> dict[str, Any] | None:
        client = await self.connect()
        try:
            await client.get_workflow_handle(wid).signal(topic, args=[data, sender])
        except RPCError as e:
            return _closed_or(e, wid)
        return None

    async def cancel(self, wid: str, reason: str | None = None) -> dict[str, Any] | None:
        client = await self.connect()
        try:
            await client.get_workflow_handle(wid).cancel(reason=reason or "canceled")
        except RPCError as e:
            return _closed_or(e, wid)
        return None

    async def terminate(self, wid: str, reason: str | None = None) -> dict[str, Any] | None:
        client = await self.connect()
        try:
            await client.get_workflow_handle(wid).terminate(reason=reason or "terminated")
        except RPCError as e:
            return _closed_or(e, wid)
        return None

    async def result(self, wid: str) -> Outcome:
        """Wait for the workflow (following continue-as-new) to close."""
        client = await self.connect()
        try:
            v = await client.get_workflow_handle(wid).result()
        except WorkflowFailureError as e:
            return Outcome(error=error_data(e))
        except RPCError as e:
            return Outcome(error=error_data(e))
        return Outcome(value=v)

    async def describe(self, wid: str) -> dict[str, Any] | None:
        client = await self.connect()
        try:
            d = await client.get_workflow_handle(wid).describe()
        except RPCError as e:
            if e.status == RPCStatusCode.NOT_FOUND:
                return None
            raise
        return _execution(d)

    async def list(self, query: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        client = await self.connect()
        out: list[dict[str, Any]] = []
        async for x in client.list_workflows(query or None, limit=limit):
            out.append(_execution(x))
        return out

    async def history_length(self, wid: str, run_id: str | None = None) -> int:
        client = await self.connect()
        h = await client.get_workflow_handle(wid, run_id=run_id).fetch_history()
        return len(h.events)


def _closed_or(e: RPCError, wid: str) -> dict[str, Any]:
    if e.status == RPCStatusCode.NOT_FOUND:
        if "completed" in e.message or "closed" in e.message:
            return {"kind": "Invalid", "message": f"workflow {wid} is closed"}
        return {"kind": "NotFound", "message": f"workflow {wid} not found"}
    return error_data(e)


def _pem(auth: dict[str, Any], what: str) -> bytes | None:
    if auth.get(f"{what}_pem"):
        return str(auth[f"{what}_pem"]).encode()
    if auth.get(f"{what}_file"):
        return Path(str(auth[f"{what}_file"])).read_bytes()
    return None


_CLIENTS: weakref.WeakKeyDictionary[Any, dict[str, TemporalClient]] = weakref.WeakKeyDictionary()


def client_for(app: App, client_id: str) -> TemporalClient:
    """The app's TemporalClient for a `temporal.client` entry (made on first use)."""
    per_app = _CLIENTS.setdefault(app, {})
    c = per_app.get(client_id)
    if c is None:
        e = app.registry.get(client_id)
        if not isinstance(e, TemporalClientEntry):
            raise LookupError(f"{client_id} is not a temporal.client entry")
        c = per_app[client_id] = TemporalClient(app, e)
    return c


def close_clients(app: App) -> None:
    for c in _CLIENTS.pop(app, {}).values():
        c.close()


__all__ = ["TemporalClient", "client_for", "close_clients", "error_data", "retry_policy", "duration", "opt",
           "common_start_options", "HEADER_CTX", "HEADER_CARRY", "encode_payload", "decode_payload"]
