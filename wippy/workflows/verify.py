"""Determinism by replay: run a workflow again from its input with the recorded
events and check it issues the same commands, step by step, and reaches the same
snapshots (their hashes are in the history) and the same result.

`verify(host, wid)` replays against the code the run is pinned to (stored by hash
at start); `migrate` replays against the registry's current code and, if it
matches, moves the run to it. A mismatch is reported with the step, the recorded
and the new command, and the Lua file:line where the new code issued it.
`replay_to_end` is also the engine's recovery path when a snapshot cannot be used.

Cost: a replay re-executes the whole run (every step), unlike recovery from a
snapshot.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import luavm

from .. import codebook
from ..registry import LuaEntry
from . import checkpoint
from .code import bundle_hash, code_bundle, new_run
from .run import WorkflowRun
from .store import WorkflowRow, pack, unpack

if TYPE_CHECKING:
    from .engine import WorkflowHost


@dataclass
class Mismatch:
    step: int
    recorded: Any
    actual: Any
    where: str
    what: str

    def __str__(self) -> str:
        return (f"step {self.step}: {self.what}\n  recorded: {_fmt(self.recorded)}\n  new:      {_fmt(self.actual)}"
                + (f"\n  at {self.where}" if self.where else ""))


@dataclass
class ReplayReport:
    workflow_id: str
    run_id: str
    steps: int = 0
    commands: int = 0
    mismatch: Mismatch | None = None
    final_snapshot_equal: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.mismatch is None and self.final_snapshot_equal is not False


def _norm(v: Any) -> Any:
    return unpack(pack(v))


def _fmt(c: Any) -> str:
    if c is None:
        return "(nothing)"
    if isinstance(c, list) and len(c) == 3:
        kind, eid, data = c
        if kind == "activity":
            return f"activity {data.get('target')}({', '.join(map(repr, data.get('args') or []))})"
        if kind == "timer":
            return f"timer {data / 1e9:g}s"
        if kind == "child":
            return f"child workflow {data.get('entry')} id={data.get('wid')}"
        if kind == "send":
            return f"send {data.get('topic')!r} to {data.get('to')}"
        return f"{kind} {data!r}"
    return repr(c)


def _where(run: WorkflowRun) -> str:
    """The Lua position of the innermost user frame of the running code."""
    rt = run.state.runtime
    try:
        tb = rt.call(rt.globals()["debug"]["traceback"], "", 1)
    except luavm.LuaError:
        return ""
    for line in str(tb).splitlines():
        s = line.strip()
        if not s or s.startswith(("stack traceback", "[C]", "[wippy", "(")):
            continue
        return s.split(": in ", 1)[0]
    return ""


class ReplayRun(WorkflowRun):
    """A run fed recorded history; commands are checked against it as they come."""

    def __init__(self, *args: Any, report: ReplayReport, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.report = report
        self.replaying = True

    def _check(self) -> None:
        i = len(self.commands) - 1
        rec = self.recorded or []
        new = _norm(self.commands[i])
        old = rec[i] if i < len(rec) else None
        if self.report.mismatch is None and new != old:
            self.report.mismatch = Mismatch(self.step_no, old, new, _where(self),
                                            "a command differs from the history" if old is not None
                                            else "a command the history does not have")
            raise luavm.LuaError(b"nondeterminism: the workflow's code no longer matches its history")


def _checked(name: str) -> Any:
    base = getattr(WorkflowRun, name)

    def method(self: ReplayRun, *a: Any, **k: Any) -> Any:
        r = base(self, *a, **k)
        self._check()
        return r

    method.__name__ = name
    return method


for _m in ("start_timer", "stop_timer", "call", "cancel_call", "send", "spawn", "upgrade"):
    setattr(ReplayRun, _m, _checked(_m))


def _replay_run(host: WorkflowHost, row: WorkflowRow, bundle: dict[str, Any], report: ReplayReport) -> ReplayRun:
    run = new_run(host.app.scheduler, host, row, bundle, cls=ReplayRun, report=report)
    assert isinstance(run, ReplayRun)
    return checkpoint.start(run)  # the same snapshot base as the engine's run (checkpoint.py)


def replay(host: WorkflowHost, row: WorkflowRow, bundle: dict[str, Any] | None = None,
           *, compare_final: bool = True) -> tuple[ReplayReport, ReplayRun]:
    """Replay `row`'s current run against `bundle` (default: its pinned code)."""
    report = ReplayReport(row.id, row.run_id)
    if bundle is None:
        bundle = host.store.code(row.code_hash or "")
        if bundle is None:
            report.mismatch = Mismatch(0, None, None, "", f"the run's code {row.code_hash} is not in the store")
            raise _Abort(report)
    hist = host.store.history(row.id, row.run_id)
    steps = [h for h in hist if h["kind"] == "step"]
    run = _replay_run(host, row, bundle, report)
    for h in steps:
        rec = h["data"]
        run.begin_step(h["step"], int(rec.get("time") or 0))
        run.recorded = rec.get("commands") or []
        run.events = [list(e) for e in rec.get("events") or []]
        run.history_length = hist.index(h)  # this run's events before the step
        run.step()
        report.steps += 1
        if report.mismatch is not None:
            return report, run
        new_cmds = _norm(run.commands)
        if len(new_cmds) < len(run.recorded):
            report.mismatch = Mismatch(h["step"], run.recorded[len(new_cmds)], None, "",
                                       "a command in the history that the new code does not issue")
            return report, run
        report.commands += len(new_cmds)
        if "outcome" in rec:
            o = run.outcome
            got = {"value": o.value if o else None, "error": o.error if o else None}
            if _norm(got) != _norm(rec["outcome"]):
                report.mismatch = Mismatch(h["step"], rec["outcome"], got, "", "the result differs")
                return report, run
        elif run.outcome is not None:
            report.mismatch = Mismatch(h["step"], "(waiting)", {"value": run.outcome.value,
                                                                "error": run.outcome.error},
                                       "", "the workflow ended where the history continues")
            return report, run
        elif rec.get("snap"):
            snap = checkpoint.take(run, h["step"]).data  # as the engine took it: same bases, same bytes
            if hashlib.blake2b(snap, digest_size=12).hexdigest() != rec["snap"]:
                report.mismatch = Mismatch(h["step"], rec["snap"], "(different state)", "",
                                           "the Lua state after the step differs from the recorded snapshot")
                return report, run
    if compare_final and row.status == "running" and run.outcome is None:
        stored = host.store.snapshot(row.id)
        if stored is not None:
            # (a store written before base-relative checkpoints holds standalone snapshots)
            report.final_snapshot_equal = (_final(run) == stored[1]
                                           or run.task.snapshot(code=codebook.book()) == stored[1])
            if not report.final_snapshot_equal:
                report.notes.append("the final snapshot differs byte for byte from the stored one")
    return report, run


