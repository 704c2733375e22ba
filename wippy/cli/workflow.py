"""`wippy workflow ...`: inspect and operate the workflows of a `workflow.host` store.

    list [--status S] [--json]        id, type, status, steps, updated
    show ID [--json]                  fields, pending tasks (outbox), undelivered inbox
    history ID [--json]               seq, step, kind, time, events delivered / commands issued
    stack ID [--all] [--json]         a waiting workflow's Lua stacks (file:line, locals)
    signal ID TOPIC [JSON]            a durable message
    cancel ID [REASON]                a cancel request (the workflow sees pid.cancel)
    terminate ID [REASON]             stop it at once
    verify ID                         replay its history: same commands, same state?
    migrate ID                        move it to the app's current code (replay-checked)
    start TYPE [JSON args...] [--id ID]
    result ID [--timeout S]           wait for it to close, print its result

Concept. The store is the workflow.host's SQLite file: the app's (`--app DIR`,
default `.`; `--host ID` when it has several) or one given with `--store PATH`.
Reading commands (list, show, history, stack, result) need only the store — no
app, no engine. Writing commands never run a workflow here: `signal`/`cancel` add
inbox rows (`Store.add_signal`/`add_cancel`), and `start`/`terminate`/`verify`/
`migrate` use a *passive* WorkflowHost that claims no workflow, steps nothing and
carries out no task; the engine that owns the store (a `wippy run` process)
does the work. So these commands are safe against a store that another process
is running. An ID may be given by a unique prefix.

Invariants. Exit 0 on success, 1 when the workflow failed / verify found a
mismatch / the operation was refused (e.g. signal to a closed workflow), 2 for a
user mistake (no store, unknown workflow ID, bad JSON).

Costs. Reads are single queries; `stack` decodes one snapshot (and compiles the
chunks its frames are in); `verify`/`migrate` re-run the whole history.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path
from typing import Any

from . import _out

MESSAGE, EVENT, CANCEL = -1, -2, -3  # inbox event ids (wippy.modules.process, workflows.engine)
_SHORT = 60  # characters of a JSON value in a summary


def register(sub: Any) -> None:
    p = sub.add_parser("workflow", help="inspect and operate workflows (a workflow.host store)",
                       description="Inspect and operate the workflows of a workflow.host store.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--app", default=".", metavar="DIR", help="the app directory (default: .)")
    common.add_argument("--store", metavar="PATH", help="the store's SQLite file (default: the app's workflow.host)")
    common.add_argument("--host", metavar="ID", help="the workflow.host entry (default: the app's first)")
    ws = p.add_subparsers(dest="workflow_command", metavar="COMMAND", required=True)

    def cmd(name: str, help: str, handler: Any) -> argparse.ArgumentParser:
        c = ws.add_parser(name, help=help, parents=[common], description=help)
        c.set_defaults(handler=handler)
        return c

    c = cmd("list", "list the workflows", run_list)
    c.add_argument("--status", metavar="S", help="only workflows with this status (running, completed, ...)")
    c.add_argument("--json", action="store_true", help="print JSON")
    for name, help, handler in (("show", "show one workflow and its pending tasks", run_show),
                                ("history", "show a workflow's history", run_history)):
        c = cmd(name, help, handler)
        c.add_argument("id", metavar="ID")
        c.add_argument("--json", action="store_true", help="print JSON")
    c = cmd("stack", "print a waiting workflow's Lua stacks with locals", run_stack)
    c.add_argument("id", metavar="ID")
    c.add_argument("--all", action="store_true", help="also show wippy's kernel frames")
    c.add_argument("--json", action="store_true", help="print JSON")
    c = cmd("signal", "send a workflow a message (durable)", run_signal)
    c.add_argument("id", metavar="ID")
    c.add_argument("topic", metavar="TOPIC")
    c.add_argument("data", nargs="?", metavar="JSON", help="the message's data (a JSON value)")
    c = cmd("cancel", "ask a workflow to stop (it sees a pid.cancel event)", run_cancel)
    c.add_argument("id", metavar="ID")
    c.add_argument("reason", nargs="?", metavar="REASON")
    c = cmd("terminate", "stop a workflow at once", run_terminate)
    c.add_argument("id", metavar="ID")
    c.add_argument("reason", nargs="?", metavar="REASON")
    c = cmd("verify", "replay a workflow's history and compare", run_verify)
    c.add_argument("id", metavar="ID")
    c = cmd("migrate", "move a running workflow to the app's current code", run_migrate)
    c.add_argument("id", metavar="ID")
    c = cmd("start", "start a workflow (a workflow.lua entry)", run_start)
    c.add_argument("type", metavar="TYPE", help="the workflow.lua entry")
    c.add_argument("args", nargs="*", metavar="JSON", help="arguments, each a JSON value")
    c.add_argument("--id", dest="wid", metavar="ID", help="the workflow ID (default: a new UUID)")
    c = cmd("result", "wait for a workflow to close and print its result", run_result)
    c.add_argument("id", metavar="ID")
    c.add_argument("--timeout", type=float, metavar="SECONDS", help="give up after this long (exit 1)")


# ------------------------------------------------------------------ the store


def _host_entry(reg: Any, ref: str | None) -> Any:
    if ref:
        return _out.find_entry(reg, ref, ("workflow.host",))
    hosts = reg.by_kind("workflow.host")
    if not hosts:
        raise _out.UsageError("the app has no workflow.host entry (or give the store with --store PATH)")
    return hosts[0]


def store_path(args: argparse.Namespace) -> str:
    if args.store:
        p = Path(args.store)
        if not p.is_file():
            raise _out.UsageError(f"no workflow store {p}")
        return str(p)
    reg = _out.load_registry(args.app)
    e = _host_entry(reg, args.host)
    loc = e.store_location(reg.app_dir)
    if loc == ":memory:":
        raise _out.UsageError(f"{e.id} keeps its workflows in memory (store: \":memory:\"): "
                              "give it a file store to reach them from the wippy command")
    if not Path(loc).is_file():
        raise _out.UsageError(f"the store of {e.id} ({loc}) does not exist yet: no workflow has been started")
    return loc


def open_store(args: argparse.Namespace) -> Any:
    import sqlite3  # (here: the other commands never open a store)

    from ..workflows.store import Store

    path = store_path(args)
    try:  # (Store would create its tables in any SQLite file)
        con = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            ok = con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'workflows'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as e:
        raise _out.UsageError(f"{path} is not a workflow store ({e})") from None
    if not ok:
        raise _out.UsageError(f"{path} is not a workflow store (no workflows table)")
    return Store(path)


def find_row(store: Any, ref: str) -> Any:
    """The workflow with ID `ref`, or the only one whose ID starts with it."""
    row = store.get(ref)
    if row is not None:
        return row
    pat = ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    ids = [r[0] for r in store.db.execute("SELECT id FROM workflows WHERE id LIKE ? ESCAPE '\\' LIMIT 6", (pat,))]
    if len(ids) == 1:
        return store.get(ids[0])
    if ids:
        raise _out.UsageError(f"workflow ID {ref} is ambiguous: {', '.join(ids[:5])}{', …' if len(ids) > 5 else ''}")
    raise _out.UsageError(f"no workflow {ref} in {store.path}")


class _Passive:
    """An app and a passive WorkflowHost on the store: runs nothing in this process."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.app = _out.load_app(args.app)
        entry = _host_entry(self.app.registry, args.host)
        if args.store:
            entry = dataclasses.replace(entry, store=str(Path(store_path(args)).resolve()))
        elif entry.store_location(self.app.registry.app_dir) == ":memory:":
            store_path(args)  # raises the explanation
        self.host = _passive_host(self.app, entry)
        # parents and children on this host are found through the app
        self.app._workflow_hosts[entry.id] = self.host

    def close(self) -> None:
        self.app.close()  # releases the leases the host took (a start's), closes the store


