"""Carrying out a workflow step's commands: the outbox.

A step commits its commands as outbox rows (engine.py); once committed they are
carried out here: an activity runs as a function call, retried per its policy
(retry.py) with `idempotency_key` and `attempt` in its context; a timer is armed
(or, on a virtual clock, fired when the engine jumps to it); a message, a cancel
or a terminate is delivered; a child workflow is started. An outcome goes to the
workflow's next step (`complete` → engine.deliver), whose transaction marks the
outbox row done and records the outcome among its events, so it is recorded
exactly once (a row that is no longer pending records nothing). An activity whose
target can run at once (a synchronous Python function, a Lua function entry that
finishes without blocking) is called right here, without an event-loop task.

Invariants: nothing here runs before the outbox row it carries out is committed;
a crash between running an activity and recording its outcome runs it again
after recovery (at least once). `crashpoint` names the points the crash tests
kill the process at (WIPPY_CRASHPOINT=name:n).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ..modules.process import EVENT
from . import retry

if TYPE_CHECKING:
    from .engine import WorkflowHost

log = logging.getLogger("wippy.workflows")

DEFAULT_START_TO_CLOSE_MS = 10 * 60 * 1000

_CRASH = os.environ.get("WIPPY_CRASHPOINT", "")  # "name:n": kill this process the n-th time name is reached
_CRASH_COUNTS: dict[str, int] = {}


def crashpoint(name: str) -> None:
    """For crash tests: SIGKILL this process at a named point of the engine."""
    if not _CRASH:
        return
    point, _, n = _CRASH.partition(":")
    if point != name:
        return
    c = _CRASH_COUNTS[name] = _CRASH_COUNTS.get(name, 0) + 1
    if c == int(n or 1):
        import signal

        log.warning("crash test: killing the process at %s (#%d)", name, c)
        os.kill(os.getpid(), signal.SIGKILL)


@dataclass
class Task:
    """An outbox task being carried out in this process."""

    row: dict[str, Any]
    handle: Any = None



def carry_out(host: WorkflowHost, t: dict[str, Any]) -> None:
    if t["id"] in host.tasks:
        return
    task = Task(t)
    host.tasks[t["id"]] = task
    kind = t["kind"]
    if kind in ("timer", "retry"):
        if host.virtual:
            if kind == "retry" and t["due"] <= host.vnow:
                fire(host, t)
            else:
                asyncio.get_running_loop().call_soon(host._advance_virtual)
            return  # fired by _advance_virtual
        delay = max(0.0, (t["due"] - time.time_ns()) / 1e9)
        host.timers[t["id"]] = asyncio.get_running_loop().call_later(delay, fire, host, t)
    elif kind == "activity":
        if t["attempt"] > 1 and t["due"] > host.now_ns():
            task.row = {**t, "kind": "retry"}
            host.tasks.pop(t["id"])
            carry_out(host, task.row)
            return
        _run_activity(host, task)
    elif kind == "send":
        _deliver_send(host, t)
    elif kind in ("cancel", "terminate"):
        _deliver_control(host, t)
    elif kind == "child":
        _start_child(host, t)

def drop_task(host: WorkflowHost, tid: int) -> None:
    task = host.tasks.pop(tid, None)
    h = host.timers.pop(tid, None)
    if h is not None:
        h.cancel()
    if task is not None and task.handle is not None:
        task.handle.cancel()

def fire(host: WorkflowHost, t: dict[str, Any]) -> None:
    host.timers.pop(t["id"], None)
    if t["kind"] == "retry":  # an activity's next attempt came due
        host.tasks.pop(t["id"], None)
        carry_out(host, {**t, "kind": "activity", "due": 0})
        return
    complete(host, t, host.now_ns())

def complete(host: WorkflowHost, t: dict[str, Any], value: Any) -> None:
    """Hand a task's outcome to its workflow's next step, which records it exactly
    once (engine.deliver: in the step's transaction, if the row is still pending)."""
    host.tasks.pop(t["id"], None)
    crashpoint(f"{t['kind']}.before_record")
    host.deliver(t, value)

def _run_activity(host: WorkflowHost, task: Task) -> None:
    t = task.row
    d = t["data"]
    opts = dict(d.get("options") or {})
    timeout = retry.start_to_close_ms(opts) or DEFAULT_START_TO_CLOSE_MS

    _Caller = _caller(host, task)
    ctx = {**(d.get("ctx") or {}), "attempt": t["attempt"], "workflow_id": t["workflow_id"]}
    args = list(d.get("args") or [])
    now = host.app.call_now(cast(Any, _Caller), d["target"], args, {"timeout": timeout}, ctx)
    if now is not None:  # ran at once (or blocked and goes on as an invocation of its own)
        code, v = now
        if code == 3:
            task.handle = _Caller.pending_call.attach(_Caller, t["eid"])
        else:
            _activity_done(host, task, {"error": v} if code == 2 else {"value": v})
        return
    handle, err = host.app.start_call(_Caller, t["eid"], d["target"], args, {"timeout": timeout}, ctx)
    if err is not None:
        _activity_done(host, task, {"error": err})
        return
    task.handle = handle

def settle(host: WorkflowHost, t: dict[str, Any], how: str, v: Any) -> None:
    """Carry out an activity row whose call already ran (a local activity that did
    not finish its step: local.py): ("result", {value}|{error}) is its first
    attempt's outcome (retried as any activity's), ("pending", the blocked call)
    goes on and reports when it ends."""
    task = Task(t)
    host.tasks[t["id"]] = task
    if how == "result":
        _activity_done(host, task, v)
        return

    task.handle = v.attach(_caller(host, task), t["eid"])


def _caller(host: WorkflowHost, task: Task) -> Any:
    """What an activity's call reports its outcome to (App.start_call/call_now's caller)."""
    class _Caller:
        entry_id = task.row["workflow_id"]
        calls: dict[int, Any] = {}
        pending_call: Any = None

        @staticmethod
        def post(eid: int, res: dict[str, Any]) -> None:
            task.handle = None
            _activity_done(host, task, res)

    return _Caller


def _activity_done(host: WorkflowHost, task: Task, res: dict[str, Any]) -> None:
    t = task.row
    if host.tasks.get(t["id"]) is not task:
        return  # canceled meanwhile
    err = res.get("error")
    if err is not None:
        pol = t["data"].get("policy") or retry.policy({})
        delay = retry.next_delay(pol, t["attempt"], err)
        if delay is not None:
            due = host.now_ns() + int(delay * 1e9)
            with host.store.tx() as tx:
                host.store.retry_task(tx, t["id"], due, t["attempt"] + 1)
            host.tasks.pop(t["id"], None)
            log.info("workflow %s: activity %s attempt %d failed (%s); retrying in %.3gs",
                     t["workflow_id"], t["data"]["target"], t["attempt"], err.get("message"), delay)
            carry_out(host, {**t, "kind": "retry", "due": due, "attempt": t["attempt"] + 1})
            return
        err = {**err, "attempts": t["attempt"]}
        complete(host, t, {"error": err})
    elif t["attempt"] > 1:
        complete(host, t, {"value": res.get("value"), "attempts": t["attempt"]})
    else:
        complete(host, t, {"value": res.get("value")})

def _deliver_send(host: WorkflowHost, t: dict[str, Any]) -> None:
    d = t["data"]
    sender = pid_of(host, t["workflow_id"])
    err = host.app.send(sender, d["to"], d["topic"], d.get("data"))
    if err is not None:
        log.info("workflow %s: message to %s not delivered: %s", t["workflow_id"], d["to"], err.get("message"))
    _finish_quietly(host, t)

def _deliver_control(host: WorkflowHost, t: dict[str, Any]) -> None:
    d = t["data"]
    host.app.control(None, t["kind"], d.get("pid"), d.get("reason"))
    _finish_quietly(host, t)

def _finish_quietly(host: WorkflowHost, t: dict[str, Any]) -> None:
    host.tasks.pop(t["id"], None)
    with host.store.tx() as tx:
        host.store.finish_task(tx, t["id"])

def _start_child(host: WorkflowHost, t: dict[str, Any]) -> None:
    d = t["data"]
    parent_pid = pid_of(host, t["workflow_id"])
    target = host.app.workflow_host_for(d["host"], t["workflow_id"], host)
    if target is None:
        complete(host, t, {"error": {"kind": "NotFound", "message": f"no workflow host {d['host']}"}})
        return
    opts = dict(d.get("options") or {})
    opts["workflow.id"] = d["wid"]
    opts.setdefault("workflow.id_conflict_policy", "fail")
    eid = t["eid"] if d["mode"] == "exec" else 0
    if target is host:
        with host.store.tx() as tx:
            if not host.store.finish_task(tx, t["id"]):
                host.tasks.pop(t["id"], None)
                return
            wid, err = host.start_workflow(d["entry"], list(d.get("args") or []), opts, ctx=d.get("ctx"),
                                           parent=(parent_pid, eid), db=tx)
            if err is not None and d["mode"] == "exec":
                host.store.add_inbox(tx, t["workflow_id"], t["eid"], {"error": err}, host.now_ns() / 1e9)
            elif err is not None:
                host.store.add_inbox(tx, t["workflow_id"], EVENT,
                                     {"kind": "pid.exit", "from": f"{{{d['host']}|{d['wid']}}}",
                                      "at": host.now_ns(), "result": {"error": err}}, host.now_ns() / 1e9)
        host.tasks.pop(t["id"], None)
        if err is not None:
            host._kick(t["workflow_id"])
        return
    # a child on another workflow host: start it there, watch it from here
    host.tasks.pop(t["id"], None)
    wid, err = target.start_workflow(d["entry"], list(d.get("args") or []), opts, ctx=d.get("ctx"))
    if err is not None:
        complete(host, t, {"error": err})
        return
    _finish_quietly(host, t)


def pid_of(host: WorkflowHost, wid: str) -> str:
    """A workflow's PID on its host: {host|id}."""
    return f"{{{host.entry.id}|{wid}}}"


__all__ = ["Task", "carry_out", "complete", "crashpoint", "drop_task", "fire", "pid_of", "settle", "DEFAULT_START_TO_CLOSE_MS"]
