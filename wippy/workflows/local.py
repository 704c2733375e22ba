"""Local activities: activities run inside the step that calls them.

Concept. An activity is *local* when its function entry says so — Wippy's
registration field `meta.temporal.activity.local: true` — or the call asks for it
(`funcs.new():with_options({["activity.local"] = true})`, also
`temporal.activity.local`; the option wins over the entry). The embedded engine
runs a local activity the moment the workflow issues it, during the same engine
step: when every command a step issued is a local activity (or a
`workflow.version` record) and each one finishes at once (a synchronous Python
function, or a `function.lua` entry that returns without blocking), their
outcomes are the events of a next *sub-step*, which resumes the workflow at
once. Each sub-step is recorded in the history as a step of its own (the same
events and commands a regular activity gives: replay, `verify` and `migrate` do
not tell them apart), but only the last one is checkpointed, and all of them
commit in one transaction with it. A step that issues anything else (a timer, a
message, a regular activity, a child) ends the run of sub-steps; so does
MAX_SUBSTEPS. A local activity that blocks, fails with a retry due, or is an
async Python function goes on as a regular activity (recorded as issued; the
call already running is adopted, not started again: outbox.settle/adopt).

Guarantees (Temporal's local activities): at least once. A crash before the
commit loses the uncommitted sub-steps: recovery resumes the workflow from its
last checkpoint and calls their local activities again. Once committed, their
outcomes are in the history and never run again. A regular activity is recorded
as scheduled before it runs and its outcome in the next step, so a crash
re-runs at most the one in flight; use local activities for short, idempotent
work (validation, lookups, computing a price) and regular ones for effects that
should not repeat.

Costs: no checkpoint, outbox row or transaction of their own — a workflow of
three local activities is one engine step, against four with regular ones
(bench/workflows.py, "ours, local activities").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from . import outbox, retry

if TYPE_CHECKING:
    from ..app import App
    from .engine import WorkflowHost
    from .store import WorkflowRow

MAX_SUBSTEPS = 64  # sub-steps committed together at most: bounds what a crash makes run again


def is_local(app: App, type_id: str, data: dict[str, Any]) -> bool:
    """Is this activity command (its data: target, options) of a workflow of entry
    `type_id` a local activity? (Both providers ask: on Temporal it is started
    with `workflow.start_local_activity`.)"""
    opts = data.get("options") or {}
    for k in ("activity.local", "temporal.activity.local"):
        if k in opts:
            return bool(opts[k])
    target = str(data.get("target") or "")
    ns = type_id.split(":", 1)[0]
    try:
        e = app.registry.get(target if ":" in target else f"{ns}:{target}")
    except LookupError:
        return False
    return e is not None and bool(e.meta_get("temporal.activity.local"))


def run_at_once(host: WorkflowHost, row: WorkflowRow, run: Any, presets: dict[int, Any]) -> list[list[Any]] | None:
    """If the step `run` just took issued local activities only, call them now.
    Returns the next sub-step's events (their final outcomes) when every one
    finished; else None, with `presets` saying what became of those that ran
    (eid -> ("result", {value}|{error}) or ("pending", the blocked call)), for the
    commit to carry on as regular activities."""
    cmds = run.commands
    acts = [c for c in cmds if c[0] == "activity"]
    if not acts or any(c[0] not in ("activity", "version") for c in cmds):
        return None
    if not all(is_local(host.app, row.type, c[2]) for c in acts):
        return None
    events: list[list[Any]] = []
    whole = True
    for _, eid, data in acts:
        ran = _call(host, row, eid, data)
        outbox.crashpoint("local.after_call")  # (crash tests: ran, nothing recorded yet)
        if ran is None:  # (an async Python function: a regular activity)
            whole = False
            continue
        code, res = ran
        if code == 3:
            presets[eid] = ("pending", res)
            whole = False
            continue
        presets[eid] = ("result", res)
        err = res.get("error")
        if err is not None:
            if retry.next_delay(retry.policy(data.get("options") or {}), 1, err) is not None:
                whole = False  # (its retries run as a regular activity's)
                continue
            res = {"error": {**err, "attempts": 1}}  # (as a regular activity's final error)
        events.append([eid, res])
    if not whole:
        return None
    presets.clear()
    return events


def _call(host: WorkflowHost, row: WorkflowRow, eid: int, data: dict[str, Any]) -> tuple[int, Any] | None:
    """Call the activity now: (1, {value}) / (2, {error}) when it finished, (3, the
    pending call) when it blocked, None when it cannot run at once."""
    opts = dict(data.get("options") or {})
    timeout = retry.start_to_close_ms(opts) or outbox.DEFAULT_START_TO_CLOSE_MS
    ctx = {**(data.get("ctx") or {}), "idempotency_key": f"{row.id}/{row.run_id}/{eid}", "attempt": 1,
           "workflow_id": row.id}

    class _Caller:
        entry_id = row.type
        calls: dict[int, Any] = {}
        pending_call: Any = None

    ran = host.app.call_now(cast(Any, _Caller), str(data["target"]), list(data.get("args") or []),
                            {"timeout": timeout}, ctx)
    if ran is None:
        return None
    code, v = ran
    if code == 3:
        return 3, _Caller.pending_call
    return code, ({"error": v} if code == 2 else {"value": v})


def drop(presets: dict[int, Any]) -> None:
    """A step that is not committed: the local activities it left running are
    canceled (their outcomes would have nowhere to go)."""
    for how, v in presets.values():
        if how == "pending":
            v.inv.cancel("the workflow step that called it was not committed")
    presets.clear()


__all__ = ["MAX_SUBSTEPS", "drop", "is_local", "run_at_once"]
