"""Runs one benchmark program once, in this (fresh) process, and prints one
JSON line: {"result": ..., "time": seconds, "compile": seconds | null,
"peak_kb": peak resident set size}.

    python -m bench.worker py    PATH.py  N
    python -m bench.worker luavm PATH.lua N

The time covers only the bench(n) call (time.perf_counter). For luavm the
chunk's compile time (LuaRuntime.load) is reported separately, and so is "init":
creating the LuaRuntime plus a first load of a trivial chunk, which builds the
parser and warms up the compiler (~0.2 s, once per process). luavm's on-disk
cache (LUAVM_NO_CACHE=1) is switched off: the compile is a cold one. Errors are
reported as {"error": "..."} with a non-zero exit status.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import traceback
from typing import Any


def normalize(r: Any) -> str:
    """A result as the text that is compared with the expected value."""
    if isinstance(r, bool):
        return "true" if r else "false"
    if isinstance(r, float):
        return format(r, ".14g")
    if isinstance(r, bytes):
        return r.decode("utf-8", "surrogateescape")
    return str(r)


def run_python(path: str, n: int) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("bench_program", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    t0 = time.perf_counter()
    r = mod.bench(n)
    t = time.perf_counter() - t0
    return {"result": normalize(r), "time": t, "compile": None}


def run_luavm(path: str, n: int) -> dict[str, Any]:
    import luavm
    from luavm.host import run_with_big_stack

    with open(path, "rb") as f:
        src = f.read()
    # Measure a cold compile: nothing from luavm's on-disk cache of parser tables
    # and compiled chunks. The first load (of a trivial chunk) builds the parser
    # and warms up the compiler: start-up, reported as "init", not compile time.
    os.environ["LUAVM_NO_CACHE"] = "1"
    t0 = time.perf_counter()
    rt = luavm.LuaRuntime(host_access=True)
    rt.load("local x = ... return function() return x + 1 end", "=warmup")
    init_s = time.perf_counter() - t0

    def go() -> dict[str, Any]:
        t0 = time.perf_counter()
        main = rt.load(src, "@" + path)
        compile_s = time.perf_counter() - t0
        rt.call(main)  # defines the global `bench`
        fn = rt.globals()["bench"]
        t0 = time.perf_counter()
        r = rt.call(fn, n)
        t = time.perf_counter() - t0
        return {"result": normalize(r), "time": t, "compile": compile_s, "init": init_s}

    # like the `luavm` CLI: a thread with a big C stack, so deep recursion behaves as in Lua
    return run_with_big_stack(go)


def peak_rss_kb() -> int | None:
    """This process's peak resident set size in kB: VmHWM from /proc (Linux).
    Not getrusage: its ru_maxrss survives exec, so a child spawned by a big
    parent reports at least the parent's size."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main(argv: list[str]) -> int:
    impl, path, n = argv[0], argv[1], int(argv[2])
    try:
        out = run_python(path, n) if impl == "py" else run_luavm(path, n)
        status = 0
    except BaseException as e:  # noqa: BLE001 - reported to the runner
        tb = traceback.format_exc(limit=8)
        out = {"error": f"{type(e).__name__}: {e}", "traceback": tb}
        status = 1
    out["peak_kb"] = peak_rss_kb()
    sys.stdout.write("\n" + json.dumps(out) + "\n")
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
