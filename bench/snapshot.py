"""Snapshot figures: time and size of snapshot/restore for a state of ~10,000 live
objects, and the cost of one suspension (suspend + resume, no snapshot) at Lua
stack depths 1, 10 and 100.

    python -m bench.snapshot [--objects N] [--runs R]
"""

from __future__ import annotations

import argparse
import statistics
import time

import luavm


def ask(v):  # noqa: ANN001, ANN201 - the host function the Lua code calls
    return luavm.suspend(v)


STATE = """
local n = ...
local nodes = {}
for i = 1, n do
  -- a table, a closure sharing an upvalue box with its siblings, a string
  local node = {id = i, name = "node" .. i, tags = {i % 7, i % 11}}
  node.self = node
  nodes[i] = node
end
local shared = 0
local bump = function() shared = shared + 1 return shared end
for i = 1, n, 10 do nodes[i].bump = bump end
local co = coroutine.wrap(function() while true do coroutine.yield(ask("in co")) end end)
local r = ask("ready")
return #nodes, r, co()
"""

DEPTH = """
local depth, rounds = ...
local function down(d)
  if d == 0 then
    local s = 0
    for i = 1, rounds do s = s + ask(i) end
    return s
  end
  return 1 + down(d - 1)
end
return down(depth)
"""


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


def objects_in(data: bytes) -> int:
    from luavm import snapshot

    _, objects, _ = snapshot.read(data)
    return len(objects)


def bench_state(n: int, runs: int) -> dict:
    rt = luavm.LuaRuntime(seed=1)
    rt.globals()["ask"] = ask
    task = rt.task(STATE, n, chunkname="=state")
    task.run()
    snaps, restores = [], []
    data = b""
    for _ in range(runs):
        t = time.perf_counter()
        data = task.snapshot()
        snaps.append(time.perf_counter() - t)
        t = time.perf_counter()
        luavm.restore(data)
        restores.append(time.perf_counter() - t)
    return {"objects": objects_in(data), "bytes": len(data), "snapshot_s": _median(snaps),
            "restore_s": _median(restores)}


def bench_depth(depth: int, rounds: int) -> float:
    """Seconds per suspension (suspend + resume in process) at a given stack depth."""
    rt = luavm.LuaRuntime(seed=1)
    rt.globals()["ask"] = ask
    task = rt.task(DEPTH, depth, rounds, chunkname="=depth")
    t = time.perf_counter()
    task.run()
    while not task.done:
        task.run(1)
    return (time.perf_counter() - t) / rounds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--objects", type=int, default=5000, help="nodes (each ~2 tables, plus closures)")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    s = bench_state(args.objects, args.runs)
    print(f"state: {s['objects']} objects in the snapshot, {s['bytes'] / 1024:.0f} KiB")
    print(f"  snapshot {s['snapshot_s'] * 1000:.1f} ms, restore {s['restore_s'] * 1000:.1f} ms "
          f"(median of {args.runs})")
    for depth in (1, 10, 100):
        per = bench_depth(depth, 2000)
        print(f"suspension at depth {depth:3d}: {per * 1e6:8.1f} µs per suspend+resume")


if __name__ == "__main__":
    main()
