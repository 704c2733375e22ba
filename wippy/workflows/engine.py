"""The embedded durable workflow engine (the sqlite provider of `workflow.host`).

A workflow is stepped: its Lua state is resumed with the events that arrived (an
activity's outcome, a fired timer, a signal, a child's exit), runs until every
thread blocks, and the step is committed — history record, consumed inbox rows,
outbox rows for the commands it issued, the new snapshot (see store.py) — with
the other steps of the same drain (group commit: one transaction, a savepoint
each). Then the commands are carried out (outbox.py): activities run as function
calls (retried per their policy), timers are armed, messages delivered, children
started. An outcome (an activity's result, a fired timer) is handed to the
workflow's next step in memory (`deliver`): that step's transaction marks the
outbox row done and records the outcome among the step's events, so an activity
costs no transaction of its own; a crash before that commit loses nothing
recorded (the row is still pending: the activity runs again after recovery, at
least once, as Temporal's do). Signals and cancels come as inbox rows. A run
starts as a copy of its code's template (template.py).

Recovery: a restarted engine claims the running workflows, restores each from its
latest snapshot (falling back to replaying its history, logged, if the snapshot
cannot be used), re-runs pending activities (at least once; outcomes recorded
once) and re-arms timers (one that came due while down fires at once). Recovery
cost does not grow with history length.

Live runs are cached in memory (a step needs no restore unless the engine
restarted or evicted the run). Virtual clock: time jumps to the next due timer
whenever nothing else can happen, so a 24h sleep completes in milliseconds.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import math
import os
import socket
import time
import uuid as _uuid
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..functions import WippyError
from ..luastate import primitives, restored_state
from ..modules.process import EVENT, MESSAGE
from ..registry import LuaEntry, WorkflowHostEntry
from ..scheduler import Outcome
from . import checkpoint, local, outbox, retry
from .code import bundle_hash, bundle_lookup, code_bundle, new_run
from .outbox import crashpoint
from .run import WorkflowRun
from .store import Store, WorkflowRow

if TYPE_CHECKING:
    from ..app import App

log = logging.getLogger("wippy.workflows")

LEASE_S = 30.0  # a process that stops renewing (killed) loses its workflows after this
POLL_S = 0.05  # how often a running host looks for work other processes wrote to the store
CANCEL = -3  # event id: a cancel request {reason}
GROUP = 128  # steps committed together at most (group commit)
# young-generation threshold of Python's cyclic GC while workflows are stepped (as luavm
# sets it while Lua runs): with the default 700, a process holding many live runs spent
# about a third of a recovery in collections started by copying templates
GC_YOUNG = 50_000


def _ns() -> int:
    return time.time_ns()


class WorkflowHost:
    """One `workflow.host` entry: its store, its running workflows, its worker."""

    def __init__(self, app: App, entry: WorkflowHostEntry, *, passive: bool = False) -> None:
        """`passive`: a client of a store another process runs (the `wippy workflow`
        commands): it writes starts, signals and cancels, and never runs workflows."""
        self.app = app
        self.entry = entry
        self.passive = passive
        self._inbox_seen = 0
        self.store = Store(entry.store_location(app.registry.app_dir))
        self.virtual = entry.clock == "virtual"
        self.vnow = _ns()
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{_uuid.uuid4().hex[:8]}"
        self.runs: dict[str, WorkflowRun] = {}
        self.ready: deque[str] = deque()
        self.queued: set[str] = set()
        self.tasks: dict[int, outbox.Task] = {}  # outbox id -> in flight here
        # outcomes of tasks carried out here, for the workflow's next step to record (deliver)
        self.outcomes: dict[str, list[tuple[dict[str, Any], Any]]] = {}
        self.timers: dict[int, asyncio.TimerHandle] = {}
        self.waiters: dict[str, list[asyncio.Future[Outcome]]] = {}
        self.watchers: dict[str, list[tuple[Any, int, str]]] = {}  # wid -> (invocation, eid, mode)
        self._draining = False
        self._after: list[Callable[[], None]] | None = None  # post-commit actions of the group being stepped
        self._called: list[dict[int, Any]] = []  # local activities the group's steps left to the commit
        self._started = False
        self._lease_task: asyncio.TimerHandle | None = None
        self._poll_task: asyncio.TimerHandle | None = None
        self._allowed = primitives()
        self._codes: dict[str, tuple[dict[str, Any], str]] = {}  # entry ID -> its bundle and hash
        self._code_stored: set[str] = set()  # hashes of bundles this host committed to the store
        self.stats = {"steps": 0, "restores": 0, "replays": 0}

    # the clock ----------------------------------------------------------------------
    def now_ns(self) -> int:
        return self.vnow if self.virtual else _ns()

    # lifecycle ----------------------------------------------------------------------
    def ensure_started(self) -> None:
        """Claim the store's running workflows and resume them (recovery)."""
        if self._started or self.passive:
            return
        self._started = True
        r = self.store.db.execute("SELECT COALESCE(MAX(id), 0) FROM inbox").fetchone()
        self._inbox_seen = int(r[0])
        if self.virtual:  # a virtual clock goes on from the last recorded time, never back
            r = self.store.db.execute("SELECT MAX(updated) FROM workflows").fetchone()
            if r[0] is not None:
                # (`updated` is float seconds: ~256 ns of rounding at today's epoch)
                self.vnow = max(self.vnow, math.ceil(float(r[0]) * 1e9) + 1000)
        self._free_dead_owners()
        ids = self.store.claim(self.owner, LEASE_S)
        for wid in ids:
            if self.store.has_inbox(wid) or self.store.snapshot(wid) is None:
                self._kick(wid)
        for t in self.store.pending_tasks():
            if t["workflow_id"] in ids:
                outbox.carry_out(self, t)
        loop = asyncio.get_running_loop()
        self._lease_task = loop.call_later(LEASE_S / 3, self._renew)
        if self.entry.store != ":memory:":
            self._poll_task = loop.call_later(POLL_S, self._poll)

    def _poll(self) -> None:
        """Notice what other processes wrote to the store: signals and cancels for our
        workflows (new inbox rows), and workflows nobody runs (started by a client,
        or left by a process whose lease ran out)."""
        try:
            rows = self.store.db.execute("SELECT id, workflow_id FROM inbox WHERE id > ? ORDER BY id",
                                         (self._inbox_seen,)).fetchall()
            for r in rows:
                self._inbox_seen = max(self._inbox_seen, int(r["id"]))
                if r["workflow_id"] in self.runs or self._owns(r["workflow_id"]):
                    self._kick(r["workflow_id"])
            free = self.store.db.execute(
                "SELECT id FROM workflows WHERE status = 'running' AND (owner IS NULL OR lease_until < ?)",
                (time.time(),)).fetchall()
            for r in free:
                wid = r["id"]
                if self.store.claim(self.owner, LEASE_S, wid):
                    self.runs.pop(wid, None)
                    self._kick(wid)
                    for t in self.store.pending_tasks(wid):
                        outbox.carry_out(self, t)
        except Exception:  # noqa: BLE001 - a busy store: try again at the next poll
            log.debug("poll failed", exc_info=True)
        self._poll_task = asyncio.get_running_loop().call_later(POLL_S, self._poll)

    def _free_dead_owners(self) -> None:
        """Leases of processes on this machine that no longer exist (killed) are
        released at once, so a restart does not wait for them to expire."""
        host = socket.gethostname()
        rows = self.store.db.execute("SELECT DISTINCT owner FROM workflows WHERE status = 'running' "
                                     "AND owner IS NOT NULL").fetchall()
        for r in rows:
            parts = str(r["owner"]).split(":")
            if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
                continue
            try:
                os.kill(int(parts[1]), 0)
            except ProcessLookupError:
                with self.store.tx() as tx:
                    tx.execute("UPDATE workflows SET owner = NULL, lease_until = 0 WHERE owner = ?", (r["owner"],))
                log.info("released the workflows of %s (that process is gone)", r["owner"])
            except PermissionError:
                pass

    def _owns(self, wid: str) -> bool:
        row = self.store.get(wid)
        return row is not None and row.owner == self.owner

    def _renew(self) -> None:
        ids = set(self.store.claim(self.owner, LEASE_S))
        for wid in ids:
            if wid not in self.runs and self.store.has_inbox(wid):
                self._kick(wid)
        for t in self.store.pending_tasks():
            if t["workflow_id"] in ids and t["id"] not in self.tasks:
                outbox.carry_out(self, t)
        self._lease_task = asyncio.get_running_loop().call_later(LEASE_S / 3, self._renew)

    def close(self) -> None:
        for h in self.timers.values():
            h.cancel()
        self.timers.clear()
        for t in self.tasks.values():
            if t.handle is not None:
                t.handle.cancel()
        self.tasks.clear()
        if self._lease_task is not None:
            self._lease_task.cancel()
        if self._poll_task is not None:
            self._poll_task.cancel()
        try:
            self.store.release(self.owner)
        except Exception:  # noqa: BLE001 - closing a store that is already gone
            pass
        self.store.close()

    # the client API -------------------------------------------------------------------
    def start_workflow(self, type_id: str, args: list[Any], options: dict[str, Any] | None = None, *,
                       ctx: dict[str, Any] | None = None, parent: tuple[str, int] | None = None,
                       db: Any = None) -> tuple[str, dict[str, Any] | None]:
        """Start a workflow of entry `type_id`; returns (workflow id, error data)."""
        self.ensure_started()
        opts = dict(options or {})
        entry = self.app.registry.get(type_id)
        if not isinstance(entry, LuaEntry) or entry.kind != "workflow.lua":
            return "", {"kind": "NotFound", "message": f"workflow {type_id} not found"}
        wid = str(_opt(opts, "id") or opts.get("name") or _uuid.uuid4())
        policy = str(_opt(opts, "id_conflict_policy") or "use_existing")
        existing = self.store.get(wid)
        if existing is not None:
            if existing.status == "running":
                if _opt(opts, "execution_error_when_already_started") or policy == "fail":
                    return wid, {"kind": "AlreadyExists", "message": f"workflow {wid} is already running"}
                if policy == "terminate_existing":
                    self.terminate(wid, "terminated by a new start (terminate_existing)")
                else:
                    self._add_start_messages(wid, opts)
                    return wid, None
            else:
                reuse = str(_opt(opts, "id_reuse_policy") or "allow_duplicate")
                if reuse in ("reject_duplicate", "REJECT_DUPLICATE"):
                    return wid, {"kind": "AlreadyExists", "message": f"workflow {wid} already ran (id reuse rejected)"}
                if reuse in ("allow_duplicate_failed_only",) and existing.status == "completed":
                    return wid, {"kind": "AlreadyExists", "message": f"workflow {wid} completed (id reuse: failed only)"}
        run_id = _uuid.uuid4().hex
        bundle, h = self._code_of(entry)
        seed = int.from_bytes(hashlib.sha256(f"{wid}|{run_id}".encode()).digest()[:7], "big")
        now = self.now_ns() / 1e9
        ctxd = dict(ctx or {})
        with self.store.tx_or(db) as tx:
            if h not in self._code_stored:
                self.store.put_code(tx, h, bundle)
            if existing is not None:  # (a new ID has nothing to clear)
                tx.execute("DELETE FROM workflows WHERE id = ?", (wid,))
                tx.execute("DELETE FROM snapshots WHERE workflow_id = ?", (wid,))
                tx.execute("DELETE FROM snapshot_bases WHERE workflow_id = ?", (wid,))
                tx.execute("DELETE FROM inbox WHERE workflow_id = ?", (wid,))
            from .store import pack

            tx.execute("INSERT INTO workflows(id, run_id, type, status, input, code_hash, parent, parent_eid, "
                       "created, updated, owner, lease_until, options, seed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                       (wid, run_id, type_id, "running", pack({"args": args, "ctx": ctxd}), h,
                        parent[0] if parent else None, parent[1] if parent else None, now, now,
                        None if self.passive else self.owner, 0 if self.passive else time.time() + LEASE_S,
                        pack(_clean_opts(opts)), seed))
            self.store.add_history(tx, wid, run_id, "started", 0, now,
                                   {"type": type_id, "args": args, "options": _clean_opts(opts),
                                    "parent": parent[0] if parent else None})
            for m in opts.get("__messages") or []:
                self.store.add_inbox(tx, wid, MESSAGE, {"topic": m.get("topic"), "from": "", "data": m.get("data")},
                                     now)
        if db is None:  # (committed: a caller's transaction could still roll back)
            self._code_stored.add(h)
        self.runs.pop(wid, None)
        self._kick(wid)
        return wid, None

    def _code_of(self, entry: LuaEntry) -> tuple[dict[str, Any], str]:
        """The code a new run of `entry` is pinned to, and its hash (the app's
        registry does not change under a running host: worked out once per entry)."""
        c = self._codes.get(entry.id)
        if c is None:
            bundle = code_bundle(self.app, entry)
            c = self._codes[entry.id] = (bundle, bundle_hash(bundle))
        return c

    def _add_start_messages(self, wid: str, opts: dict[str, Any]) -> None:
        msgs = opts.get("__messages") or []
        if msgs:
            with self.store.tx() as tx:
                for m in msgs:
                    self.store.add_inbox(tx, wid, MESSAGE, {"topic": m.get("topic"), "from": "",
                                                            "data": m.get("data")}, self.now_ns() / 1e9)
            self._kick(wid)

    def signal(self, wid: str, topic: str, data: Any, sender: str = "") -> dict[str, Any] | None:
        """A durable message: committed to the workflow's inbox before this returns."""
        self.ensure_started()
        row = self.store.get(wid)
        if row is None:
            return {"kind": "NotFound", "message": f"workflow {wid} not found"}
        if row.status != "running":
            return {"kind": "Invalid", "message": f"workflow {wid} is {row.status}"}
        with self.store.tx() as tx:
            self.store.add_inbox(tx, wid, MESSAGE, {"topic": topic, "from": sender, "data": data},
                                 self.now_ns() / 1e9)
        self._kick(wid)
        return None

    def cancel(self, wid: str, reason: str | None = None, sender: str = "") -> dict[str, Any] | None:
        """Ask a workflow to stop: it sees a `pid.cancel` event and may clean up."""
        self.ensure_started()
        row = self.store.get(wid)
        if row is None:
            return {"kind": "NotFound", "message": f"workflow {wid} not found"}
        if row.status != "running":
            return {"kind": "Invalid", "message": f"workflow {wid} is {row.status}"}
        with self.store.tx() as tx:
            self.store.add_inbox(tx, wid, EVENT, {"kind": "pid.cancel", "from": sender,
                                                  "reason": reason or "canceled",
                                                  "at": self.now_ns()}, self.now_ns() / 1e9)
        self._kick(wid)
        return None

    def terminate(self, wid: str, reason: str | None = None) -> dict[str, Any] | None:
        """Stop a workflow at once: no code of it runs again."""
        self.ensure_started()
        row = self.store.get(wid)
        if row is None:
            return {"kind": "NotFound", "message": f"workflow {wid} not found"}
        if row.status != "running":
            return {"kind": "Invalid", "message": f"workflow {wid} is {row.status}"}
        self._close(row, "terminated", None, {"kind": "Canceled", "message": reason or "terminated"}, [])
        return None

    async def result(self, wid: str) -> Outcome:
        """Wait for a workflow to close; its Outcome."""
        self.ensure_started()
        row = self.store.get(wid)
        if row is None:
            return Outcome(error={"kind": "NotFound", "message": f"workflow {wid} not found"})
        if row.status != "running":
            return _row_outcome(row)
        if self.passive:  # another process runs it: watch the store
            while True:
                await asyncio.sleep(POLL_S)
                row = self.store.get(wid)
                if row is None or row.status != "running":
                    return _row_outcome(row) if row is not None else Outcome(
                        error={"kind": "NotFound", "message": f"workflow {wid} not found"})
        fut: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.waiters.setdefault(wid, []).append(fut)
        return await fut

    def describe(self, wid: str) -> dict[str, Any] | None:
        """A workflow as plain data: id, run_id, type, status, steps, history_length,
        result or error, parent, created/updated/closed (seconds)."""
        row = self.store.get(wid)
        return _describe(row) if row is not None else None

    def list_workflows(self, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Workflows of this host's store (optionally of one status), oldest first."""
        return [_describe(r) for r in self.store.list(status, limit)]

    def watch(self, wid: str, inv: Any, eid: int, mode: str) -> None:
        """Post the workflow's end to a live invocation (a process or function that
        spawned it): `eid` gets {value|error} for exec, or an EXIT event."""
        row = self.store.get(wid)
        if row is not None and row.status != "running":
            _notify_watcher(inv, eid, mode, outbox.pid_of(self, wid), row)
            return
        self.watchers.setdefault(wid, []).append((inv, eid, mode))

    # stepping ----------------------------------------------------------------------
    def _kick(self, wid: str) -> None:
        if wid in self.queued or self.passive:
            return
        self.queued.add(wid)
        self.ready.append(wid)
        if not self._draining:
            self._draining = True
            asyncio.get_running_loop().call_soon(self._drain)

    def _drain(self) -> None:
        """Step the ready workflows (up to GROUP at a time) and commit their steps
        together (group commit); what each step does after its commit (carry out
        its commands, answer waiters) runs once the group committed."""
        stepped: list[str] = []
        given: list[tuple[str, list[tuple[dict[str, Any], Any]]]] = []  # outcomes the group's steps recorded
        after: list[Callable[[], None]] = []
        gc_before = gc.get_threshold()
        if gc_before[0] < GC_YOUNG:  # (steps allocate many small containers: see GC_YOUNG)
            gc.set_threshold(GC_YOUNG, gc_before[1], gc_before[2])
        self._called = []
        try:
            self._after = after
            with self.store.group():
                for _ in range(GROUP):
                    if not self.ready:
                        break
                    wid = self.ready.popleft()
                    self.queued.discard(wid)
                    stepped.append(wid)
                    taken = self.outcomes.pop(wid, None)
                    try:
                        self._step(wid, taken)
                    except _Stale as e:  # an outcome it was given was recorded elsewhere: step again without
                        self.runs.pop(wid, None)
                        keep = [x for x in taken or () if x[0]["id"] != e.args[0]]
                        if keep:
                            self.outcomes.setdefault(wid, [])[:0] = keep
                        self._kick(wid)
                    except Exception:  # noqa: BLE001 - an engine bug in one workflow must not stop the others
                        log.exception("workflow %s: step failed", wid)
                        self.runs.pop(wid, None)  # (its step was undone: reload it from the store)
                        if taken:  # (still pending in the store: kept for its next step)
                            self.outcomes.setdefault(wid, [])[:0] = taken
                    else:
                        if taken:
                            given.append((wid, taken))
        except Exception:  # noqa: BLE001 - the group's commit failed: nothing of it happened
            log.exception("committing %d workflow steps failed", len(stepped))
            for wid in stepped:
                self.runs.pop(wid, None)
            for wid, taken in given:
                self.outcomes.setdefault(wid, [])[:0] = taken
            for presets in self._called:
                local.drop(presets)
            after.clear()
        finally:
            self._after = None
            try:
                for fn in after:
                    fn()
            finally:
                self._draining = False
                gc.set_threshold(*gc_before)
        if self.ready:
            self._draining = True
            asyncio.get_running_loop().call_soon(self._drain)
        elif self.virtual:
            asyncio.get_running_loop().call_soon(self._advance_virtual)

    def _advance_virtual(self) -> None:
        """Virtual clock: when nothing runs and no activity is in flight, jump to the
        next due timer."""
        if self.ready or self._draining or any(t.row["kind"] == "activity" and t.handle is not None
                                               for t in self.tasks.values()):
            return
        due = [t for t in self.tasks.values() if t.row["kind"] in ("timer", "retry")]
        if not due:
            return
        nxt = min(due, key=lambda t: (t.row["due"], t.row["id"]))
        self.vnow = max(self.vnow, int(nxt.row["due"]))
        for t in sorted(due, key=lambda t: (t.row["due"], t.row["id"])):
            if t.row["due"] <= self.vnow:
                h = self.timers.pop(t.row["id"], None)
                if h is not None:
                    h.cancel()
                outbox.fire(self, t.row)

    def _load(self, row: WorkflowRow) -> WorkflowRun:
        run = self.runs.get(row.id)
        if run is not None and run.run_id == row.run_id:
            return run
        snap = self.store.snapshot(row.id)
        if snap is not None:
            try:
                run = self._restore(row, snap[1])
                self.stats["restores"] += 1
            except Exception as e:  # noqa: BLE001 - any unusable snapshot: replay instead
                log.warning("workflow %s: snapshot unusable (%s); recovering by replaying its history", row.id, e)
                from .verify import replay_to_end

                run = replay_to_end(self, row)
                self.stats["replays"] += 1
        else:
            run = self._fresh(row)
        run.step_no = row.steps
        run.history_length = row.history_length
        self.runs[row.id] = run
        return run

    def _fresh(self, row: WorkflowRow, bundle: Any = None) -> WorkflowRun:
        bundle = bundle or self.store.code(row.code_hash or "")
        if bundle is None:
            raise WippyError(f"workflow {row.id}: its code ({row.code_hash}) is not in the store", "Internal")
        return checkpoint.start(new_run(self.app.scheduler, self, row, bundle))  # its snapshot base: now

    def _restore(self, row: WorkflowRow, data: bytes) -> WorkflowRun:
        task, chain = checkpoint.restore(self, row, data)  # onto its base, built from its pinned code
        st = restored_state(task.runtime, row.type)
        inp = row.input or {}
        run = WorkflowRun(self.app.scheduler, st, None, (), entry_id=row.type, ctx=inp.get("ctx") or {},
                          task=task, host=self, wid=row.id, run_id=row.run_id, type_id=row.type)
        if chain is not None:
            checkpoint.attach(run, chain)
        return run

    def deliver(self, t: dict[str, Any], value: Any) -> None:
        """The outcome of task `t` (an outbox row of a workflow this host runs), for
        the workflow's next step to record: the step marks the row done in its own
        transaction, and only if it is still pending (exactly once)."""
        self.outcomes.setdefault(t["workflow_id"], []).append((t, value))
        self._kick(t["workflow_id"])

    def _step(self, wid: str, taken: list[tuple[dict[str, Any], Any]] | None = None) -> None:
        """Step a workflow with what arrived: its inbox rows, then `taken` (outcomes
        handed over by `deliver`)."""
        row = self.store.get(wid)
        if row is None or row.status != "running":
            self.runs.pop(wid, None)
            return
        if row.owner != self.owner and row.lease_until > time.time():
            return  # another process runs it
        run = self._load(row)
        # the first step starts the code; what arrived meanwhile is delivered by the next
        inbox = self.store.inbox(wid) if run.task.started else []
        if not run.task.started and taken:  # (cannot happen: tasks come from steps)
            self.outcomes.setdefault(wid, [])[:0] = taken
            taken = None
        if run.task.started and not inbox and not taken:
            return  # nothing to deliver
        step_no = row.steps + 1
        step_ns = self.now_ns()
        run.begin_step(step_no, step_ns)
        events = [[eid, value] for _, eid, value in inbox]
        finished = [t for t, _ in taken or ()]
        events += [[t["eid"], value] for t, value in taken or ()]
        run.events = list(events)
        run.step()
        self.stats["steps"] += 1
        # local activities (local.py): run at once, their outcomes the events of a sub-step
        done: list[tuple[int, dict[str, Any]]] = []  # (step no, record) of the sub-steps before this one
        presets: dict[int, Any] = {}  # eid -> what became of a local activity this step issued
        while run.outcome is None and len(done) < local.MAX_SUBSTEPS:
            got = local.run_at_once(self, row, run, presets)
            if got is None:
                break
            done.append((step_no, {"events": events, "commands": run.commands, "time": step_ns,
                                   "local": True}))  # (its activities ran inside the step)
            step_no += 1
            step_ns = self.now_ns()
            run.history_length += 1
            run.begin_step(step_no, step_ns)
            events = got
            run.events = list(events)
            run.step()
            self.stats["steps"] += 1
        outcome = run.outcome
        snapshot: bytes | None = None
        new_base: bytes | None = None
        if outcome is None:
            try:
                cp = checkpoint.take(run, step_no)  # relative to the run's base (checkpoint.py)
                snapshot, new_base = cp.data, cp.base
            except Exception as e:  # noqa: BLE001 - a state that cannot be saved fails the workflow
                outcome = Outcome(error={"kind": "Internal", "message": f"cannot checkpoint: {e}"})
        record = {"events": events, "commands": run.commands, "time": step_ns}
        if snapshot is not None:
            record["snap"] = hashlib.blake2b(snapshot, digest_size=12).hexdigest()
        cont = next((c for c in run.commands if c[0] == "continue_as_new"), None)
        consumed = [i for i, _, _ in inbox]
        if outcome is not None or cont is not None:
            local.drop(presets)
            if cont is not None and outcome is None:
                self._continue(row, run, record, consumed, cont, finished, done)
            else:
                assert outcome is not None
                record["outcome"] = {"value": outcome.value, "error": outcome.error}
                self._close(row, "completed" if outcome.error is None else "failed", outcome.value,
                            outcome.error, consumed, record=record, step_no=step_no, traceback=outcome.traceback,
                            run=run, finished=finished, before=done)
            return
        new_tasks: list[dict[str, Any]] = []
        crashpoint("step.before_commit")
        try:
            self._commit_step(row, run, record, consumed, finished, done, snapshot, new_base, new_tasks)
        except BaseException:
            local.drop(presets)
            raise
        run.history_length = row.history_length + 1 + len(done)
        if presets and self._after is not None:
            self._called.append(presets)  # (dropped if the group's commit fails)
        self._post_commit(lambda: self._after_step(wid, new_tasks, finished, presets))

    def _commit_step(self, row: WorkflowRow, run: WorkflowRun, record: dict[str, Any], consumed: list[int],
                     finished: list[dict[str, Any]], done: list[tuple[int, dict[str, Any]]],
                     snapshot: bytes | None, new_base: bytes | None, new_tasks: list[dict[str, Any]]) -> None:
        wid, step_no, now = row.id, run.step_no, run.step_ns / 1e9
        with self.store.tx() as tx:
            self._finish(tx, finished)
            for sno, rec in done:
                self.store.add_history(tx, wid, row.run_id, "step", sno, rec["time"] / 1e9, rec, counted=True)
            self.store.add_history(tx, wid, row.run_id, "step", step_no, now, record, counted=True)
            for i in consumed:
                tx.execute("DELETE FROM inbox WHERE id = ?", (i,))
            self._commit_commands(tx, row, run, now, new_tasks)
            tx.execute("INSERT INTO snapshots(workflow_id, step, data) VALUES (?,?,?) ON CONFLICT(workflow_id) "
                       "DO UPDATE SET step = excluded.step, data = excluded.data", (wid, step_no, snapshot))
            if new_base is not None:
                self.store.put_snapshot_base(tx, wid, step_no, new_base)
            tx.execute("UPDATE workflows SET steps = ?, updated = ?, history_length = history_length + ? "
                       "WHERE id = ?", (step_no, now, 1 + len(done), wid))

    def _finish(self, tx: Any, finished: list[dict[str, Any]]) -> None:
        """Mark the outbox rows of the outcomes a step records done; one that is no
        longer pending was recorded elsewhere (a process that took the workflow
        over): the step is undone (_Stale) and taken again without it."""
        for t in finished:
            if not self.store.finish_task(tx, t["id"]):
                raise _Stale(t["id"])

    def _after_step(self, wid: str, new_tasks: list[dict[str, Any]], finished: list[dict[str, Any]],
                    presets: dict[int, Any]) -> None:
        for t in finished:
            crashpoint(f"{t['kind']}.after_record")
        crashpoint("step.after_commit")
        for t in new_tasks:
            p = presets.get(t["eid"]) if t["kind"] == "activity" else None
            if p is not None:  # a local activity already called (local.py)
                outbox.settle(self, t, *p)
            else:
                outbox.carry_out(self, t)
        if self.store.has_inbox(wid):
            self._kick(wid)

    def _post_commit(self, fn: Callable[[], None]) -> None:
        """Run `fn` once what was just written is committed (at the end of the
        group commit of the current drain, or now outside one)."""
        if self._after is not None:
            self._after.append(fn)
        else:
            fn()

    def _commit_commands(self, tx: Any, row: WorkflowRow, run: WorkflowRun, now: float,
                         new_tasks: list[dict[str, Any]]) -> None:
        wid = row.id
        for kind, eid, data in run.commands:
            if kind == "activity":
                opts = data.get("options") or {}
                data = {**data, "ctx": {**data.get("ctx", {}), "idempotency_key": f"{wid}/{row.run_id}/{eid}"},
                        "policy": retry.policy(opts), "started": now}
                tid = self.store.add_task(tx, wid, row.run_id, "activity", eid, data, run.step_ns)
                new_tasks.append(_row(tid, wid, row.run_id, "activity", eid, data, run.step_ns))
            elif kind == "timer":
                due = run.step_ns + int(data)
                tid = self.store.add_task(tx, wid, row.run_id, "timer", eid, {}, due)
                new_tasks.append(_row(tid, wid, row.run_id, "timer", eid, {}, due))
            elif kind in ("cancel_timer", "cancel_activity"):
                self.store.cancel_tasks(tx, wid, [eid])
                for t in list(self.tasks.values()):
                    if t.row["workflow_id"] == wid and t.row["eid"] == eid:
                        outbox.drop_task(self, t.row["id"])
            elif kind in ("send", "cancel", "terminate"):
                tid = self.store.add_task(tx, wid, row.run_id, kind, eid, data, run.step_ns)
                new_tasks.append(_row(tid, wid, row.run_id, kind, eid, data, run.step_ns))
            elif kind == "child":
                tid = self.store.add_task(tx, wid, row.run_id, "child", eid, data, run.step_ns)
                new_tasks.append(_row(tid, wid, row.run_id, "child", eid, data, run.step_ns))

    def _continue(self, row: WorkflowRow, run: WorkflowRun, record: dict[str, Any], consumed: list[int],
                  cont: list[Any], finished: list[dict[str, Any]],
                  before: list[tuple[int, dict[str, Any]]]) -> None:
        """process.upgrade: close this run as `continued` and start a new run of the
        same workflow ID with the given arguments (pending signals carried over)."""
        data = cont[2]
        type_id = data.get("entry") or row.type
        now = run.step_ns / 1e9
        with self.store.tx() as tx:
            self._finish(tx, finished)
            for sno, rec in before:
                self.store.add_history(tx, row.id, row.run_id, "step", sno, rec["time"] / 1e9, rec)
            self.store.add_history(tx, row.id, row.run_id, "step", run.step_no, now, record)
            for i in consumed:
                tx.execute("DELETE FROM inbox WHERE id = ?", (i,))
            self.store.add_history(tx, row.id, row.run_id, "continued_as_new", run.step_no, now,
                                   {"entry": type_id, "args": data.get("args")})
            self.store.cancel_tasks(tx, row.id)
            pending = tx.execute("SELECT eid, value FROM inbox WHERE workflow_id = ? ORDER BY id",
                                 (row.id,)).fetchall()
            keep = [(r["eid"], r["value"]) for r in pending if r["eid"] in (MESSAGE, EVENT, CANCEL)]
            opts = dict(row.options or {})
            opts["workflow.id"] = row.id
            opts["workflow.id_conflict_policy"] = "terminate_existing"
            tx.execute("UPDATE workflows SET status = 'continued' WHERE id = ?", (row.id,))
            self.runs.pop(row.id, None)
            parent = (row.parent, row.parent_eid or 0) if row.parent else None
            inp = row.input or {}
            self.start_workflow(type_id, list(data.get("args") or []), opts, ctx=inp.get("ctx"), parent=parent,
                                db=tx)
            for eid, value in keep:
                tx.execute("INSERT INTO inbox(workflow_id, eid, value, at) VALUES (?,?,?,?)", (row.id, eid, value, now))

    def _close(self, row: WorkflowRow, status: str, value: Any, error: dict[str, Any] | None,
               consumed: list[int], *, record: dict[str, Any] | None = None, step_no: int | None = None,
               traceback: str = "", run: WorkflowRun | None = None,
               finished: list[dict[str, Any]] | None = None,
               before: list[tuple[int, dict[str, Any]]] | None = None) -> None:
        """Close a run. Messages, child starts and cancels its last step issued are
        still carried out; its pending activities and timers are canceled."""
        from .store import pack

        now = self.now_ns() / 1e9
        self.outcomes.pop(row.id, None)  # (outcomes not recorded yet: the run is over)
        with self.store.tx() as tx:
            self._finish(tx, finished or [])
            for sno, rec in before or ():
                self.store.add_history(tx, row.id, row.run_id, "step", sno, rec["time"] / 1e9, rec)
            if record is not None:
                self.store.add_history(tx, row.id, row.run_id, "step", step_no or row.steps + 1, now, record)
            for i in consumed:
                tx.execute("DELETE FROM inbox WHERE id = ?", (i,))
            self.store.add_history(tx, row.id, row.run_id, status, step_no or row.steps, now,
                                   {"value": value, "error": error, "traceback": traceback})
            tx.execute("UPDATE workflows SET status = ?, result = ?, error = ?, updated = ?, closed = ?, "
                       "steps = ? WHERE id = ?",
                       (status, pack(value), pack(error), now, now, step_no or row.steps, row.id))
            self.store.cancel_tasks(tx, row.id)
            tx.execute("DELETE FROM inbox WHERE workflow_id = ?", (row.id,))
            new_tasks: list[dict[str, Any]] = []
            if run is not None:
                run.commands = [c for c in run.commands if c[0] in ("send", "child", "cancel", "terminate")]
                self._commit_commands(tx, row, run, now, new_tasks)
            if row.parent:
                parent_host, parent_wid = self.app.workflow_host_of_pid(row.parent)
                if parent_host is self:
                    result = {"value": value, "error": error}
                    if row.parent_eid:
                        self.store.add_inbox(tx, parent_wid, row.parent_eid, result, now)
                    else:
                        self.store.add_inbox(tx, parent_wid, EVENT, {"kind": "pid.exit", "from": outbox.pid_of(self, row.id),
                                                                     "at": self.now_ns(), "result": result}, now)
        for task in list(self.tasks.values()):
            if task.row["workflow_id"] == row.id:
                outbox.drop_task(self, task.row["id"])
        self.runs.pop(row.id, None)
        self._post_commit(lambda: self._after_close(row, status, error, new_tasks, finished or []))

    def _after_close(self, row: WorkflowRow, status: str, error: dict[str, Any] | None,
                     new_tasks: list[dict[str, Any]], finished: list[dict[str, Any]]) -> None:
        for t in finished:
            crashpoint(f"{t['kind']}.after_record")
        for t in new_tasks:
            outbox.carry_out(self, t)
        if row.parent:
            _, parent_wid = self.app.workflow_host_of_pid(row.parent)
            self._kick(parent_wid)
        closed = self.store.get(row.id)
        assert closed is not None
        if status != "completed":
            log.info("workflow %s %s: %s", row.id, status, (error or {}).get("message"))
        for fut in self.waiters.pop(row.id, []):
            if not fut.done():
                fut.set_result(_row_outcome(closed))
        for inv, eid, mode in self.watchers.pop(row.id, []):
            _notify_watcher(inv, eid, mode, outbox.pid_of(self, row.id), closed)

# helpers -----------------------------------------------------------------------------------

class _Stale(Exception):
    """A step was given an outcome whose outbox row is no longer pending."""


def _opt(opts: dict[str, Any], key: str) -> Any:
    for k in (f"workflow.{key}", f"temporal.workflow.{key}"):
        if k in opts:
            return opts[k]
    return None


def _clean_opts(opts: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in opts.items() if not k.startswith("__")}


def _row(tid: int, wid: str, run_id: str, kind: str, eid: int, data: Any, due: float) -> dict[str, Any]:
    return {"id": tid, "workflow_id": wid, "run_id": run_id, "kind": kind, "eid": eid, "data": data,
            "due": due, "attempt": 1, "status": "pending"}


def _describe(row: WorkflowRow) -> dict[str, Any]:
    return {"id": row.id, "run_id": row.run_id, "type": row.type, "status": row.status, "steps": row.steps,
            "history_length": row.history_length, "result": row.result, "error": row.error,
            "parent": row.parent, "created": row.created, "updated": row.updated, "closed": row.closed}


def _row_outcome(row: WorkflowRow) -> Outcome:
    if row.status == "completed":
        return Outcome(value=row.result)
    err = row.error or {"kind": "Internal", "message": row.status}
    return Outcome(error=err)


def _notify_watcher(inv: Any, eid: int, mode: str, pid: str, row: WorkflowRow) -> None:
    o = _row_outcome(row)
    result = {"value": o.value, "error": o.error} if o.error is not None else {"value": o.value}
    if mode == "exec":
        inv.post(eid, result)
    else:
        inv.post(EVENT, {"kind": "pid.exit", "from": pid, "at": time.time_ns(), "result": result})


__all__ = ["WorkflowHost", "code_bundle", "bundle_lookup", "new_run", "crashpoint"]
