"""The benchmark runner: `python -m bench [--only A,B] [--runs N] [--quick] [--json FILE]`.

For every program and every implementation (CPython, lua5.4 if on PATH, luavm)
each run is a fresh subprocess, so start-up state and peak memory belong to one
implementation and one run:

* CPython: `python -m bench.worker py NAME.py N` imports the module and times
  the `bench(n)` call with time.perf_counter.
* lua5.4: `lua5.4 -e DRIVER`; the driver dofile()s NAME.lua, calls bench(n),
  times it with os.clock (CPU time, as the reference interpreter offers no
  wall clock) and prints the time and the result.
* luavm: `python -m bench.worker luavm NAME.lua N` creates
  `luavm.LuaRuntime(host_access=True)`, compiles the chunk with `load` (timed
  separately: "compile ms"; the parser is built beforehand by loading a trivial
  chunk, and that start-up is recorded as "init" in the JSON), runs it, and
  times the `bench(n)` call with time.perf_counter.

Every run's result is compared with the expected value from the manifest; a
wrong result or an error is reported as FAIL, never as a time. The reported
time is the median over the runs; peak memory is the largest peak RSS of the
runs' processes, as each process reports it (VmHWM in /proc/self/status; the
ru_maxrss of getrusage/os.wait4 is only a fallback, because on Linux it
survives exec and so counts the forking runner's own size).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .programs.manifest import BY_NAME, GROUPS, PROGRAMS, Program

HERE = Path(__file__).resolve().parent
PROGRAM_DIR = HERE / "programs"
ROOT = HERE.parent

IMPLS = ("py", "lua", "luavm")
IMPL_TITLES = {"py": "CPython", "lua": "lua5.4", "luavm": "luavm"}

LUA_DRIVER = """\
dofile({path})
local n = {n}
local t0 = os.clock()
local r = bench(n)
local t = os.clock() - t0
if math.type(r) == "float" then r = string.format("%.14g", r) end
local peak = "-"
local f = io.open("/proc/self/status")
if f then
  for line in f:lines() do
    local kb = line:match("^VmHWM:%s*(%d+)")
    if kb then peak = kb end
  end
  f:close()
