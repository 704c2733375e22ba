"""`workflows`: random durable workflows (fuzz/gen_workflows.py) run on the
embedded engine (wippy/workflows) once uninterrupted and once with crashes and
restarts, which must not change what they do.

Per case:

1. *Reference run*: the workflow (`app:main`, children `app:child`) on a
   `:memory:` store with the virtual clock, no crash, no injected failure. The
   harness's Python activities (`py:act`, `py:bad`, `py:flaky`) record every
   attempt in a ledger; `py:act` returns a value computed from its arguments.
2. *Crash run*: the same workflow on a file store, restarted after each crash of
   the case's crash plan — `(point, n)`: crash the n-th time the engine reaches
   the named crash point (`step.before_commit`, `step.after_commit`,
   `activity.before_record`, `activity.after_record`, `timer.before_record`,
   `timer.after_record`; `any`: the n-th point of any name) — and run to the end
   after the last. In half the cases activity failures are injected as well:
   the first N attempts of some calls raise a retryable error, N at most what
   the call's retry policy absorbs (deterministic per case seed).

What must hold (each a finding kind):

- `reference-failed`: the reference run completes (a generator bug otherwise);
- `stuck` / `timeout`: both runs end (`host.result` within STUCK_S real seconds);
- `engine-error`: the engine logs no exception (`step failed`); no snapshot is
  unusable (`snapshot-unusable`, or `snapshot-code-missing` when it names code
  the process does not have: recovery had to replay the history);
- `verify`: `wippy.workflows.verify.verify` passes for every workflow of both runs
  (`verify-traceback`: the replayed state differs from the live one only in
  traceback strings — the harness keeps every step's snapshot with an SQLite
  trigger to tell);
- `history`: per workflow, steps numbered 1..n once each; no event id delivered
  twice; every delivered id issued before; every activity issued delivered;
- `result-differs`: the main workflow's result (or error) equals the reference's
  (the clock facts `tm` apart: `time-differs`; the reference's own clock must be
  sane: `time-reference`). A restarted host's virtual clock starts at the wall
  clock (an engine bug: time goes back); by default the harness carries the dead
  host's clock over (`carry_clock`) so that other time bugs stay visible;
  `FUZZ_WORKFLOWS_CLOCK_BUG=1` shows it;
- `status-differs`: every workflow (children by their tag) ends as in the reference;
- `commands-differ`: without injected failures, each workflow's commands
  (activities with target/args/options, timers with delays, children, sends,
  cancels; event ids and generated child IDs normalised) are the reference's —
  as a sequence, or as a multiset when the generator marked the case unordered
  (spawned threads with two blocking steps each); with injected failures, as a
  multiset;
- `effects`: every activity issued ran to success at least once; in the
  reference run exactly once per key; in the crash run at most crashes + 1 times.

Kinds listed in KNOWN are open bugs with strict-xfail regression tests
(tests/wippy/test_workflows_regressions.py); the CI smoke test tolerates them
(none today).

Determinism across the two runs: a run's `run_id` is random, and the workflow's
`math.random` seed and `uuid.v4` values derive from it. While a case runs, the
engine module's `uuid` is replaced by a shim that makes the `run_id` of a start
a function of the workflow ID (`_RunIds`), so `math.random` must give the same
values in both runs. `uuid.v4` also depends on the step number, which depends
on how events were batched into steps, so only its shape and uniqueness are in
the result.

In-process crash simulation (the default) — what it does:
`wippy.workflows.engine.crashpoint` (and `outbox.crashpoint`) is replaced by a switch that raises
`SimulatedCrash` (a SystemExit, so asyncio does not swallow it in a callback or
a task) at the planned point. The incarnation's event loop is a private one
(`run_until_complete`, not `asyncio.run`, which would cancel the tasks and so
run more engine code): the exception ends it and the loop, the App, its host,
timers, in-flight activities and Lua states are abandoned — nothing of them runs
again (the loop is closed unrun; the old SQLite connection is only closed at the
end of the case). A new App is built on the same store file; the dead engine's
leases are released with `Store.release(old_owner)` — what `_free_dead_owners`
does for a process that no longer exists (here the PID is alive) — and
`ensure_started` recovers. Not covered, compared with tests/wippy/test_crash.py
(real SIGKILL): crashes anywhere but the named points (e.g. between delivering a
message and marking its task done: duplicates), the SQLite recovery of a killed
process's WAL and locks, `_free_dead_owners`'s PID test, process-global state
(module caches, luavm's chunk cache) that a new process would not have, and the
real clock. Crash points are never inside a transaction, so nothing is half
written either way.

`FUZZ_WORKFLOWS_SIGKILL=1` (or `run(..., sigkill=True)`) runs the crash run in
subprocesses instead (this module with `--runner`, a `wippy run`-like server):
`WIPPY_CRASHPOINT=point:n` makes the engine SIGKILL itself, `any` items kill
the process from outside after a random delay. About 1 s per restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid as _uuid_mod
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import common
from ..common import FINDINGS, Finding, Stats
from ..gen_workflows import (
    ANY_POINT,
    WorkflowCase,
    act_value,
    generate,
    injected_failures,
    main_input,
    sub_seed,
)

TARGET = "workflows"
MAIN = "main"
STUCK_S = 20.0  # real seconds a run may take before it counts as stuck
LIMIT = 120.0  # the watchdog's limit per case (a backstop for a hang in Lua)
SAVE_PER_KIND = 3  # findings of one kind written per campaign (the rest are counted)
HERE = Path(__file__).resolve()
ROOT = HERE.parent.parent.parent

log = logging.getLogger("fuzz.workflows")


class SimulatedCrash(SystemExit):  # noqa: N818 - it is not an error, it is the end of a process
    """The in-process stand-in for a SIGKILL at an engine crash point."""


# ------------------------------------------------------------------ the app


def write_app(root: Path, case: WorkflowCase, store: str) -> Path:
    import yaml

    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "main.lua").write_text(case.main)
    (src / "child.lua").write_text(case.child)
    mods = ["funcs", "time", "uuid", "workflow"]
    entries = [
        {"name": "wf_host", "kind": "workflow.host", "store": store, "clock": "virtual"},
        {"name": "main", "kind": "workflow.lua", "modules": mods, "source": "file://main.lua", "method": "main"},
        {"name": "child", "kind": "workflow.lua", "modules": mods, "source": "file://child.lua", "method": "main"},
    ]
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


@dataclass
class Effect:
    key: str
    attempt: int
    target: str
    tag: str
    ok: bool


class Ledger:
    """The harness's activities: every attempt recorded (in memory, or appended to a
    file for the SIGKILL runner); injected failures raise for the first attempts."""

    def __init__(self, inject: int | None, path: Path | None = None) -> None:
        self.inject = inject
        self.path = path
        self.effects: list[Effect] = []

    def _record(self, target: str, tag: str, ctx: dict[str, Any] | None, ok: bool) -> int:
        ctx = ctx or {}
        e = Effect(str(ctx.get("idempotency_key")), int(ctx.get("attempt") or 0), target, tag, ok)
        self.effects.append(e)
        if self.path is not None:
            with open(self.path, "a") as f:
                f.write(json.dumps([e.key, e.attempt, e.target, e.tag, e.ok]) + "\n")
                f.flush()
                os.fsync(f.fileno())
        return e.attempt

    def act(self, tag: str, x: Any, ctx: dict[str, Any] | None = None) -> int:
        attempt = int((ctx or {}).get("attempt") or 1)
        fails = injected_failures(self.inject, tag)
        ok = attempt > fails
        self._record("py:act", tag, ctx, ok)
        if not ok:
            raise RuntimeError(f"injected failure {attempt}/{fails} of {tag}")
        return act_value(tag, x)

    def bad(self, tag: str, ctx: dict[str, Any] | None = None) -> Any:
        from wippy.functions import WippyError

        self._record("py:bad", tag, ctx, True)
        raise WippyError(f"declined {tag}", "Invalid", retryable=False)

    def flaky(self, tag: str, ctx: dict[str, Any] | None = None) -> Any:
        self._record("py:flaky", tag, ctx, True)
        raise RuntimeError(f"{tag} is down")

    def register(self, app: Any) -> None:
        app.register_function("py:act", self.act)
        app.register_function("py:bad", self.bad)
        app.register_function("py:flaky", self.flaky)

    @staticmethod
    def load(path: Path) -> list[Effect]:
        out = []
        for ln in path.read_text().splitlines():
            if ln.strip():
                k, a, t, g, ok = json.loads(ln)
                out.append(Effect(k, a, t, g, ok))
        return out


# ------------------------------------------------------------------ engine patches


class _RunIds:
    """Stands in for the `uuid` module inside wippy.workflows.engine: the run ID a
    start draws (`uuid4()` called by `start_workflow` once `wid` is known) is a
    function of the workflow ID, so two runs of a case get the same run IDs (and
    so the same `math.random` seeds); every other use gets a random UUID."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_uuid_mod, name)

    def uuid4(self) -> _uuid_mod.UUID:
        f = sys._getframe(1)
        if f.f_code.co_name == "start_workflow" and "wid" in f.f_locals:
            return _uuid_mod.uuid5(_uuid_mod.NAMESPACE_URL, "fuzz-run:" + str(f.f_locals["wid"]))
        return _uuid_mod.uuid4()


