"""The cost of resource limits: `python -m bench.limits [--only A,B] [--runs N] [--quick]`.

Runs every benchmark program (bench/programs, sizes from the manifest) under
luavm twice — `LuaRuntime()` with no limits, and `LuaRuntime(max_instructions=
10**12, timeout=3600)` — each run in a fresh subprocess, alternating the two
modes run by run, and prints the median bench(n) CPU time (process_time: on a
shared machine, wall time mostly measures the other jobs) of each, the overhead
(limited / unlimited - 1) per program and its geometric mean, and the same for
wall time. Results are checked against the manifest. The steps column is what the limited run charged
(function entries, loop iterations, bulk work in builtins).

Code compiled for a limited runtime counts a step at every function entry and
loop iteration (`_S[0] -= 1; if _S[0] < 0: _refill()`), so the overhead is
largest for tight loops of cheap operations and for call-heavy code.

    python -m bench.limits --worker off|on PATH.lua N    (one run; prints JSON)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .programs.manifest import BY_NAME, PROGRAMS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIMITS = {"max_instructions": 10**12, "timeout": 3600}


def worker(mode: str, path: str, n: int) -> dict[str, Any]:
    """One run in this process: compile, define `bench`, time bench(n)."""
    import luavm
    from luavm.host import run_with_big_stack

    from .worker import normalize

    os.environ["LUAVM_NO_CACHE"] = "1"
    with open(path, "rb") as f:
        src = f.read()
    rt = luavm.LuaRuntime(host_access=True, **(LIMITS if mode == "on" else {}))  # type: ignore[arg-type]

    def go() -> dict[str, Any]:
        rt.call(rt.load(src, "@" + path))
        fn = rt.globals()["bench"]
        c0 = time.process_time()
        t0 = time.perf_counter()
        r = rt.call(fn, n)
        t = time.perf_counter() - t0
        c = time.process_time() - c0
        lim = rt.state.limits
        return {"result": normalize(r), "time": t, "cpu": c, "steps": lim.used if lim is not None else None}

    return run_with_big_stack(go)


def run_once(mode: str, name: str, n: int) -> dict[str, Any]:
    path = HERE / "programs" / f"{name}.lua"
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    p = subprocess.run([sys.executable, "-m", "bench.limits", "--worker", mode, str(path), str(n)],
                       capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800)
    lines = [ln for ln in p.stdout.splitlines() if ln.strip()]
    if p.returncode != 0 or not lines:
        return {"error": (p.stderr.strip().splitlines() or [f"exit status {p.returncode}"])[-1]}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        out = worker(argv[1], argv[2], int(argv[3]))
        print(json.dumps(out))
        return 0
    ap = argparse.ArgumentParser(prog="python -m bench.limits", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated program names")
    ap.add_argument("--runs", type=int, default=3, help="runs per program and mode (median)")
    ap.add_argument("--quick", action="store_true", help="the manifest's small sizes")
    args = ap.parse_args(argv)
    progs = [BY_NAME[x] for x in args.only.split(",")] if args.only else PROGRAMS
    print(f"luavm limits overhead: LuaRuntime() vs LuaRuntime(max_instructions=10**12, timeout=3600); "
          f"median of {args.runs} runs, each in a fresh process")
    print(f"{'program':16} {'n':>8} {'off cpu s':>10} {'on cpu s':>9} {'overhead':>9} {'wall':>8} {'steps':>12}")
    ratios: list[float] = []
    wratios: list[float] = []
    failed = 0
    for prog in progs:
        n, expected = (prog.quick_n, prog.quick_expected) if args.quick else (prog.n, prog.expected)
        times: dict[str, list[float]] = {"off": [], "on": []}
        walls: dict[str, list[float]] = {"off": [], "on": []}
        steps = None
        error = None
        for _ in range(args.runs):
            for mode in ("off", "on"):
                r = run_once(mode, prog.name, n)
                if "error" in r:
                    error = f"{mode}: {r['error']}"
                elif r["result"] != expected:
                    error = f"{mode}: wrong result {r['result']!r}"
                else:
                    times[mode].append(r["cpu"])
                    walls[mode].append(r["time"])
                    if mode == "on":
                        steps = r["steps"]
        if error is not None:
            failed += 1
            print(f"{prog.name:16} {n:>8} FAIL {error}")
            continue
        off, on = statistics.median(times["off"]), statistics.median(times["on"])
        woff, won = statistics.median(walls["off"]), statistics.median(walls["on"])
        ratios.append(on / off)
        wratios.append(won / woff)
        print(f"{prog.name:16} {n:>8} {off:10.3f} {on:9.3f} {100 * (on / off - 1):+8.1f}% "
              f"{100 * (won / woff - 1):+7.1f}% {steps:>12,}")
        sys.stdout.flush()
    if ratios:
        geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        wgeo = math.exp(sum(math.log(r) for r in wratios) / len(wratios))
        print(f"{'geomean':16} {'':>8} {'':>10} {'':>9} {100 * (geo - 1):+8.1f}% {100 * (wgeo - 1):+7.1f}%")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
