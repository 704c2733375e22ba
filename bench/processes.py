"""Figures for wippy's processes: `python -m bench.processes [--quick] [--procs N] [--no-preempt]`.

Prints (figures only, no assertions):
- message round trip between two processes (µs), timed in Lua (and the CPU
  time of the whole run per round trip, steadier on a shared machine);
- spawn + exit of a trivial process (µs): a process spawns a monitored child
  that returns at once and waits for its exit event, over and over;
- N processes (default 10,000) in a ring, each sending M messages to the next
  and receiving M: messages/s from the first send to the last exit (spawn time
  reported apart);
- memory per idle process (KB): tracemalloc's traced size before and after
  starting K processes that each wait in `inbox:receive()`;
- luavm preemption: the bench programs run as a Task three ways — no limits,
  step counting only (`max_instructions`), and `preempt_every=10000` driven
  to completion — with the number of preemptions and the cost of each.

Every part runs on one event loop in this process (`wippy.run_sync`), with the
host's default limits (preempt_every 10000, step_timeout 10s) unless said.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import textwrap
import time
import tracemalloc
from pathlib import Path
from typing import Any

import yaml

ECHO = """
return function()
  local inbox = process.inbox()
  while true do
    local m = inbox:receive()
    if m:topic() == "stop" then return true end
    process.send(m:from(), "pong", m:payload():data())
  end
end
"""
PING = """
local time = require("time")
return function(rounds)
  local echo = process.spawn("echo", "processes")
  local inbox = process.inbox()
  for i = 1, 50 do process.send(echo, "ping", i) inbox:receive() end    -- warm up
  local t0 = time.now()
  for i = 1, rounds do
    process.send(echo, "ping", i)
    inbox:receive()
  end
  local us = time.now():sub(t0):microseconds()
  process.send(echo, "stop")
  return us / rounds
end
"""
TRIVIAL = "return function() return 1 end"
SPAWNER = """
local time = require("time")
return function(n)
  local events = process.events()
  for i = 1, 10 do process.spawn_monitored("trivial", "processes") events:receive() end   -- warm up
  local t0 = time.now()
  for i = 1, n do
    process.spawn_monitored("trivial", "processes")
    events:receive()
  end
  return time.now():sub(t0):microseconds() / n
end
"""
RING = """
return function(m)
  local inbox = process.inbox()
  local nxt = inbox:receive():payload():data()
  for i = 1, m do process.send(nxt, "tok", i) end
  for i = 1, m do inbox:receive() end
  return m