class CrashSwitch:
    """Replaces `engine.crashpoint`: raises SimulatedCrash the n-th time the armed
    point (or any point, for `any`) is reached in this incarnation."""

    def __init__(self) -> None:
        self.point: str | None = None
        self.n = 0
        self.count = 0
        self.reached: Counter[str] = Counter()

    def arm(self, item: tuple[str, int] | None) -> None:
        self.point, self.n = (item if item else (None, 0))
        self.count = 0

    def __call__(self, name: str) -> None:
        self.reached[name] += 1
        if self.point is None or (self.point != ANY_POINT and self.point != name):
            return
        self.count += 1
        if self.count == self.n:
            self.point = None
            raise SimulatedCrash(name)


class _LogCatcher(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors: list[str] = []
        self.unusable: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if "snapshot unusable" in msg:
            self.unusable.append(msg)
        elif record.levelno >= logging.ERROR:
            text = msg
            if record.exc_info and record.exc_info[1] is not None:
                import traceback

                text += "\n" + "".join(traceback.format_exception(*record.exc_info)[-6:])
            self.errors.append(text)


@contextlib.contextmanager
def patched_engine(switch: CrashSwitch | None) -> Any:
    from wippy.workflows import engine, outbox

    old_cp, old_uuid = engine.crashpoint, engine._uuid
    catcher = _LogCatcher()
    wlog = logging.getLogger("wippy.workflows")
    wlog.addHandler(catcher)
    old_level = wlog.level
    wlog.setLevel(logging.WARNING)
    # (the propagation to the root logger is left alone: pytest may capture it)
    engine._uuid = _RunIds()  # type: ignore[assignment]
    if switch is not None:  # (the engine's points, and the outbox's: carrying out commands)
        engine.crashpoint = outbox.crashpoint = switch
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # coroutines of abandoned loops never awaited, etc.
            yield catcher
    finally:
        engine.crashpoint, engine._uuid = old_cp, old_uuid
        outbox.crashpoint = old_cp
        wlog.removeHandler(catcher)
        wlog.setLevel(old_level)


# ------------------------------------------------------------------ one run


@dataclass
class RunRecord:
    outcome: dict[str, Any] | None = None  # the main workflow's {value, error}
    statuses: dict[str, str] = field(default_factory=dict)  # label -> status
    commands: dict[str, list[Any]] = field(default_factory=dict)  # label -> normalised commands
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)
    effects: list[Effect] = field(default_factory=list)
    activity_keys: list[str] = field(default_factory=list)  # idempotency keys of the activities issued
    crashes: list[str] = field(default_factory=list)
    incarnations: int = 0