end
io.write("\\n", string.format("%.9f", t), "\\t", peak, "\\t", tostring(r), "\\n")
"""


@dataclass
class RunOutcome:
    ok: bool
    time: float | None = None  # seconds, the bench(n) call only
    compile: float | None = None  # seconds (luavm only)
    init: float | None = None  # seconds: LuaRuntime() + parser warm-up (luavm only)
    maxrss_mb: float | None = None
    wall: float | None = None  # whole subprocess, seconds
    result: str | None = None
    error: str | None = None


@dataclass
class ImplResult:
    impl: str
    status: str = "skipped"  # ok | FAIL | skipped
    runs: list[RunOutcome] = field(default_factory=list)
    time: float | None = None  # median
    compile_ms: float | None = None  # median
    peak_mb: float | None = None  # max over runs
    error: str | None = None


@dataclass
class ProgramResult:
    name: str
    n: int
    expected: str
    impls: dict[str, ImplResult] = field(default_factory=dict)

    def ratio(self, a: str, b: str) -> float | None:
        ra, rb = self.impls.get(a), self.impls.get(b)
        if ra is None or rb is None or ra.status != "ok" or rb.status != "ok":
            return None
        if not ra.time or not rb.time:
            return None
        return ra.time / rb.time


# --- running one implementation once --------------------------------------------------


def _spawn(cmd: list[str], timeout: float) -> tuple[int, str, str, float, float]:
    """Run cmd; returns (exit status, stdout, stderr, peak RSS in MB, wall seconds).
    Reaps the child with os.wait4 to get that child's own resource usage."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                         env=_child_env())
    out: list[bytes] = []
    err: list[bytes] = []
    assert p.stdout is not None and p.stderr is not None
    readers = [threading.Thread(target=lambda: out.append(p.stdout.read())),  # type: ignore[union-attr]
               threading.Thread(target=lambda: err.append(p.stderr.read()))]  # type: ignore[union-attr]
    for r in readers:
        r.start()
    timed_out: list[bool] = []

    def kill() -> None:
        timed_out.append(True)
        p.kill()

    killer = threading.Timer(timeout, kill)
    killer.start()
    try:
        _, status, usage = os.wait4(p.pid, 0)
    finally:
        killer.cancel()
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join()
    p.stdout.close()
    p.stderr.close()
    rc = p.returncode
    if timed_out:
        rc = -9999  # marker: timed out
    maxrss_mb = usage.ru_maxrss / 1024.0  # Linux: kilobytes; a fallback, see the module doc
    return (rc, b"".join(out).decode("utf-8", "replace"), b"".join(err).decode("utf-8", "replace"),
            maxrss_mb, wall)


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    # make `import bench` / `import luavm` work from the repository root
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("PYTHONHASHSEED", None)
    return env


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def run_once(impl: str, prog: Program, n: int, expected: str, timeout: float) -> RunOutcome:
    if impl == "lua":
        path = PROGRAM_DIR / f"{prog.name}.lua"
        driver = LUA_DRIVER.format(path=_lua_long_string(str(path)), n=n)
        cmd = [LUA, "-e", driver]
    else:
        ext = "py" if impl == "py" else "lua"
        cmd = [sys.executable, "-m", "bench.worker", impl, str(PROGRAM_DIR / f"{prog.name}.{ext}"), str(n)]
    rc, out, err, rss, wall = _spawn(cmd, timeout)
    if rc == -9999:
        return RunOutcome(False, maxrss_mb=rss, wall=wall, error=f"timeout after {timeout:.0f} s")
    line = _last_line(out)
    if impl == "lua":
        if rc != 0 or "\t" not in line:
            return RunOutcome(False, maxrss_mb=rss, wall=wall,
                              error=(_last_line(err) or f"exit status {rc}"))
        t_text, peak, result = line.split("\t", 2)
        t: float | None = float(t_text)
        comp = init = None
        if peak.isdigit():
            rss = int(peak) / 1024.0
    else:
        try:
            data: dict[str, Any] = json.loads(line)
        except ValueError:
            return RunOutcome(False, maxrss_mb=rss, wall=wall,
                              error=(_last_line(err) or line or f"exit status {rc}"))
        if "error" in data:
            return RunOutcome(False, maxrss_mb=rss, wall=wall, error=data["error"])
        result, t, comp, init = data["result"], data["time"], data.get("compile"), data.get("init")
        if data.get("peak_kb"):
            rss = data["peak_kb"] / 1024.0
    if result != expected:
        return RunOutcome(False, maxrss_mb=rss, wall=wall, result=result,
                          error=f"wrong result: {_clip(result)!r}, expected {_clip(expected)!r}")
    return RunOutcome(True, time=t, compile=comp, init=init, maxrss_mb=rss, wall=wall, result=result)


def _lua_long_string(s: str) -> str:
    eq = "="
    while f"]{eq}]" in s:
        eq += "="
    return f"[{eq}[{s}]{eq}]"


def _clip(s: str, n: int = 80) -> str:
    return s if len(s) <= n else s[: n - 3] + "..."


LUA = shutil.which("lua5.4") or ""


# --- the whole suite -----------------------------------------------------------------------