def _passive_host(app: Any, entry: Any) -> Any:
    """A WorkflowHost that claims no workflow, steps nothing and carries out no task."""
    from ..workflows.engine import WorkflowHost

    return WorkflowHost(app, entry, passive=True)


# ------------------------------------------------------------------ reading


def summary(row: Any) -> dict[str, Any]:
    return {"id": row.id, "type": row.type, "status": row.status, "steps": row.steps,
            "result": row.result if row.status == "completed" else None,
            "error": row.error if row.status != "completed" else None,
            "run_id": row.run_id, "created": row.created, "updated": row.updated, "closed": row.closed}


def run_list(args: argparse.Namespace) -> int:
    try:
        store = open_store(args)
    except _out.UsageError as e:
        if "does not exist yet" not in str(e):
            raise
        _out.print_json([]) if args.json else _out.out("no workflows (the store does not exist yet)")
        return 0
    rows = store.list(args.status, limit=100_000)
    if args.json:
        _out.print_json([summary(r) for r in rows])
        return 0
    if not rows:
        _out.out(f"no workflows{' with status ' + args.status if args.status else ''}")
        return 0
    _out.table(["id", "type", "status", "steps", "updated"],
               [[r.id, r.type, _status(r), r.steps, _out.fmt_time(r.updated)] for r in rows])
    return 0