def _final(run: WorkflowRun) -> bytes:
    """The replayed run's last checkpoint (taking one if no step took one)."""
    chain = checkpoint.chain_of(run)
    if chain is not None and chain.last is not None:
        return chain.last.data
    return checkpoint.take(run, run.step_no).data


class _Abort(Exception):
    def __init__(self, report: ReplayReport) -> None:
        super().__init__(str(report.mismatch))
        self.report = report


def verify(host: WorkflowHost, wid: str) -> ReplayReport:
    row = host.store.get(wid)
    if row is None:
        raise KeyError(wid)
    try:
        report, _ = replay(host, row)
    except _Abort as a:
        return a.report
    return report


def replay_to_end(host: WorkflowHost, row: WorkflowRow) -> WorkflowRun:
    """Recovery without a usable snapshot: rebuild the run by replaying its history."""
    report, run = replay(host, row, compare_final=False)
    if report.mismatch is not None:
        raise RuntimeError(f"workflow {row.id}: replay diverged: {report.mismatch}")
    run.recorded = None
    run.replaying = False
    chain = checkpoint.chain_of(run)
    if chain is not None and chain.base is not chain.fresh:
        chain.base_stored = False  # the next step writes its base row again (the stored one may be the problem)
    # from here on it is a live run: commands are carried out, not checked
    run.__class__ = WorkflowRun  # type: ignore[assignment]
    return run


def migrate(host: WorkflowHost, wid: str) -> ReplayReport:
    """Move a running workflow to the registry's current code if a replay of its
    history under that code matches (workflow.version branches keep old paths)."""
    row = host.store.get(wid)
    if row is None:
        raise KeyError(wid)
    entry = host.app.registry.get(row.type)
    if not isinstance(entry, LuaEntry):
        raise KeyError(f"{row.type} is no longer a workflow entry of the app")
    bundle = code_bundle(host.app, entry)
    try:
        report, run = replay(host, row, bundle, compare_final=False)
    except _Abort as a:
        return a.report
    if report.mismatch is not None:
        return report
    h = bundle_hash(bundle)
    snap = _final(run) if run.outcome is None else None
    chain = checkpoint.chain_of(run)
    with host.store.tx() as tx:
        host.store.put_code(tx, h, bundle)
        tx.execute("UPDATE workflows SET code_hash = ? WHERE id = ?", (h, wid))
        if snap is not None:
            tx.execute("UPDATE snapshots SET data = ? WHERE workflow_id = ?", (snap, wid))
            # the snapshot is relative to the new code's bases: its base row goes with it
            base = chain.base_data if chain is not None and chain.base is not chain.fresh else None
            host.store.put_snapshot_base(tx, wid, chain.base_step if chain is not None else 0, base)
        host.store.add_history(tx, wid, row.run_id, "migrated", row.steps, host.now_ns() / 1e9,
                               {"from": row.code_hash, "to": h})
    host.runs.pop(wid, None)
    report.notes.append(f"migrated to code {h}")
    return report


__all__ = ["verify", "migrate", "replay", "replay_to_end", "ReplayReport", "Mismatch"]