def warm_bytecode() -> None:
    """Compile luavm's and the suite's modules to `.pyc` files, as `pip install` does.
    Without them (PYTHONDONTWRITEBYTECODE and sources edited since the last import)
    every luavm process compiles its modules at import: ~2 MB more peak memory,
    counted in every program's figure."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "luavm"), str(ROOT / "bench")],
                   capture_output=True, check=False)


def run_suite(names: list[str] | None = None, runs: int = 3, quick: bool = False,
              impls: tuple[str, ...] = IMPLS, timeout: float | None = None,
              log: Any = sys.stderr) -> list[ProgramResult]:
    warm_bytecode()
    progs = PROGRAMS if not names else [BY_NAME[x] for x in names]
    impls = tuple(i for i in impls if i != "lua" or LUA)
    if timeout is None:
        timeout = 120.0 if quick else 600.0
    results: list[ProgramResult] = []
    for prog in progs:
        n = prog.quick_n if quick else prog.n
        expected = prog.quick_expected if quick else prog.expected
        pr = ProgramResult(prog.name, n, expected)
        for impl in impls:
            pr.impls[impl] = ImplResult(impl)
        for k in range(runs):
            # interleave the implementations, so a slow patch of the machine hits all of them
            for impl in impls:
                ir = pr.impls[impl]
                if ir.status == "FAIL":
                    continue  # a failed implementation is not run again
                o = run_once(impl, prog, n, expected, timeout)
                ir.runs.append(o)
                if not o.ok:
                    ir.status, ir.error = "FAIL", o.error
                if log is not None:
                    what = f"{o.time:8.3f} s" if o.ok and o.time is not None else "FAIL: " + (o.error or "")
                    log.write(f"  {prog.name:<15} {IMPL_TITLES[impl]:<8} run {k + 1}/{runs}  {what}\n")
                    log.flush()
        for ir in pr.impls.values():
            if ir.runs and ir.status != "FAIL":
                ir.status = "ok"
                ir.time = statistics.median(o.time for o in ir.runs if o.time is not None)
                comps = [o.compile for o in ir.runs if o.compile is not None]
                ir.compile_ms = statistics.median(comps) * 1000 if comps else None
            rss = [o.maxrss_mb for o in ir.runs if o.maxrss_mb is not None]
            ir.peak_mb = max(rss) if rss else None
        results.append(pr)
    return results


def geomean(xs: list[float]) -> float | None:
    xs = [x for x in xs if x and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def _group(p: ProgramResult) -> str:
    prog = BY_NAME.get(p.name)
    return prog.group if prog is not None else "core"


def summary(results: list[ProgramResult]) -> dict[str, Any]:
    """Geomeans over all programs, and per group (`manifest.GROUPS`: the OO
    programs of issue 20 have targets of their own)."""
    out = _summary(results)
    groups = list(dict.fromkeys(_group(p) for p in results))
    out["groups"] = {g: _summary([p for p in results if _group(p) == g]) for g in groups}
    for g in out["groups"].values():
        del g["failures"]
    return out


def _summary(results: list[ProgramResult]) -> dict[str, Any]:
    r_py = [r for r in (p.ratio("luavm", "py") for p in results) if r is not None]
    r_lua = [r for r in (p.ratio("luavm", "lua") for p in results) if r is not None]
    worst = max(((p.ratio("luavm", "py"), p.name) for p in results if p.ratio("luavm", "py")), default=None)
    fails = [f"{p.name}/{ir.impl}: {ir.error}" for p in results for ir in p.impls.values() if ir.status == "FAIL"]
    return {
        "geomean_luavm_over_cpython": geomean(r_py),
        "geomean_luavm_over_lua": geomean(r_lua),
        "worst_luavm_over_cpython": {"program": worst[1], "ratio": worst[0]} if worst else None,
        "failures": fails,
    }


def _fmt(x: float | None, spec: str, fail: bool = False) -> str:
    if fail:
        return "FAIL"
    return "-" if x is None else format(x, spec)


def format_table(results: list[ProgramResult], markdown: bool = False) -> str:
    head = ["program", "n", "CPython s", "lua5.4 s", "luavm s", "luavm/CPy", "luavm/lua",
            "MB py", "MB lua", "MB luavm", "compile ms"]
    rows: list[list[str]] = []
    for p in results:
        def t(impl: str, p: ProgramResult = p) -> str:
            ir = p.impls.get(impl)
            if ir is None or ir.status == "skipped":
                return "-"
            return _fmt(ir.time, ".3f", ir.status == "FAIL")

        def mb(impl: str, p: ProgramResult = p) -> str:
            ir = p.impls.get(impl)
            return "-" if ir is None else _fmt(ir.peak_mb, ".0f")

        lv = p.impls.get("luavm")
        rows.append([p.name, str(p.n), t("py"), t("lua"), t("luavm"),
                     _fmt(p.ratio("luavm", "py"), ".1f"), _fmt(p.ratio("luavm", "lua"), ".1f"),
                     mb("py"), mb("lua"), mb("luavm"),
                     _fmt(lv.compile_ms if lv else None, ".0f")])
    s = summary(results)
    gms = [["geomean", "", "", "", "",
            _fmt(s["geomean_luavm_over_cpython"], ".2f"), _fmt(s["geomean_luavm_over_lua"], ".1f"),
            "", "", "", ""]]
    if len(s["groups"]) > 1:
        for g, gs in s["groups"].items():
            gms.append([f"geomean {g}", "", "", "", "", _fmt(gs["geomean_luavm_over_cpython"], ".2f"),
                        _fmt(gs["geomean_luavm_over_lua"], ".1f"), "", "", "", ""])
    if markdown:
        out = ["| " + " | ".join(head) + " |",
               "|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|"]
        for r in rows:
            out.append("| " + " | ".join(r) + " |")
        for r in gms:
            out.append("| " + " | ".join(f"**{c}**" if c else "" for c in r) + " |")
        return "\n".join(out)
    widths = [max(len(r[i]) for r in [head] + rows + gms) for i in range(len(head))]

    def line(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    sep = "  ".join("-" * w for w in widths)
    return "\n".join([line(head), sep] + [line(r) for r in rows] + [sep] + [line(r) for r in gms])


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "nproc": os.cpu_count(),
    }
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        for ln in lscpu.splitlines():
            if ln.startswith("Model name:"):
                info["cpu"] = ln.split(":", 1)[1].strip()
    except (OSError, subprocess.SubprocessError):
        pass
    if LUA:
        try:
            info["lua"] = subprocess.run([LUA, "-v"], capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return info


def to_json(results: list[ProgramResult], args: dict[str, Any]) -> dict[str, Any]:
    return {
        "machine": machine(),
        "args": args,
        "summary": summary(results),
        "programs": [
            {
                "name": p.name, "group": _group(p), "n": p.n, "expected": p.expected,
                "ratio_luavm_cpython": p.ratio("luavm", "py"),
                "ratio_luavm_lua": p.ratio("luavm", "lua"),
                "impls": {k: asdict(v) for k, v in p.impls.items()},
            }
            for p in results
        ],
    }


def smoke(names: list[str] | None = None) -> list[ProgramResult]:
    """Run every program once at its --quick size under each implementation and
    raise AssertionError if any result is wrong or any run fails."""
    results = run_suite(names, runs=1, quick=True, log=None)
    bad = [f"{p.name}/{IMPL_TITLES[ir.impl]}: {ir.error}"
           for p in results for ir in p.impls.values() if ir.status != "ok"]
    if bad:
        raise AssertionError("benchmark smoke test failed:\n  " + "\n  ".join(bad))
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="comma-separated program names (default: all)")
    ap.add_argument("--runs", type=int, default=None, help="runs per implementation (default 3; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="small sizes, 1 run (a smoke test)")
    ap.add_argument("--json", metavar="FILE", help="write all results as JSON")
    ap.add_argument("--impls", default=",".join(IMPLS),
                    help="comma-separated subset of py,lua,luavm (default: all)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per run (default 600; --quick: 120)")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument("--list", action="store_true", help="list the programs and exit")
    a = ap.parse_args(argv)

    if a.list:
        for p in PROGRAMS:
            print(f"{p.name:<15} n={p.n:<8} quick n={p.quick_n:<6} {p.description}")
        return 0
    names = [x.strip() for x in a.only.split(",") if x.strip()] if a.only else None
    if names:
        unknown = [x for x in names if x not in BY_NAME]
        if unknown:
            ap.error(f"unknown program(s): {', '.join(unknown)}; known: {', '.join(BY_NAME)}")
    impls = tuple(x.strip() for x in a.impls.split(",") if x.strip())
    bad_impls = [x for x in impls if x not in IMPLS]
    if bad_impls:
        ap.error(f"unknown implementation(s): {', '.join(bad_impls)}")
    runs = a.runs if a.runs is not None else (1 if a.quick else 3)
    if not LUA and "lua" in impls:
        sys.stderr.write("note: lua5.4 not on PATH; skipping the reference interpreter\n")

    t0 = time.perf_counter()
    results = run_suite(names, runs=runs, quick=a.quick, impls=impls, timeout=a.timeout)
    total = time.perf_counter() - t0

    print()
    print(format_table(results, markdown=a.markdown))
    s = summary(results)
    print()
    gm = s["geomean_luavm_over_cpython"]
    gl = s["geomean_luavm_over_lua"]
    print(f"geomean luavm/CPython: {_fmt(gm, '.2f')}x   geomean luavm/lua5.4: {_fmt(gl, '.2f')}x")
    if s["worst_luavm_over_cpython"]:
        w = s["worst_luavm_over_cpython"]
        print(f"worst luavm/CPython: {w['program']} ({w['ratio']:.1f}x)")
    if len(s["groups"]) > 1:
        for g, gs in s["groups"].items():
            w = gs["worst_luavm_over_cpython"]
            print(f"  {g} ({GROUPS.get(g, g)}): geomean luavm/CPython {_fmt(gs['geomean_luavm_over_cpython'], '.2f')}x"
                  + (f", worst {w['program']} ({w['ratio']:.1f}x)" if w else ""))
    print(f"runs: {runs}{' (quick sizes)' if a.quick else ''}; total wall time {total:.0f} s")
    if s["failures"]:
        print("\nFAILURES:")
        for f in s["failures"]:
            print("  " + f)
    if a.json:
        Path(a.json).write_text(json.dumps(to_json(results, {
            "only": names, "runs": runs, "quick": a.quick, "impls": list(impls),
            "wall_seconds": total}), indent=2) + "\n")
    return 1 if s["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