def _status(row: Any) -> str:
    if row.status in ("failed", "terminated", "canceled") and row.error:
        return f"{row.status} ({_out.error_line(row.error)})"[:60]
    return str(row.status)


def run_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    row = find_row(store, args.id)
    tasks = store.pending_tasks(row.id)
    inbox = store.inbox(row.id)
    snap = store.snapshot(row.id)
    if args.json:
        d = summary(row)
        d.update({"input": (row.input or {}).get("args"), "parent": row.parent, "code": row.code_hash,
                  "history_length": row.history_length, "owner": row.owner,
                  "lease_until": row.lease_until if row.owner else None, "snapshot_step": snap[0] if snap else None,
                  "pending_tasks": [{"id": t["id"], "kind": t["kind"], "eid": t["eid"], "due": t["due"],
                                     "attempt": t["attempt"], "summary": _task(t)} for t in tasks],
                  "inbox": [_event(eid, v, {}) for _, eid, v in inbox]})
        _out.print_json(d)
        return 0
    fields: list[tuple[str, Any]] = [("id", row.id), ("type", row.type), ("status", row.status),
                                     ("run", row.run_id), ("steps", f"{row.steps} ({row.history_length} history records)"),
                                     ("created", _out.fmt_time(row.created)), ("updated", _out.fmt_time(row.updated))]
    if row.closed:
        fields.append(("closed", _out.fmt_time(row.closed)))
    fields.append(("input", _short(_out.to_json((row.input or {}).get("args") or [], None), 200)))
    if row.status == "completed":
        fields.append(("result", _short(_out.to_json(row.result, None), 200)))
    elif row.error:
        fields.append(("error", _out.error_line(row.error)))
    if row.parent:
        fields.append(("parent", row.parent))
    if row.status == "running":
        owner = f"{row.owner} (lease until {_out.fmt_time(row.lease_until)})" if row.owner and \
            row.lease_until > time.time() else "none (the next `wippy run` on this store takes it)"
        fields.append(("owner", owner))
        if snap is not None:
            fields.append(("snapshot", f"after step {snap[0]}, {len(snap[1])} bytes"))
    fields.append(("code", row.code_hash or ""))
    _out.table(["field", "value"], fields, header=False)
    if row.status == "running":
        _out.out("")
        if tasks:
            _out.table(["task", "kind", "due", "attempt", "what"],
                       [[t["id"], t["kind"], _out.fmt_time(t["due"]), t["attempt"], _task(t)] for t in tasks],
                       title="pending tasks")
        else:
            _out.out("pending tasks: none")
        if inbox:
            _out.out("")
            _out.table(["#", "event"], [[i, _event(eid, v, {})] for i, eid, v in inbox], title="undelivered inbox")
    return 0


