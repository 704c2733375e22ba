"""The sqlite provider's store: workflows, their latest snapshot (and the base row it
may be written relative to: checkpoint.py), history, inbox
and outbox in one SQLite file.

One step of a workflow is one transaction (`commit_step`): its history record,
the consumed inbox rows deleted, the outbox rows of the commands it issued, the
new snapshot and the workflow row. An activity's outcome or a fired timer is one
transaction too (`complete_task`): the outbox row marked done (only if it was
pending: recorded exactly once) and an inbox row for the workflow. A signal is an
inbox row committed before `send` returns.

Invariants: WAL, `synchronous=NORMAL` (a committed step survives a process crash;
an OS crash may lose the last ~ms of steps, as in Temporal's dev server), one
writer connection per process, `BEGIN IMMEDIATE` for writes. Values are msgpack.
Leases: a workflow row names its owner and lease expiry; a process only steps
workflows it owns, so two `wippy run` processes on one file never run the same
workflow at once.
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgpack

SCHEMA = """
CREATE TABLE IF NOT EXISTS workflows (
  id TEXT PRIMARY KEY, run_id TEXT NOT NULL, type TEXT NOT NULL, status TEXT NOT NULL,
  input BLOB, result BLOB, error BLOB, code_hash TEXT, parent TEXT, parent_eid INTEGER,
  steps INTEGER NOT NULL DEFAULT 0, history_length INTEGER NOT NULL DEFAULT 0,
  created REAL NOT NULL, updated REAL NOT NULL, closed REAL,
  owner TEXT, lease_until REAL NOT NULL DEFAULT 0, options BLOB, seed INTEGER NOT NULL DEFAULT 0,
  wait BLOB
);
CREATE INDEX IF NOT EXISTS workflows_status ON workflows(status);
CREATE TABLE IF NOT EXISTS snapshots (
  workflow_id TEXT PRIMARY KEY, step INTEGER NOT NULL, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot_bases (
  workflow_id TEXT PRIMARY KEY, step INTEGER NOT NULL, data BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS history (
  workflow_id TEXT NOT NULL, seq INTEGER NOT NULL, run_id TEXT NOT NULL, kind TEXT NOT NULL,
  step INTEGER NOT NULL, at REAL NOT NULL, data BLOB, PRIMARY KEY (workflow_id, seq)
);
CREATE TABLE IF NOT EXISTS inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id TEXT NOT NULL, eid INTEGER NOT NULL,
  value BLOB, at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS inbox_wf ON inbox(workflow_id, id);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, workflow_id TEXT NOT NULL, run_id TEXT NOT NULL,
  kind TEXT NOT NULL, eid INTEGER NOT NULL, data BLOB, due INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1, status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(status, due);
CREATE TABLE IF NOT EXISTS code (
  hash TEXT PRIMARY KEY, bundle BLOB NOT NULL
);
"""

ACTIVE = ("running",)
CLOSED = ("completed", "failed", "canceled", "terminated", "continued")


def pack(v: Any) -> bytes:
    return msgpack.packb(v, use_bin_type=True)


def unpack(b: bytes | None) -> Any:
    if b is None:
        return None
    return msgpack.unpackb(b, raw=False, strict_map_key=False)


@dataclass
class WorkflowRow:
    id: str
    run_id: str
    type: str
    status: str
    input: Any
    result: Any
    error: Any
    code_hash: str | None
    parent: str | None
    parent_eid: int | None
    steps: int
    history_length: int
    created: float
    updated: float
    closed: float | None
    owner: str | None
    lease_until: float
    options: Any
    seed: int
    wait: Any

    @classmethod
    def of(cls, r: sqlite3.Row) -> WorkflowRow:
        return cls(r["id"], r["run_id"], r["type"], r["status"], unpack(r["input"]), unpack(r["result"]),
                   unpack(r["error"]), r["code_hash"], r["parent"], r["parent_eid"], r["steps"],
                   r["history_length"], r["created"], r["updated"], r["closed"], r["owner"],
                   r["lease_until"], unpack(r["options"]), r["seed"], unpack(r["wait"]))


class Store:
    """A SQLite file (or `:memory:`) holding every workflow of one workflow.host."""

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        if path != ":memory:":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self.db.executescript(SCHEMA)
        self.lock = threading.RLock()
        self._code: dict[str, Any] = {}  # bundles read, by hash
        self._grouped = False  # inside group(): tx() is a savepoint

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A transaction; inside `group()`, a savepoint of the group's (a failure
        undoes this one's writes only)."""
        with self.lock:
            if self._grouped:
                self.db.execute("SAVEPOINT one")
                try:
                    yield self.db
                except BaseException:
                    self.db.execute("ROLLBACK TO one")
                    self.db.execute("RELEASE one")
                    raise
                self.db.execute("RELEASE one")
                return
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    @contextmanager
    def group(self) -> Iterator[None]:
        """Group commit: the transactions opened inside (`tx()`) commit together, in
        one transaction, when the block ends. The caller must not act on what they
        wrote (run activities, answer waiters) before then."""
        with self.lock:
            if self._grouped:
                yield
                return
            self.db.execute("BEGIN IMMEDIATE")
            self._grouped = True
            try:
                yield
            except BaseException:
                self._grouped = False
                self.db.execute("ROLLBACK")
                raise
            self._grouped = False
            self.db.execute("COMMIT")

    @contextmanager
    def tx_or(self, db: sqlite3.Connection | None) -> Iterator[sqlite3.Connection]:
        """The caller's open transaction, or a new one."""
        if db is not None:
            yield db
            return
        with self.tx() as t:
            yield t

    # reads ------------------------------------------------------------------------
    def get(self, wid: str) -> WorkflowRow | None:
        r = self.db.execute("SELECT * FROM workflows WHERE id = ?", (wid,)).fetchone()
        return WorkflowRow.of(r) if r is not None else None

    def list(self, status: str | None = None, limit: int = 1000) -> builtins.list[WorkflowRow]:
        if status:
            rows = self.db.execute("SELECT * FROM workflows WHERE status = ? ORDER BY created, id LIMIT ?",
                                   (status, limit))
        else:
            rows = self.db.execute("SELECT * FROM workflows ORDER BY created, id LIMIT ?", (limit,))
        return [WorkflowRow.of(r) for r in rows]

    def snapshot(self, wid: str) -> tuple[int, bytes] | None:
        r = self.db.execute("SELECT step, data FROM snapshots WHERE workflow_id = ?", (wid,)).fetchone()
        return (r["step"], r["data"]) if r is not None else None

    def snapshot_base(self, wid: str) -> tuple[int, bytes] | None:
        """The run's base row (checkpoint.py: the snapshot its later ones are relative to)."""
        r = self.db.execute("SELECT step, data FROM snapshot_bases WHERE workflow_id = ?", (wid,)).fetchone()
        return (r["step"], r["data"]) if r is not None else None

    def history(self, wid: str, run_id: str | None = None) -> builtins.list[dict[str, Any]]:
        q = "SELECT * FROM history WHERE workflow_id = ?"
        args: tuple[Any, ...] = (wid,)
        if run_id is not None:
            q += " AND run_id = ?"
            args = (wid, run_id)
        rows = self.db.execute(q + " ORDER BY seq", args)
        return [{"seq": r["seq"], "run_id": r["run_id"], "kind": r["kind"], "step": r["step"],
                 "at": r["at"], "data": unpack(r["data"])} for r in rows]

    def inbox(self, wid: str) -> builtins.list[tuple[int, int, Any]]:
        rows = self.db.execute("SELECT id, eid, value FROM inbox WHERE workflow_id = ? ORDER BY id", (wid,))
        return [(r["id"], r["eid"], unpack(r["value"])) for r in rows]

    def has_inbox(self, wid: str) -> bool:
        return self.db.execute("SELECT 1 FROM inbox WHERE workflow_id = ? LIMIT 1", (wid,)).fetchone() is not None

    def pending_tasks(self, wid: str | None = None) -> builtins.list[dict[str, Any]]:
        q = "SELECT * FROM outbox WHERE status = 'pending'"
        args: tuple[Any, ...] = ()
        if wid is not None:
            q += " AND workflow_id = ?"
            args = (wid,)
        return [_task(r) for r in self.db.execute(q + " ORDER BY id", args)]

    def code(self, h: str) -> Any:
        """The code bundle stored under hash `h` (the same object each time: bundles
        never change; callers must not modify it)."""
        b = self._code.get(h)
        if b is None:
            r = self.db.execute("SELECT bundle FROM code WHERE hash = ?", (h,)).fetchone()
            if r is None:
                return None
            b = self._code[h] = unpack(r["bundle"])
        return b

    # writes -----------------------------------------------------------------------
    def put_code(self, db: sqlite3.Connection, h: str, bundle: Any) -> None:
        db.execute("INSERT OR IGNORE INTO code(hash, bundle) VALUES (?, ?)", (h, pack(bundle)))

    def put_snapshot_base(self, db: sqlite3.Connection, wid: str, step: int, data: bytes | None) -> None:
        if data is None:
            db.execute("DELETE FROM snapshot_bases WHERE workflow_id = ?", (wid,))
            return
        db.execute("INSERT INTO snapshot_bases(workflow_id, step, data) VALUES (?,?,?) ON CONFLICT(workflow_id) "
                   "DO UPDATE SET step = excluded.step, data = excluded.data", (wid, step, data))

    def next_seq(self, db: sqlite3.Connection, wid: str) -> int:
        r = db.execute("SELECT COALESCE(MAX(seq), 0) FROM history WHERE workflow_id = ?", (wid,)).fetchone()
        return int(r[0]) + 1

    def add_history(self, db: sqlite3.Connection, wid: str, run_id: str, kind: str, step: int,
                    at: float, data: Any, *, counted: bool = False) -> None:
        """Append a history record (its seq: the workflow ID's next, in the same
        statement). `counted`: the caller's own update of the workflow's row adds
        it to `history_length` (one statement fewer per step)."""
        db.execute("INSERT INTO history(workflow_id, seq, run_id, kind, step, at, data) VALUES "
                   "(?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM history WHERE workflow_id = ?), ?,?,?,?,?)",
                   (wid, wid, run_id, kind, step, at, pack(data)))
        if not counted:
            db.execute("UPDATE workflows SET history_length = history_length + 1 WHERE id = ?", (wid,))

    def add_inbox(self, db: sqlite3.Connection, wid: str, eid: int, value: Any, at: float) -> None:
        db.execute("INSERT INTO inbox(workflow_id, eid, value, at) VALUES (?,?,?,?)", (wid, eid, pack(value), at))

    def add_task(self, db: sqlite3.Connection, wid: str, run_id: str, kind: str, eid: int, data: Any,
                 due: int) -> int:
        """`due`: nanoseconds since the epoch (of the host's clock)."""
        cur = db.execute("INSERT INTO outbox(workflow_id, run_id, kind, eid, data, due) VALUES (?,?,?,?,?,?)",
                         (wid, run_id, kind, eid, pack(data), due))
        return int(cur.lastrowid or 0)

    def finish_task(self, db: sqlite3.Connection, task_id: int, status: str = "done") -> bool:
        """Mark a pending task done (or canceled); False if it was not pending (already
        recorded by someone else): the caller must then record nothing."""
        cur = db.execute("UPDATE outbox SET status = ? WHERE id = ? AND status = 'pending'", (status, task_id))
        return cur.rowcount == 1

    def retry_task(self, db: sqlite3.Connection, task_id: int, due: int, attempt: int) -> None:
        db.execute("UPDATE outbox SET due = ?, attempt = ? WHERE id = ? AND status = 'pending'",
                   (due, attempt, task_id))

    def cancel_tasks(self, db: sqlite3.Connection, wid: str, eids: builtins.list[int] | None = None) -> None:
        if eids is None:
            db.execute("UPDATE outbox SET status = 'canceled' WHERE workflow_id = ? AND status = 'pending'", (wid,))
        else:
            for e in eids:
                db.execute("UPDATE outbox SET status = 'canceled' WHERE workflow_id = ? AND eid = ? "
                           "AND status = 'pending'", (wid, e))

    def claim(self, owner: str, lease_s: float, wid: str | None = None) -> builtins.list[str]:
        """Take (or renew) the lease of running workflows not owned by a live owner."""
        now = time.time()
        with self.tx() as db:
            if wid is not None:
                cur = db.execute("UPDATE workflows SET owner = ?, lease_until = ? WHERE id = ? AND status = 'running' "
                                 "AND (owner = ? OR owner IS NULL OR lease_until < ?)",
                                 (owner, now + lease_s, wid, owner, now))
                return [wid] if cur.rowcount else []
            rows = db.execute("SELECT id FROM workflows WHERE status = 'running' AND "
                              "(owner = ? OR owner IS NULL OR lease_until < ?)", (owner, now)).fetchall()
            ids = [r["id"] for r in rows]
            db.execute("UPDATE workflows SET owner = ?, lease_until = ? WHERE status = 'running' AND "
                       "(owner = ? OR owner IS NULL OR lease_until < ?)", (owner, now + lease_s, owner, now))
            return ids

    def add_signal(self, wid: str, topic: str, data: Any, sender: str = "", *,
                   cancel: bool = False) -> dict[str, Any] | None:
        """A message to a running workflow as an inbox row, committed before this
        returns, for clients that run no engine (`wippy workflow signal`); the engine
        that owns the workflow delivers it. With `cancel=True`, a cancel request
        instead (the workflow sees a `pid.cancel` event; `topic` is the reason).
        Returns error data or None."""
        from ..modules.process import EVENT, MESSAGE

        with self.tx() as db:
            r = db.execute("SELECT status FROM workflows WHERE id = ?", (wid,)).fetchone()
            if r is None:
                return {"kind": "NotFound", "message": f"workflow {wid} not found"}
            if r["status"] != "running":
                return {"kind": "Invalid", "message": f"workflow {wid} is {r['status']}"}
            if cancel:
                self.add_inbox(db, wid, EVENT, {"kind": "pid.cancel", "from": sender, "reason": topic or "canceled",
                                                "at": time.time_ns()}, time.time())
            else:
                self.add_inbox(db, wid, MESSAGE, {"topic": topic, "from": sender, "data": data}, time.time())
        return None

    def add_cancel(self, wid: str, reason: str | None = None, sender: str = "") -> dict[str, Any] | None:
        """A cancel request as an inbox row (see `add_signal`)."""
        return self.add_signal(wid, reason or "canceled", None, sender, cancel=True)

    def release(self, owner: str) -> None:
        with self.tx() as db:
            db.execute("UPDATE workflows SET owner = NULL, lease_until = 0 WHERE owner = ?", (owner,))


def _task(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "workflow_id": r["workflow_id"], "run_id": r["run_id"], "kind": r["kind"],
            "eid": r["eid"], "data": unpack(r["data"]), "due": r["due"], "attempt": r["attempt"],
            "status": r["status"]}


__all__ = ["Store", "WorkflowRow", "pack", "unpack", "ACTIVE", "CLOSED"]
