"""Start-up and compile-speed figures.

    python -m bench.startup [--runs N] [--lines L]

* start-up: wall time of `luavm examples/hello.lua` (a fresh process; compiled
  chunks from luavm's on-disk cache, and with `--no-cache`), against `python3 -c
  pass` and `lua5.4`, median of N runs. The target (bench/README.md) is cached
  start-up <= 2 x `python3 -c pass` + 40 ms. Python's own bytecode cache is on for
  every process (a warm-up run writes luavm's `.pyc` files, as `pip install` does),
  even where the environment sets PYTHONDONTWRITEBYTECODE: without it each start
  would compile luavm's modules from source (~50 ms), which is not how it is used.
* compile speed: parse, and parse + code generation + Python `compile`, of a Lua
  file of about L lines (default 5,000) made of the benchmark programs, each in a
  `do ... end` block; lines per second, median of N runs, in this process with
  the disk cache off.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HELLO = ROOT / "examples" / "hello.lua"


def wall(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    """Median wall time of running cmd to completion (output discarded)."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def big_source(lines: int) -> bytes:
    """About `lines` lines of varied Lua: the benchmark programs, repeated, each
    in its own block (so locals stay within Lua's per-function limits)."""
    parts: list[bytes] = []
    n = 0
    programs = sorted((HERE / "programs").glob("*.lua"))
    while n < lines:
        for p in programs:
            src = p.read_bytes().replace(b"function bench(", b"local function bench_(")
            parts.append(b"do\n" + src + b"\nend\n")
            n += src.count(b"\n") + 2
            if n >= lines:
                break
    return b"".join(parts)


def compile_speed(lines: int, runs: int) -> dict[str, float]:
    os.environ["LUAVM_NO_CACHE"] = "1"
    import luavm
    from luavm.parser import parse

    src = big_source(lines)
    nlines = src.count(b"\n")
    rt = luavm.LuaRuntime()
    rt.load("return 1", "=warmup")  # builds the parser tables once
    parse_t, full_t = [], []
    for i in range(runs):
        t0 = time.perf_counter()
        parse(src, "big")
        parse_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rt.load(src + b"\n-- run %d" % i, "@big.lua")  # a distinct source: no in-process cache hit
        full_t.append(time.perf_counter() - t0)
    p, f = statistics.median(parse_t), statistics.median(full_t)
    return {"lines": nlines, "parse_s": p, "compile_s": f,
            "parse_lines_per_s": nlines / p, "compile_lines_per_s": nlines / f}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--lines", type=int, default=5000)
    args = ap.parse_args(argv)

    base = dict(os.environ)
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    py = wall([sys.executable, "-c", "pass"], args.runs, base)
    luavm_cmd = [sys.executable, "-m", "luavm", str(HELLO)]
    with tempfile.TemporaryDirectory() as cache:
        env = dict(base, XDG_CACHE_HOME=cache)
        env.pop("LUAVM_NO_CACHE", None)
        subprocess.run(luavm_cmd, stdout=subprocess.DEVNULL, env=env, check=True)  # fills the cache
        cached = wall(luavm_cmd, args.runs, env)
        cold = wall([sys.executable, "-m", "luavm", "--no-cache", str(HELLO)], args.runs, env)
    lua = wall(["lua5.4", str(HELLO)], args.runs) if shutil.which("lua5.4") else None
    target = 2 * py + 0.040
    print(f"start-up (median of {args.runs}, wall):")
    print(f"  python3 -c pass              {py * 1000:7.1f} ms")
    if lua is not None:
        print(f"  lua5.4 hello.lua             {lua * 1000:7.1f} ms")
    print(f"  luavm hello.lua (cached)     {cached * 1000:7.1f} ms   target <= {target * 1000:.1f} ms "
          f"({'met' if cached <= target else 'NOT met'})")
    print(f"  luavm --no-cache hello.lua   {cold * 1000:7.1f} ms")
    c = compile_speed(args.lines, max(1, args.runs // 2))
    print(f"compile speed ({c['lines']} lines, median of {max(1, args.runs // 2)}, disk cache off):")
    print(f"  parse                        {c['parse_s'] * 1000:7.0f} ms  {c['parse_lines_per_s']:9,.0f} lines/s")
    print(f"  parse + compile              {c['compile_s'] * 1000:7.0f} ms  {c['compile_lines_per_s']:9,.0f} lines/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