def run_history(args: argparse.Namespace) -> int:
    store = open_store(args)
    row = find_row(store, args.id)
    hist = store.history(row.id)
    issued: dict[tuple[str, int], list[Any]] = {}  # (run, eid) -> the command that has that id
    rows = []
    for h in hist:
        rows.append((h, _record(h, issued)))
    if args.json:
        _out.print_json([{"seq": h["seq"], "run_id": h["run_id"], "step": h["step"], "kind": h["kind"],
                          "at": h["at"], "summary": s, "data": h["data"]} for h, s in rows])
        return 0
    runs = len({h["run_id"] for h in hist})
    cols = ["seq", "step", "kind", "time", "summary"] + (["run"] if runs > 1 else [])
    _out.table(cols, [[h["seq"], h["step"], h["kind"], _out.fmt_time(h["at"]), s]
                      + ([h["run_id"][:8]] if runs > 1 else []) for h, s in rows])
    return 0


def _record(h: dict[str, Any], issued: dict[tuple[str, int], list[Any]]) -> str:
    d = h["data"] or {}
    kind = h["kind"]
    if kind == "started":
        return f"{d.get('type')}({_args(d.get('args'))})" + (f" parent {d['parent']}" if d.get("parent") else "")
    if kind == "step":
        parts = [_event(eid, v, issued, h["run_id"]) for eid, v in d.get("events") or []]
        for c in d.get("commands") or []:
            if len(c) >= 2 and isinstance(c[1], int) and c[1] > 0:
                issued[(h["run_id"], c[1])] = c
            parts.append(("→ local " if d.get("local") else "→ ") + _command(c))
        if "outcome" in d:
            o = d["outcome"] or {}
            parts.append("⇒ " + (f"error {_out.error_line(o['error'])}" if o.get("error")
                                 else f"return {_short(_out.to_json(o.get('value'), None))}"))
        return "; ".join(parts) or "(no events, no commands)"
    if kind == "completed":
        return f"result {_short(_out.to_json(d.get('value'), None))}"
    if kind in ("failed", "terminated", "canceled"):
        return _out.error_line(d.get("error"))
    if kind == "continued_as_new":
        return f"{d.get('entry')}({_args(d.get('args'))})"
    if kind == "migrated":
        return f"code {str(d.get('from'))[:12]} → {str(d.get('to'))[:12]}"
    return _short(_out.to_json(d, None))


def _event(eid: int, v: Any, issued: dict[tuple[str, int], list[Any]], run: str = "") -> str:
    if eid == MESSAGE and isinstance(v, dict):
        data = v.get("data")
        return f"← signal {v.get('topic')}" + (f" {_short(_out.to_json(data, None))}" if data is not None else "")
    if eid == EVENT and isinstance(v, dict):
        k = v.get("kind")
        if k == "pid.cancel":
            return f"← cancel ({v.get('reason')})"
        if k == "pid.exit":
            res = v.get("result") or {}
            what = f"error {_out.error_line(res['error'])}" if res.get("error") else \
                f"result {_short(_out.to_json(res.get('value'), None))}"
            return f"← exit of {v.get('from')}: {what}"
        return f"← event {k}"
    if eid == CANCEL:
        return "← cancel"
    c = issued.get((run, eid))
    what = _command(c) if c is not None else f"#{eid}"
    if c is not None and c[0] == "timer":
        return f"← {what} fired"
    if isinstance(v, dict) and ("value" in v or "error" in v):
        if v.get("error"):
            return f"← {what} failed: {_out.error_line(v['error'])}"
        return f"← {what} = {_short(_out.to_json(v.get('value'), None))}"
    return f"← {what} {_short(_out.to_json(v, None))}"


def _command(c: list[Any]) -> str:
    from ..durations import format_duration

    kind = c[0]
    eid = c[1] if len(c) > 1 else 0
    d = c[2] if len(c) > 2 else None
    if kind == "activity" and isinstance(d, dict):
        return f"activity {d.get('target')}({_args(d.get('args'))})"
    if kind == "timer" and isinstance(d, int):
        return f"timer {format_duration(d)}"
    if kind in ("cancel_timer", "cancel_activity"):
        return f"{kind.replace('_', ' ')} #{eid}"
    if kind == "send" and isinstance(d, dict):
        data = d.get("data")
        return f"send {d.get('topic')} to {d.get('to')}" + (f" {_short(_out.to_json(data, None))}" if data is not None
                                                             else "")
    if kind == "child" and isinstance(d, dict):
        return f"child {d.get('entry')}({_args(d.get('args'))}) id={d.get('wid')}"
    if kind in ("cancel", "terminate") and isinstance(d, dict):
        return f"{kind} {d.get('pid')}"
    if kind == "continue_as_new" and isinstance(d, dict):
        return f"continue as new({_args(d.get('args'))})"
    if kind == "version" and isinstance(d, dict):
        return f"version {d.get('id')} = {d.get('version')}"
    return f"{kind} {_short(_out.to_json(d, None))}" if d is not None else str(kind)