def _labels(hists: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Workflow ID -> a label the same in both runs: `main`, children by their tag."""
    labels = {MAIN: MAIN}
    for h in hists.values():
        for x in h:
            if x["kind"] != "step":
                continue
            for c in x["data"]["commands"]:
                if c[0] == "child":
                    args = c[2].get("args") or [{}]
                    tag = args[0].get("tag") if args and isinstance(args[0], dict) else None
                    labels[c[2]["wid"]] = f"child:{tag}"
    return labels


def _norm_command(c: list[Any], labels: dict[str, str]) -> Any:
    kind, _eid, data = c
    if kind == "activity":
        return ["activity", data.get("target"), data.get("args"), data.get("options")]
    if kind == "timer":
        return ["timer", data]
    if kind == "child":
        opts = {k: v for k, v in (data.get("options") or {}).items()}
        return ["child", data.get("entry"), labels.get(data.get("wid"), "?"), data.get("mode"), data.get("args"),
                opts]
    if kind == "send":
        to = str(data.get("to"))
        wid = to.strip("{}").partition("|")[2]
        return ["send", labels.get(wid, to), data.get("topic"), data.get("data")]
    if kind in ("cancel_timer", "cancel_activity"):
        return [kind]
    return [kind, data]


def _check_history(wid: str, status: str, hist: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    steps = [x["step"] for x in hist if x["kind"] == "step"]
    if steps != list(range(1, len(steps) + 1)):
        out.append(("history", f"{wid}: steps recorded twice or lost: {steps}"))
    issued: dict[int, str] = {}
    delivered: list[int] = []
    for x in hist:
        if x["kind"] != "step":
            continue
        for e in x["data"]["events"]:
            if e[0] > 0:
                if e[0] not in issued:
                    out.append(("history", f"{wid}: step {x['step']} delivered event {e[0]}, never issued before"))
                delivered.append(e[0])
        for c in x["data"]["commands"]:
            if c[0] in ("activity", "timer", "child") and c[1] > 0:
                if c[1] in issued:
                    out.append(("history", f"{wid}: event id {c[1]} issued twice"))
                issued[c[1]] = c[0]
    dup = [e for e, n in Counter(delivered).items() if n > 1]
    if dup:
        out.append(("history", f"{wid}: outcomes delivered more than once: {dup}"))
    if status in ("completed", "failed"):
        missing = [e for e, k in issued.items() if k == "activity" and e not in delivered]
        # a workflow that failed may have left activities (a child that raised right after one)
        if missing and status == "completed":
            out.append(("history", f"{wid}: activities issued but their outcome never delivered: {missing}"))
    return out


SNAP_TRIGGERS = """
CREATE TABLE IF NOT EXISTS fuzz_snaps(workflow_id TEXT, step INTEGER, data BLOB);
CREATE TRIGGER IF NOT EXISTS fuzz_snaps_i AFTER INSERT ON snapshots
  BEGIN INSERT INTO fuzz_snaps VALUES (new.workflow_id, new.step, new.data); END;
CREATE TRIGGER IF NOT EXISTS fuzz_snaps_u AFTER UPDATE ON snapshots
  BEGIN INSERT INTO fuzz_snaps VALUES (new.workflow_id, new.step, new.data); END;
"""


def keep_snapshots(store: Any) -> None:
    """Every step's snapshot kept in `fuzz_snaps` (the engine keeps only the latest),
    so that a verify mismatch can be looked into. A trigger: the engine is unchanged."""
    store.db.executescript(SNAP_TRIGGERS)


def _leaf_diffs(a: Any, b: Any, out: list[tuple[Any, Any]], limit: int = 20) -> bool:
    """Collect differing leaves of two decoded snapshots; False if their shapes differ."""
    if len(out) > limit:
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        return all(_leaf_diffs(a[k], b[k], out, limit) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return False
        return all(_leaf_diffs(x, y, out, limit) for x, y in zip(a, b))
    if a != b:
        out.append((a, b))
    return True


def _is_traceback(v: Any) -> bool:
    return isinstance(v, (bytes, str)) and ("stack traceback:" in v if isinstance(v, str)
                                            else b"stack traceback:" in v)


def classify_snapshot_mismatch(host: Any, wid: str, step: int) -> str:
    """Replay `wid` to `step` and compare its snapshot with the one the live run
    committed there: `traceback` if they differ only in traceback strings (a
    restored state's `debug.traceback` lacks a frame: test_workflows_regressions.py),
    else a description of the first differences."""
    from luavm import snapshot as snap_mod
    from wippy import codebook
    from wippy.workflows.verify import ReplayReport, _replay_run

    rows = host.store.db.execute("SELECT data FROM fuzz_snaps WHERE workflow_id = ? AND step = ?",
                                 (wid, step)).fetchall()
    if not rows:
        return "(the live snapshot was not kept)"
    row = host.store.get(wid)
    bundle = host.store.code(row.code_hash or "")
    run = _replay_run(host, row, bundle, ReplayReport(row.id, row.run_id))
    for h in host.store.history(wid, row.run_id):
        if h["kind"] != "step":
            continue
        d = h["data"]
        run.begin_step(h["step"], int(d.get("time") or 0))
        run.recorded = d.get("commands") or []
        run.events = [list(e) for e in d.get("events") or []]
        run.history_length = h["seq"] - 1
        run.step()
        if h["step"] == step:
            break
    if run.outcome is not None:
        return "(the replay ended before that step)"
    mine = snap_mod.read(run.task.snapshot(code=codebook.book()))
    live = snap_mod.read(rows[-1][0])
    diffs: list[tuple[Any, Any]] = []
    if not _leaf_diffs([live[0], live[1]], [mine[0], mine[1]], diffs):
        return f"the states differ in shape; first differing leaves: {diffs[:3]!r:.800}"
    if diffs and all(_is_traceback(x) and _is_traceback(y) for x, y in diffs):
        return "traceback"
    return f"differing leaves (live, replayed): {diffs[:3]!r:.800}"


async def _collect(host: Any, rec: RunRecord, catcher: _LogCatcher) -> None:
    """After the main workflow closed: wait for the rest, verify, read the histories."""
    from wippy.workflows.verify import verify

    t0 = time.monotonic()
    while True:
        running = [r.id for r in host.store.list(status="running")]
        if not running:
            break
        if time.monotonic() - t0 > STUCK_S:
            rec.problems.append(("stuck", f"still running after the main workflow ended: {running}"))
            break
        await asyncio.wait_for(host.result(running[0]), STUCK_S)
    rows = {r.id: r for r in host.store.list()}
    hists = {wid: host.store.history(wid) for wid in rows}
    labels = _labels(hists)
    for wid, row in rows.items():
        label = labels.get(wid, f"?{wid}")
        rec.statuses[label] = row.status
        h = hists[wid]
        rec.commands[label] = [_norm_command(c, labels) for x in h if x["kind"] == "step"
                               for c in x["data"]["commands"]]
        for x in h:
            if x["kind"] == "step":
                for c in x["data"]["commands"]:
                    if c[0] == "activity":
                        rec.activity_keys.append(f"{wid}/{row.run_id}/{c[1]}")
        rec.problems.extend(_check_history(wid, row.status, h))
        rep = verify(host, wid)
        if not rep.ok:
            kind, why = "verify", ""
            m = rep.mismatch
            if m is not None and "differs from the recorded snapshot" in m.what:
                why = classify_snapshot_mismatch(host, wid, m.step)
                if why == "traceback":
                    kind, why = "verify-traceback", ("the states differ only in traceback strings "
                                                     "(a restored coroutine's debug.traceback lacks a frame)")
            rec.problems.append((kind, f"{wid} ({label}): {m}; {'; '.join(rep.notes)}"
                                       + (f"\n  {why}" if why else "")))
    m = rows.get(MAIN)
    if m is not None:
        rec.outcome = {"status": m.status, "value": m.result, "error": m.error}
    for e in catcher.errors:
        rec.problems.append(("engine-error", e))
    for e in catcher.unusable:
        kind = "snapshot-code-missing" if "is not available to restore" in e else "snapshot-unusable"
        rec.problems.append((kind, e))


def run_inprocess(case: WorkflowCase, workdir: Path, *, store: str, crashes: list[tuple[str, int]],
                  inject: int | None, carry_clock: bool = True) -> RunRecord:
    """Run the case's workflow to the end, crashing in-process as planned.

    `carry_clock`: a restarted host's virtual clock starts where the dead one's
    was (the engine restarts it at the wall clock, so workflow time goes back
    after a restart: test_workflows_regressions.py); False shows that bug."""
    import wippy
    from wippy.registry import load_registry

    root = write_app(workdir, case, store)
    registry = load_registry(root)
    ledger = Ledger(inject)
    switch = CrashSwitch()
    rec = RunRecord()
    plan = list(crashes)
    dead: list[tuple[Any, asyncio.AbstractEventLoop]] = []
    started = False
    try:
        with patched_engine(switch) as catcher:
            while True:
                switch.arm(plan.pop(0) if plan else None)
                rec.incarnations += 1
                app = wippy.App(registry)
                ledger.register(app)
                host = app.workflow_host("app:wf_host")
                keep_snapshots(host.store)
                for old, _ in dead:  # what _free_dead_owners does for a process that is gone
                    host.store.release(old.owner)
                    if carry_clock:
                        host.vnow = max(host.vnow, old.vnow)
                loop = asyncio.new_event_loop()

                async def go(host: Any = host) -> Any:
                    nonlocal started
                    if not started:
                        wid, err = host.start_workflow("app:main", [main_input(case)], {"workflow.id": MAIN})
                        assert err is None, err
                        for topic, data in case.signals:
                            assert host.signal(MAIN, topic, data) is None
                        started = True  # (committed: nothing above yields to the loop)
                    else:
                        host.ensure_started()
                    await asyncio.wait_for(host.result(MAIN), STUCK_S)
                    await _collect(host, rec, catcher)

                try:
                    loop.run_until_complete(go())
                except SimulatedCrash as c:
                    rec.crashes.append(str(c))
                    loop.set_exception_handler(lambda _loop, _ctx: None)
                    dead.append((host, loop))
                    continue
                except TimeoutError:
                    rec.problems.append(("stuck", f"the main workflow did not end within {STUCK_S:.0f} s "
                                                  f"(incarnation {rec.incarnations}; status "
                                                  f"{host.store.get(MAIN).status if host.store.get(MAIN) else '?'})"))
                    loop.set_exception_handler(lambda _loop, _ctx: None)
                    dead.append((host, loop))
                    break
                app.close()
                loop.close()
                break
    finally:
        _bury(dead)
    rec.effects = ledger.effects
    return rec


def _bury(dead: list[tuple[Any, asyncio.AbstractEventLoop]]) -> None:
    """Dispose of abandoned incarnations without running any of their code: close
    their coroutines (else they are finalised at interpreter exit, when imports fail)
    and loops, then their store connections."""
    for h, lp in dead:
        for t in asyncio.all_tasks(lp):
            with contextlib.suppress(BaseException):
                t.get_coro().close()
        with contextlib.suppress(Exception):
            lp.close()
        with contextlib.suppress(Exception):
            h.store.close()
    dead.clear()


# ------------------------------------------------------------------ SIGKILL mode


def runner_main(app_dir: str, ledger_path: str, inject: str) -> None:
    """A `wippy run` of the case's app with the harness's activities (subprocess)."""
    import wippy
    from wippy.workflows import engine

    engine._uuid = _RunIds()  # type: ignore[assignment]
    app = wippy.App(app_dir)
    Ledger(None if inject == "-" else int(inject), Path(ledger_path)).register(app)

    async def serve() -> None:
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await app.serve(stop)

    asyncio.run(serve())


def run_sigkill(case: WorkflowCase, workdir: Path, *, crashes: list[tuple[str, int]],
                inject: int | None) -> RunRecord:
    import wippy
    from wippy.workflows import engine

    root = write_app(workdir, case, "crash.db")
    ledger_path = workdir / "ledger.jsonl"
    ledger_path.touch()
    rec = RunRecord()
    rnd = random.Random(sub_seed(case.seed, "kill"))
    old_uuid = engine._uuid
    engine._uuid = _RunIds()  # type: ignore[assignment]
    try:
        client = wippy.App(root).workflow_client("app:wf_host")
        keep_snapshots(client.store)
        _, err = client.start_workflow("app:main", [main_input(case)], {"workflow.id": MAIN})
        assert err is None, err
        for topic, data in case.signals:
            assert client.signal(MAIN, topic, data) is None
    finally:
        engine._uuid = old_uuid

    def all_done() -> bool:
        return all(r.status != "running" for r in client.store.list())

    def start(point: str | None) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.pop("WIPPY_CRASHPOINT", None)
        env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
        if point:
            env["WIPPY_CRASHPOINT"] = point
        return subprocess.Popen([sys.executable, "-m", "fuzz.targets.workflows", "--runner", str(root),
                                 str(ledger_path), "-" if inject is None else str(inject)],
                                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    for point, n in crashes:
        if all_done():
            break
        rec.incarnations += 1
        if point == ANY_POINT:
            proc = start(None)
            time.sleep(0.6 + rnd.uniform(0.0, 0.8))  # (≈ 0.6 s to start)
        else:
            proc = start(f"{point}:{n}")
            t0 = time.time()
            while proc.poll() is None and not all_done() and time.time() - t0 < 10:
                time.sleep(0.02)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        rec.crashes.append(point if proc.returncode == -9 else "")
        if proc.returncode not in (-9, 0, -15):
            err_text = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            rec.problems.append(("engine-error", f"runner exited with {proc.returncode}: {err_text}"))
    rec.crashes = [c for c in rec.crashes if c]
    rec.incarnations += 1
    proc = start(None)
    t0 = time.time()
    while not all_done() and time.time() - t0 < STUCK_S + 5:
        time.sleep(0.02)
    proc.terminate()
    proc.wait(10)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if not all_done():
        rec.problems.append(("stuck", f"not all workflows ended within {STUCK_S:.0f} s of the last restart"))
    catcher = _LogCatcher()
    for ln in stderr.splitlines():
        if "step failed" in ln or "Traceback" in ln:
            catcher.errors.append(ln)
        if "snapshot unusable" in ln:
            catcher.unusable.append(ln)
    app = wippy.App(root)
    host = app.workflow_host("app:wf_host")

    async def collect() -> None:
        host.passive = True  # (read and verify only: run nothing)
        await _collect(host, rec, catcher)

    with patched_engine(None):
        wippy.run_sync(collect)
    host.store.close()
    client.store.close()
    rec.effects = Ledger.load(ledger_path)
    return rec


# ------------------------------------------------------------------ the oracle


def _strip_tm(v: Any) -> tuple[Any, Any]:
    if isinstance(v, dict) and "tm" in v:
        rest = {k: x for k, x in v.items() if k != "tm"}
        return rest, v["tm"]
    return v, None


def _diff(a: Any, b: Any, path: str = "") -> str:
    """Where two plain values first differ."""
    if type(a) is not type(b):
        return f"{path or '.'}: {a!r:.300} != {b!r:.300}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b), key=repr):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'crash run' if k in b else 'reference'}"
            d = _diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return ""
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = _diff(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        return ""
    return "" if a == b else f"{path or '.'}: {a!r:.300} != {b!r:.300}"


def _canon(v: Any) -> str:
    return json.dumps(v, sort_keys=True, default=repr)


def compare(case: WorkflowCase, ref: RunRecord, crash: RunRecord, inject: int | None) -> list[Finding]:
    """Every kind of difference between the reference run and the crash run (one
    finding per kind, the first instance of each)."""
    ctx = (f"case seed {case.seed}; crash plan {case.crashes}; crashes that happened {crash.crashes}; "
           f"failures injected: {'yes' if inject is not None else 'no'}; incarnations {crash.incarnations}")
    out: dict[str, Finding] = {}

    def add(kind: str, detail: str) -> None:
        if kind not in out:
            out[kind] = Finding(kind, f"{detail}\n{ctx}")

    for kind, detail in ref.problems:
        add("reference-failed" if kind == "stuck" else kind, f"reference run: {detail}")
    if ref.outcome is None or ref.outcome["status"] != "completed":
        add("reference-failed", f"reference run: {ref.outcome}")
    if out:
        return list(out.values())  # nothing to compare with
    for kind, detail in crash.problems:
        add(kind, f"crash run: {detail}")
    if crash.outcome is None:
        add("stuck", "crash run: no outcome")
        return list(out.values())
    a, ta = _strip_tm(ref.outcome.get("value"))
    b, tb = _strip_tm(crash.outcome.get("value"))
    if crash.outcome["status"] != ref.outcome["status"] or ref.outcome.get("error") != crash.outcome.get("error"):
        add("result-differs", f"reference: {ref.outcome!r:.1500}\ncrash run: {crash.outcome!r:.1500}")
    elif a != b:
        add("result-differs", f"first difference (reference != crash run): {_diff(a, b)}")
    if not (isinstance(ta, dict) and ta.get("mono") is True and all(ta.get("slept") or [])):
        add("time-reference", f"the reference run's clock: {ta!r}")
    elif ta != tb:
        add("time-differs", f"workflow clock (mono: never went back; slept[i]: the i-th sleep lasted at least "
                            f"its duration)\nreference: {ta!r}\ncrash run: {tb!r}")
    if ref.statuses != crash.statuses:
        add("status-differs", f"reference: {ref.statuses}\ncrash run: {crash.statuses}")
    for label, cmds in ref.commands.items():
        other = crash.commands.get(label, [])
        same_seq = cmds == other
        same_set = sorted(map(_canon, cmds)) == sorted(map(_canon, other))
        if not same_set or (not same_seq and case.ordered and inject is None):
            add("commands-differ", f"{label}: {'as a multiset' if not same_set else 'in order'}: "
                                   f"{_diff(cmds, other)}")
    # effects: the reference ran each activity once; the crash run at least once
    for rec, name in ((ref, "reference"), (crash, "crash run")):
        ok_by_key = Counter(e.key for e in rec.effects if e.ok)
        missing = [k for k in rec.activity_keys if ok_by_key[k] == 0]
        if missing:
            add("effects", f"{name}: activities issued but never run to the end: {missing[:5]}")
    ref_act = Counter(e.key for e in ref.effects if e.target == "py:act")
    if any(n != 1 for n in ref_act.values()):
        add("effects", f"reference: an activity ran more than once: {[k for k, n in ref_act.items() if n != 1]}")
    succ = Counter(e.key for e in crash.effects if e.ok and e.target == "py:act")
    over = {k: n for k, n in succ.items() if n > len(crash.crashes) + 1}
    if over:
        add("effects", f"crash run: activities ran to success more often than crashes + 1 "
                       f"({len(crash.crashes)} crashes): {over}")
    return list(out.values())


# Findings of these kinds come from known bugs (each has a strict-xfail regression test
# in tests/wippy/test_workflows_regressions.py); the CI smoke test tolerates them.
KNOWN: dict[str, str] = {}  # (none open: the three kinds below were fixed on 2026-12-07, see fuzz/README.md)


@dataclass
class CaseResult:
    findings: list[Finding] = field(default_factory=list)
    crashes: int = 0
    incarnations: int = 0
    inject: bool = False

    @property
    def finding(self) -> Finding | None:
        """The first finding not of a known kind (else the first)."""
        new = [f for f in self.findings if f.kind not in KNOWN]
        return new[0] if new else (self.findings[0] if self.findings else None)


def check_case(case: WorkflowCase, *, sigkill: bool = False, carry_clock: bool = True) -> CaseResult:
    tmp = Path(tempfile.mkdtemp(prefix="fuzz-wf-"))
    wd = common.watchdog()
    timeout = CaseResult([Finding("timeout", f"the case took more than {LIMIT:.0f} s")])
    try:
        wd.start(LIMIT)
        try:
            ref = run_inprocess(case, tmp / "ref", store=":memory:", crashes=[], inject=None)
            if sigkill:
                crash = run_sigkill(case, tmp / "crash", crashes=case.crashes, inject=case.inject)
            else:
                crash = run_inprocess(case, tmp / "crash", store="crash.db", crashes=case.crashes,
                                      inject=case.inject, carry_clock=carry_clock)
        except common.CaseTimeout:
            return timeout
        finally:
            if wd.stop():
                return timeout  # noqa: B012
        return CaseResult(compare(case, ref, crash, case.inject), len(crash.crashes), crash.incarnations,
                          case.inject is not None)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ shrinking


def shrink(case: WorkflowCase, kind: str, *, sigkill: bool = False, budget: int = 40,
           log_fn: Any = None, carry_clock: bool = True) -> WorkflowCase:
    """Smaller cases failing with the same kind: fewer crashes, no injected failures,
    fewer top-level blocks (each block draws from its own seed, so the others stay)."""
    tries = 0

    def fails(c: WorkflowCase) -> bool:
        nonlocal tries
        tries += 1
        try:
            fs = check_case(c, sigkill=sigkill, carry_clock=carry_clock).findings
        except Exception:  # noqa: BLE001 - a candidate the harness cannot run is not smaller
            return False
        return any(f.kind == kind for f in fs)

    best = case
    keep = set(range(case.nblocks))
    crashes = list(case.crashes)
    inject = case.inject is not None

    def make(k: set[int], cr: list[tuple[str, int]], inj: bool) -> WorkflowCase:
        return generate(case.seed, keep=k, crashes=cr, inject=inj)

    if generate(case.seed).main != case.main:
        return case  # written by another generator version: keep it as it is
    if inject and tries < budget:
        c = make(keep, crashes, False)
        if fails(c):
            best, inject = c, False
    i = 0
    while i < len(crashes) and tries < budget and len(crashes) > 0:
        cr = crashes[:i] + crashes[i + 1:]
        c = make(keep, cr, inject)
        if fails(c):
            best, crashes = c, cr
        else:
            i += 1
    for b in sorted(keep, reverse=True):
        if tries >= budget or len(keep) <= 1:
            break
        k = keep - {b}
        c = make(k, crashes, inject)
        if fails(c):
            best, keep = c, k
    if log_fn:
        log_fn(f"[{TARGET}] shrunk in {tries} tries: {len(best.blocks)} blocks, crashes {best.crashes}")
    return best


# ------------------------------------------------------------------ the campaign


def case_seed(seed: int, i: int) -> int:
    return seed * 1_000_000 + i


def save_finding(case: WorkflowCase, f: Finding, *, seed: int, findings_dir: Path) -> Path:
    findings_dir.mkdir(parents=True, exist_ok=True)
    data = json.dumps(case.to_json(), indent=1, default=repr)
    h = hashlib.sha1(data.encode()).hexdigest()[:12]
    path = findings_dir / f"{TARGET}-{h}.json"
    path.write_text(data)
    (findings_dir / f"{TARGET}-{h}.lua").write_text(case.main)
    rel = os.path.relpath(path, ROOT)
    path.with_suffix(".txt").write_text(
        f"target: {TARGET}\nkind: {f.kind}\ncampaign seed: {seed}\ncase seed: {case.seed}\n"
        f"reproduce: python -m fuzz repro {rel}\n"
        f"main workflow: {os.path.relpath(path.with_suffix('.lua'), ROOT)}\n"
        f"signals sent at start: {case.signals}\ncrash plan: {case.crashes}\n"
        f"failures injected: {case.inject is not None}\nordered: {case.ordered}\n\n{f.detail}\n",
        encoding="utf-8", errors="backslashreplace")
    return path


def run(count: int, seed: int, time_budget: float | None = None, *, findings_dir: Path = FINDINGS,
        log: Any = None, chunk: int = 200, sigkill: bool | None = None, shrink_budget: int = 40,
        carry_clock: bool | None = None) -> Stats:
    """`count` cases: case i of campaign `seed` is `generate(seed * 1_000_000 + i)`.

    Every kind a case shows is counted (`kind:<kind>` counters); the first
    SAVE_PER_KIND cases of each kind are shrunk and written. `stats.findings` holds
    the written ones. `chunk` is unused (each case is its own seed)."""
    if sigkill is None:
        sigkill = os.environ.get("FUZZ_WORKFLOWS_SIGKILL", "") not in ("", "0")
    if carry_clock is None:
        carry_clock = os.environ.get("FUZZ_WORKFLOWS_CLOCK_BUG", "") in ("", "0")
    stats = Stats(TARGET, seed)
    t0 = time.monotonic()
    saved: Counter[str] = Counter()
    with common.no_disk_cache():
        for i in range(count):
            if time_budget is not None and time.monotonic() - t0 > time_budget:
                break
            case = generate(case_seed(seed, i))
            stats.cases += 1
            try:
                res = check_case(case, sigkill=sigkill, carry_clock=carry_clock)
            except Exception as e:  # noqa: BLE001 - the harness itself failed: a finding too
                name, tb = common._describe_pyexc(e)
                res = CaseResult([Finding(f"harness-error:{name}", f"the fuzz harness itself failed:\n{tb}")])
            stats.bump("crashes", res.crashes)
            stats.bump("restarts", max(res.incarnations - 1, 0))
            stats.bump("injected", int(res.inject))
            if res.findings:
                stats.bump("failing")
                stats.bump("known" if all(f.kind in KNOWN for f in res.findings) else "new")
            if log and stats.cases % 100 == 0:
                log(f"[{TARGET}] {stats.cases} cases, {stats.counters.get('failing', 0)} failing, "
                    f"{stats.counters.get('crashes', 0)} crashes, {time.monotonic() - t0:.0f} s")
            for f in res.findings:
                stats.bump(f"kind:{f.kind}")
                if saved[f.kind] >= SAVE_PER_KIND:
                    continue
                saved[f.kind] += 1
                if log:
                    log(f"[{TARGET}] case {case.seed}: {f.kind} - shrinking")
                small = case
                if not f.kind.startswith(("harness-error", "timeout")):
                    small = shrink(case, f.kind, sigkill=sigkill, budget=shrink_budget, log_fn=log,
                                   carry_clock=carry_clock)
                if small is not case:
                    again = [g for g in check_case(small, sigkill=sigkill, carry_clock=carry_clock).findings
                             if g.kind == f.kind]
                    if again:
                        f = again[0]
                    else:
                        small = case
                path = save_finding(small, f, seed=seed, findings_dir=findings_dir)
                stats.findings.append((f, f"case {case.seed}", path))
                if log:
                    log(f"[{TARGET}] {f.kind}: written to {path}")
    return stats


def summary(stats: Stats) -> str:
    c = stats.counters
    kinds = ", ".join(f"{k[5:]}{' (known)' if k[5:] in KNOWN else ''} x{n}"
                      for k, n in sorted(c.items()) if k.startswith("kind:"))
    return (f"{stats.cases} workflows, {c.get('crashes', 0)} crashes, {c.get('restarts', 0)} restarts, "
            f"{c.get('injected', 0)} with injected failures; {c.get('failing', 0)} failing cases "
            f"({c.get('new', 0)} with new kinds)" + (f": {kinds}" if kinds else ""))


def repro(path: Path) -> Finding | None:
    p = path if path.suffix == ".json" else path.with_suffix(".json")
    case = WorkflowCase.from_json(json.loads(p.read_text()))
    sigkill = os.environ.get("FUZZ_WORKFLOWS_SIGKILL", "") not in ("", "0")
    carry = os.environ.get("FUZZ_WORKFLOWS_CLOCK_BUG", "") in ("", "0")
    return check_case(case, sigkill=sigkill, carry_clock=carry).finding


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--runner":
        runner_main(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.stderr.write("usage: python -m fuzz workflows --count N --seed S  (this module: --runner, internal)\n")
        sys.exit(2)