end
"""
IDLE = "return function() process.inbox():receive() return true end"


def write_app(root: Path) -> Path:
    src = root / "src"
    src.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = [{"name": "processes", "kind": "process.host"}]
    for name, code in {"echo": ECHO, "ping": PING, "trivial": TRIVIAL, "spawner": SPAWNER, "ring": RING,
                       "idle": IDLE}.items():
        (src / f"{name}.lua").write_text(textwrap.dedent(code))
        entries.append({"name": name, "kind": "process.lua", "modules": ["time"], "source": f"file://{name}.lua"})
    (src / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app", "entries": entries}))
    return root


async def run_one(app: Any, entry: str, *args: Any) -> Any:
    fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def done(p: Any) -> None:
        if not fut.done():
            fut.set_result(p.outcome)

    app.processes.start_process(f"app:{entry}", "app:processes", list(args), on_exit=done)
    o = await fut
    if o.error is not None:
        raise RuntimeError(f"{entry}: {o.error}")
    return o.value


async def timed(app: Any, entry: str, n: int) -> tuple[float, float]:
    """(µs per op as the entry times it in Lua, this process's CPU µs per op: the
    whole run, warm-up included), medians of 3; CPU time is steadier than wall
    time on a shared machine."""
    wall, cpu = [], []
    for _ in range(3):
        c = time.process_time()
        wall.append(await run_one(app, entry, n))
        cpu.append((time.process_time() - c) / n * 1e6)
    return statistics.median(wall), statistics.median(cpu)


async def ring(app: Any, n: int, m: int) -> tuple[float, float]:
    """(spawn seconds, messages per second) for n processes sending m each."""
    node = app.processes
    loop = asyncio.get_running_loop()
    left = [n]
    done = loop.create_future()

    def exited(p: Any) -> None:
        left[0] -= 1
        if left[0] == 0 and not done.done():
            done.set_result(None)

    t0 = time.perf_counter()
    procs = [node.start_process("app:ring", "app:processes", [m], on_exit=exited) for _ in range(n)]
    spawn_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    for i, p in enumerate(procs):
        node.send("", p.pid, "next", procs[(i + 1) % n].pid)
    await done
    return spawn_s, n * m / (time.perf_counter() - t1)


async def idle_memory(app: Any, k: int) -> float:
    node = app.processes
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    procs = [node.start_process("app:idle", "app:processes") for _ in range(k)]
    while any(p.steps == 0 for p in procs):
        await asyncio.sleep(0.01)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    for p in procs:
        p.terminate("done")
    return (after - before) / k / 1024


def processes_part(args: argparse.Namespace) -> None:
    import wippy

    root = write_app(Path(tempfile.mkdtemp(prefix="wippy-bench-")))
    rounds = 300 if args.quick else 2000
    spawns = 50 if args.quick else 300
    n = min(args.procs, 1000) if args.quick else args.procs

    async def go() -> None:
        app = wippy.App(root)
        try:
            await run_one(app, "trivial")  # compiles the kernel and modules for counting once
            rt, rt_cpu = await timed(app, "ping", rounds)
            print(f"message round trip between two processes: {rt:9.1f} µs   (median of 3 x {rounds}; "
                  f"CPU {rt_cpu:.1f} µs)")
            sp, sp_cpu = await timed(app, "spawner", spawns)
            print(f"spawn + exit of a trivial process:        {sp:9.1f} µs   (median of 3 x {spawns}; "
                  f"CPU {sp_cpu:.1f} µs)")
            spawn_s, rate = await ring(app, n, args.msgs)
            print(f"{n} processes in a ring, {args.msgs} messages each: {rate:9.0f} messages/s "
                  f"(spawning them took {spawn_s:.1f} s, {spawn_s / n * 1e6:.0f} µs each)")
            kb = await idle_memory(app, min(500, n))
            print(f"memory per idle process (tracemalloc):    {kb:9.1f} KB")
        finally:
            app.close()

    wippy.run_sync(go)


# ------------------------------------------------------------------ preemption cost

# sizes that take ~0.2-1 s under luavm (a quarter of the manifest's n, except where
# the work grows exponentially with n)
MID_SIZES = {"fib": 27, "binary_trees": 13, "fannkuch_redux": 8, "richards": 4}

def preempt_part(args: argparse.Namespace) -> None:
    import luavm
    from luavm.host import run_with_big_stack

    from .programs.manifest import PROGRAMS
    from .worker import normalize

    here = Path(__file__).resolve().parent / "programs"
    modes: dict[str, dict[str, Any]] = {"off": {}, "counting": {"max_instructions": 10**12},
                                        "preempt": {"preempt_every": args.preempt_every}}
    print(f"\nluavm preemption, preempt_every={args.preempt_every} (bench programs at "
          f"{'quick' if args.quick else 'mid'} size, as Tasks; CPU seconds, best of {args.runs}):")
    print(f"{'program':16} {'off s':>8} {'count s':>8} {'preempt s':>9} {'preempts':>9} "
          f"{'vs off':>7} {'vs count':>8} {'µs/preempt':>10}")
    ratios: list[float] = []
    ratios_c: list[float] = []

    def one(src: bytes, n: int, kw: dict[str, Any], path: str) -> tuple[float, str, int]:
        rt = luavm.LuaRuntime(host_access=True, **kw)
        rt.call(rt.load(src, "@" + path))
        task = rt.task("return bench(...)", n)
        c0 = time.process_time()
        task.run()
        k = 0
        while task.preempted:
            k += 1
            task.run()
        return time.process_time() - c0, normalize(task.result[0] if task.result else None), k

    for p in PROGRAMS:
        if args.only and p.name not in args.only.split(","):
            continue
        n = p.quick_n if args.quick else MID_SIZES.get(p.name, max(p.quick_n, p.n // 4))
        path = str(here / f"{p.name}.lua")
        src = Path(path).read_bytes()
        times: dict[str, list[float]] = {m: [] for m in modes}
        preempts = 0
        bad = ""
        for _ in range(args.runs):  # modes alternate run by run: a slow patch of the machine hits all
            for mode, kw in modes.items():
                t, res, k = run_with_big_stack(
                    lambda kw=kw, src=src, n=n, path=path: one(src, n, kw, path))  # type: ignore[misc]
                times[mode].append(t)
                if mode == "preempt":
                    preempts = k
                if args.quick and res != p.quick_expected:
                    bad = f"wrong result {res!r}"
        best = {m: min(ts) for m, ts in times.items()}
        r = best["preempt"] / best["off"]
        rc = best["preempt"] / best["counting"]
        ratios.append(r)
        ratios_c.append(rc)
        per = (best["preempt"] - best["counting"]) / preempts * 1e6 if preempts else float("nan")
        print(f"{p.name:16} {best['off']:8.3f} {best['counting']:8.3f} {best['preempt']:9.3f} {preempts:9d} "
              f"{r:7.2f} {rc:8.2f} {per:10.1f} {bad}")
    if ratios:
        g = statistics.geometric_mean(ratios)
        gc_ = statistics.geometric_mean(ratios_c)
        print(f"{'geometric mean':16} {'':8} {'':8} {'':9} {'':9} {g:7.2f} {gc_:8.2f}")
    print("(disabled — no preempt_every — the generated code and the runtime are unchanged: zero cost)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small counts (a smoke run)")
    ap.add_argument("--procs", type=int, default=10_000, help="processes in the ring (default 10000)")
    ap.add_argument("--msgs", type=int, default=3, help="messages each ring process sends (default 3)")
    ap.add_argument("--no-preempt", action="store_true", help="skip the preemption part")
    ap.add_argument("--no-processes", action="store_true", help="skip the processes part")
    ap.add_argument("--preempt-every", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3, help="runs per mode in the preemption part")
    ap.add_argument("--only", default="", help="comma-separated bench programs for the preemption part")
    args = ap.parse_args(argv)
    if not args.no_processes:
        processes_part(args)
    if not args.no_preempt:
        preempt_part(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