def _task(t: dict[str, Any]) -> str:
    d = t.get("data") or {}
    if t["kind"] == "activity":
        return f"activity {d.get('target')}({_args(d.get('args'))})"
    if t["kind"] == "timer":
        return f"timer #{t['eid']}"
    return _command([t["kind"], t["eid"], d])


def _args(args: Any) -> str:
    if not isinstance(args, list):
        return ""
    return _short(", ".join(_out.to_json(a, None) for a in args))


def _short(s: str, n: int = _SHORT) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"


# ------------------------------------------------------------------ stack


def run_stack(args: argparse.Namespace) -> int:
    import luavm

    store = open_store(args)
    row = find_row(store, args.id)
    if row.status != "running":
        _out.err(f"workflow {row.id} is {row.status}: it has no stack")
        return 1
    snap = store.snapshot(row.id)
    if snap is None:
        _out.err(f"workflow {row.id} has not run yet: no snapshot")
        return 1
    try:
        from ..workflows.checkpoint import standalone

        code = _code(store, row)
        frames = luavm.inspect_snapshot(standalone(store, row, snap[1]), code)  # (a checkpoint names its base)
    except luavm.SnapshotError as e:
        _out.err(f"error: cannot read the snapshot of {row.id}: {e}")
        return 1
    threads: dict[int, list[Any]] = {}
    for f in frames:
        threads.setdefault(f.thread, []).append(f)
    shown: list[tuple[int, list[Any], str]] = []
    for n, fs in threads.items():
        keep = fs if args.all else _visible(fs)
        if not keep:
            continue
        note = ""
        if not args.all and fs[0] is not keep[0]:  # what the user code waits in
            inner = [f for f in fs[:fs.index(keep[0])] if not f.is_builtin]
            if inner:
                note = f"waiting in {inner[-1].source} {inner[-1].function or inner[-1].title}"
        shown.append((n, keep, note))
    if args.json:
        _out.print_json([dict(dataclasses.asdict(f), where=f.where) for _, fs, _ in shown for f in fs])
        return 0
    _out.out(f"workflow {row.id} ({row.type}), after step {snap[0]}, waiting")
    if not shown:
        _out.out("(no Lua frames outside wippy's kernel; --all shows them)")
    for n, fs, note in shown:
        _out.out("")
        name = "main stack" if n == 0 else f"thread {n}"
        _out.out(f"{name}" + (f" ({note})" if note else ""))
        for f in fs:
            _out.out(f"  {f.where} in {f.title}")
            width = max((len(k) for k in f.locals), default=0)
            for k, v in f.locals.items():
                _out.out(f"      {k.ljust(width)} = {v}")
    return 0


def _code(store: Any, row: Any) -> Any:
    """The sources a snapshot names by hash: wippy's own Lua and the workflow's
    pinned code (its bundle in the store)."""
    from .. import codebook, luastate

    luastate.register_code()
    for k, v in (store.code(row.code_hash or "") or {}).items():
        if k != "__entry__" and isinstance(v, dict) and v.get("source") is not None:
            codebook.add(v["source"])
    return codebook.book()


def _visible(frames: list[Any]) -> list[Any]:
    """A thread's frames without wippy's (chunks named `[wippy ...]`), and without
    the `[C]` frames wippy's own frames called."""
    def hidden(f: Any) -> bool:
        return str(f.source).startswith("[wippy")

    out = []
    for i, f in enumerate(frames):
        if hidden(f):
            continue
        if f.is_builtin:
            outer = frames[i + 1] if i + 1 < len(frames) else None
            if outer is None or hidden(outer):
                continue
        out.append(f)
    return out


# ------------------------------------------------------------------ writing


def run_signal(args: argparse.Namespace) -> int:
    data = _out.json_arg(args.data, "the message data")
    store = open_store(args)
    row = find_row(store, args.id)
    err = store.add_signal(row.id, args.topic, data)
    store.close()
    if err is not None:
        _out.err(f"error: {_out.error_line(err)}")
        return 1
    _out.out(f"sent {args.topic} to {row.id}")
    return 0


def run_cancel(args: argparse.Namespace) -> int:
    store = open_store(args)
    row = find_row(store, args.id)
    err = store.add_cancel(row.id, args.reason)
    store.close()
    if err is not None:
        _out.err(f"error: {_out.error_line(err)}")
        return 1
    _out.out(f"cancel requested for {row.id}")
    return 0


def run_terminate(args: argparse.Namespace) -> int:
    store = open_store(args)
    row = find_row(store, args.id)
    store.close()
    p = _Passive(args)
    try:
        err = p.host.terminate(row.id, args.reason)
    finally:
        p.close()
    if err is not None:
        _out.err(f"error: {_out.error_line(err)}")
        return 1
    _out.out(f"terminated {row.id}")
    return 0


def run_start(args: argparse.Namespace) -> int:
    values = _out.json_args(args.args)
    p = _Passive(args)
    try:
        e = _out.find_entry(p.app.registry, args.type, ("workflow.lua",))
        opts = {"workflow.id": args.wid} if args.wid else {}
        wid, err = p.host.start_workflow(e.id, values, opts)
    finally:
        p.close()
    if err is not None:
        _out.err(f"error: {_out.error_line(err)}")
        return 1
    _out.out(wid)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from ..app import run_sync
    from ..workflows.verify import verify

    p = _Passive(args)
    try:
        row = find_row(p.host.store, args.id)

        async def go() -> Any:
            return verify(p.host, row.id)

        report = run_sync(go)
    finally:
        p.close()
    return _print_report(report, row, "replayed")


def run_migrate(args: argparse.Namespace) -> int:
    from ..app import run_sync
    from ..workflows.verify import migrate

    p = _Passive(args)
    try:
        row = find_row(p.host.store, args.id)
        if row.status != "running":
            _out.err(f"error: workflow {row.id} is {row.status}: only a running workflow can move to new code")
            return 1

        async def go() -> Any:
            return migrate(p.host, row.id)

        report = run_sync(go)
    finally:
        p.close()
    return _print_report(report, row, "replayed on the current code")


def _print_report(report: Any, row: Any, what: str) -> int:
    if report.mismatch is not None:
        _out.out(f"mismatch in workflow {row.id}:")
        _out.out(str(report.mismatch))
        for n in report.notes:
            _out.out(n)
        return 1
    if not report.ok:
        _out.out(f"mismatch in workflow {row.id}: " + ("; ".join(report.notes) or "the final state differs"))
        return 1
    final = "final state identical" if report.final_snapshot_equal else "same result" \
        if row.status != "running" else "same commands"
    cmds = f"{report.commands} command{'s' if report.commands != 1 else ''}"
    _out.out(f"ok: {report.steps} step{'s' if report.steps != 1 else ''}, {cmds} {what}, {final}")
    for n in report.notes:
        _out.out(n)
    return 0


def run_result(args: argparse.Namespace) -> int:
    store = open_store(args)
    row = find_row(store, args.id)
    deadline = time.monotonic() + args.timeout if args.timeout is not None else None
    told = False
    while row.status == "running":
        if deadline is not None and time.monotonic() >= deadline:
            _out.err(f"error: workflow {row.id} is still running after {args.timeout:g} s")
            return 1
        if not told and _out.is_tty(None):
            _out.err(f"waiting for workflow {row.id} …")
            told = True
        time.sleep(0.1)
        row = store.get(row.id) or row
    if row.status == "completed":
        _out.print_json(row.result)
        return 0
    _out.err(f"workflow {row.id} {row.status}")
    tb = next((h["data"].get("traceback") or "" for h in reversed(store.history(row.id, row.run_id))
               if h["kind"] == row.status and isinstance(h["data"], dict)), "")
    _out.print_failure(row.error, tb)
    return 1
