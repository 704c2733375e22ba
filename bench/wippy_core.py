"""Wippy runtime figures: the cost of `funcs.call`, loading an app of 500 entries
(cold and cached), and `wippy test`'s start-up.

    python -m bench.wippy_core [--runs R] [--quick] [--json FILE]

* funcs.call: a `function.lua` entry loops `funcs.call(target, i)` 10,000 times;
  the round trip is that call's time (`App.call`, in process, after a warm-up
  call) divided by 10,000. Targets: a trivial `function.lua` entry (the headline)
  and a Python function registered with `App.register_function`. The floor is
  CPython's own call of a Python function found by a dict lookup
  (`registry["app:callee"](i)`, timeit), and, for scale, a plain Lua call of a
  local function in luavm.
* app load: a generated app of 500 entries (10 namespaces, each one library.lua,
  40 function.lua importing it, 5 workflow.lua, 3 function.lua using json, a
  workflow.host; every Lua source distinct, half inline, half `file://`) loaded in
  a fresh process (`python -c CHILD`: nothing but `time` and `sys` before `import
  wippy`). Loading an app means, for a user, from the process's spawn until every
  entry is ready to call ("READY"): the interpreter, `import wippy`, `wippy.App(dir)`
  (read and validate the registry) and a first call (a Lua state: the kernel, the
  prelude, the entry's modules and code). The runtime compiles an entry's own code
  (or reads it from luavm's cache) when it is first called; "next" is what that
  costs per entry (18 more entries called once each, in other namespaces). Also
  the in-process part (`wippy.App(dir)` + the first call), the process's CPU time at
  READY, and then every Lua entry compiled as the runtime compiles it (`wippy
  lint`'s check: one `load` per entry; "total"). Modes: cold -- luavm's chunk cache
  and wippy's cache of parsed registry files empty (LUAVM_CACHE_DIR,
  WIPPY_CACHE_DIR); new app -- another app ran first with the same caches, so
  wippy's own Lua is cached and this app's is not (a new or edited app on a machine
  that has run wippy before); cached -- a second process after the cold one.
  Python's own bytecode is compiled beforehand (compileall, as `pip install`
  does), so "cold" is about the two caches only. Targets (issue 15): READY cold
  <= 1 s, cached <= 0.3 s.
* wippy test: `python -m wippy.cli test APP` on a copy of examples/orders (the
  command creates the app's .wippy directory), stdout a pipe. The command prints
  (and flushes) the first suite's header line right before it invokes the first
  test; the figure is the time from spawning the process to reading that line.
  Broken down with `python -c pass` (the interpreter) and `python -c "import
  wippy.cli"` (spawn to exit, interleaved with the test runs), and one `python -X
  importtime` listing; the rest is the app load and the test collection. With
  luavm's cache warm (a warm-up run first), and cold.

Every figure is the median of the runs (default 5); the machine is shared, so
runs are interleaved where they compete (cold, then cached, then again).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ORDERS = ROOT / "examples" / "orders"

CALLER = """\
local funcs = require("funcs")
return function(n, target)
  local s = 0
  for i = 1, n do s = s + funcs.call(target, i) end
  return s
end
"""

LUA_LOOP = """\
local function callee(x) return x end
return function(n)
  local s = 0
  for i = 1, n do s = s + callee(i) end
  return s
end
"""


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def _median(xs: list[float]) -> float:
    return statistics.median(xs)


# --- funcs.call ----------------------------------------------------------------------------

def _callee_py(x: int) -> int:
    return x


def bench_funcs_call(n: int, runs: int, work: Path) -> dict[str, Any]:
    import luavm
    import wippy
    import yaml

    root = work / "calls"
    (root / "src").mkdir(parents=True)
    entries = [
        {"name": "callee", "kind": "function.lua", "source": "return function(x) return x end\n"},
        {"name": "caller", "kind": "function.lua", "modules": ["funcs"], "source": CALLER},
    ]
    (root / "src" / "app.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": "app",
                                                           "entries": entries}, sort_keys=False))
    app = wippy.App(root)
    app.register_function("py:callee", _callee_py)
    want = n * (n + 1) // 2
    out: dict[str, Any] = {"n": n}
    times: dict[str, list[float]] = {"app:callee": [], "py:callee": []}
    for tgt in times:
        assert app.call("app:caller", 100, tgt) == 5050  # warm: states, pools, caches
    for _ in range(runs):
        for tgt in times:  # interleaved
            t = time.perf_counter()
            r = app.call("app:caller", n, tgt)
            times[tgt].append((time.perf_counter() - t) / n)
            assert r == want, r
    out["lua_entry_us"] = _median(times["app:callee"]) * 1e6
    out["python_entry_us"] = _median(times["py:callee"]) * 1e6

    # the floor: CPython calling a Python function found by a dict lookup
    reg = {"app:callee": _callee_py, "app:other": len}
    k = 1_000_000
    floor = min(timeit.repeat("for i in r: reg['app:callee'](i)", globals={"reg": reg, "r": range(k)},
                              number=1, repeat=max(3, runs)))
    empty = min(timeit.repeat("for i in r: pass", globals={"r": range(k)}, number=1, repeat=max(3, runs)))
    out["cpython_dict_call_ns"] = (floor - empty) / k * 1e9
    # for scale: a plain Lua call of a local function (luavm), loop included
    rt = luavm.LuaRuntime()
    f = rt.execute(LUA_LOOP)
    lt = []
    for _ in range(max(3, runs)):
        t = time.perf_counter()
        f(k)
        lt.append(time.perf_counter() - t)
    out["lua_local_call_ns"] = min(lt) / k * 1e9
    out["ratio_lua_entry_over_floor"] = out["lua_entry_us"] * 1000 / out["cpython_dict_call_ns"]
    return out


# --- an app of 500 entries -------------------------------------------------------------------

def write_big_app(root: Path, namespaces: int = 10) -> int:
    """10 namespaces x 50 entries; returns the number of entries."""
    import yaml

    n = 0
    for ns in range(namespaces):
        d = root / "src" / f"mod{ns}"
        d.mkdir(parents=True)
        name = f"app.mod{ns}"
        entries: list[dict[str, Any]] = [
            {"name": "lib", "kind": "library.lua", "modules": ["json"], "source": "file://lib.lua"},
            {"name": "wf_host", "kind": "workflow.host", "store": ":memory:", "clock": "virtual"},
        ]
        (d / "lib.lua").write_text(
            f"local json = require('json')\nlocal M = {{}}\n"
            f"function M.encode(v) return json.encode(v) end\n"
            f"function M.tag(s) return 'mod{ns}:' .. tostring(s) end\n"
            f"function M.sum(t) local s = 0 for _, v in ipairs(t) do s = s + v end return s end\n"
            f"return M\n")
        for i in range(40):
            src = (f"local lib = require('lib')\n"
                   f"local function helper_{i}(x)\n"
                   f"  if type(x) ~= 'number' then return nil, 'not a number' end\n"
                   f"  return x * {i + 1} + {ns}\n"
                   f"end\n"
                   f"return function(args)\n"
                   f"  local out = {{}}\n"
                   f"  for k, v in pairs(args or {{}}) do\n"
                   f"    out[#out + 1] = lib.tag(k) .. '=' .. tostring(helper_{i}(v))\n"
                   f"  end\n"
                   f"  table.sort(out)\n"
                   f"  return {{id = {ns * 100 + i}, items = out, total = lib.sum({{1, 2, {i}}})}}\n"
                   f"end\n")
            e: dict[str, Any] = {"name": f"fn{i}", "kind": "function.lua", "imports": {"lib": f"{name}:lib"},
                                 "meta": {"comment": f"function {i} of {name}"}}
            if i % 2:
                (d / f"fn{i}.lua").write_text(src)
                e["source"] = f"file://fn{i}.lua"
            else:
                e["source"] = src
            entries.append(e)
        for i in range(5):
            entries.append({"name": f"flow{i}", "kind": "workflow.lua", "modules": ["funcs", "time"],
                            "method": "main", "source": (
                                f"local funcs = require('funcs')\nlocal time = require('time')\n"
                                f"local function main(x)\n  local r = funcs.call('{name}:fn{i}', {{a = x}})\n"
                                f"  time.sleep('{i + 1}s')\n  return r\nend\nreturn {{main = main}}\n")})
        while len(entries) < 50:
            k = len(entries)
            entries.append({"name": f"ep{k}", "kind": "function.lua", "modules": ["json"],
                            "source": f"local json = require('json')\nreturn function(x) "
                                      f"return json.encode({{k = {k}, x = x}}) end\n"})
        (d / "_index.yaml").write_text(yaml.safe_dump({"version": "1.0", "namespace": name, "entries": entries},
                                                      sort_keys=False))
        n += len(entries)
    return n


# The child of an app-load run: `python -c CHILD APP_DIR T0`. A bare `-c` script, so
# nothing but `time` and `sys` is imported before `import wippy` is timed.
CHILD = """\
import sys, time
t_start = time.time()
import wippy
t_import = time.time()
app = wippy.App(sys.argv[1])
t_reg = time.time()
r = app.call("app.mod0:fn0", {"x": 2})
assert r["id"] == 0, r
t_call = time.time()
cpu_ready = time.process_time()
more = [f"app.mod{ns}:fn{i}" for ns in range(1, 10) for i in (1, 2)]
for fid in more:
    app.call(fid, {"x": 1})
t_more = time.time()
from wippy.cli.lint import check_lua
problems, compiled = check_lua(app.registry)
assert not problems, problems[:3]
t_compile = time.time()
import json
t0 = float(sys.argv[2])
print(json.dumps({"entries": len(app.registry), "compiled": compiled, "python_start_s": t_start - t0,
                  "import_s": t_import - t_start, "registry_s": t_reg - t_import, "first_call_s": t_call - t_reg,
                  "in_process_s": t_call - t_import, "ready_s": t_call - t0, "ready_cpu_s": cpu_ready,
                  "next_call_ms": (t_more - t_call) / len(more) * 1000, "compile_s": t_compile - t_more,
                  "total_s": t_compile - t0}))
"""

LOAD_KEYS = ("python_start_s", "import_s", "registry_s", "first_call_s", "in_process_s", "ready_s", "ready_cpu_s",
             "next_call_ms", "compile_s", "total_s")


def _load_child(app_dir: Path, cache: Path) -> dict[str, Any]:
    """One fresh process loading the app with its caches (luavm's chunks, wippy's parsed
    registry files) in `cache`; the figures from its spawn."""
    env = _env({"LUAVM_CACHE_DIR": str(cache / "luavm"), "WIPPY_CACHE_DIR": str(cache / "wippy")})
    t0 = time.time()
    r = subprocess.run([sys.executable, "-c", CHILD, str(app_dir), repr(t0)], capture_output=True, text=True,
                       cwd=ROOT, env=env, timeout=600)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if r.returncode != 0 or not lines:
        raise RuntimeError(f"app load failed: {r.stderr[-3000:]}")
    return json.loads(lines[-1])


def _warm_wippy(cache: Path, work: Path) -> None:
    """Run another app once with `cache`: wippy's own Lua (kernel, prelude, modules) is
    then cached, the big app's entries are not -- a new or edited app on a machine that
    has run wippy before."""
    small = work / "small"
    if not small.exists():
        write_big_app(small, namespaces=1)
        for f in (small / "src").rglob("*.lua"):  # other sources than the big app's
            f.write_text(f.read_text().replace("return M", "M.small = true\nreturn M"))
    env = _env({"LUAVM_CACHE_DIR": str(cache / "luavm"), "WIPPY_CACHE_DIR": str(cache / "wippy")})
    subprocess.run([sys.executable, "-c", "import sys, wippy; wippy.App(sys.argv[1]).call('app.mod0:fn0', {})",
                    str(small)], check=True, capture_output=True, cwd=ROOT, env=env, timeout=600)


def bench_app_load(runs: int, work: Path) -> dict[str, Any]:
    app_dir = work / "big"
    n = write_big_app(app_dir)
    modes: dict[str, list[dict[str, Any]]] = {"cold": [], "cached": [], "new app": []}
    for k in range(runs):  # interleaved: cold, cached, new app, then again
        cache = work / f"cache{k}"
        modes["cold"].append(_load_child(app_dir, cache))
        modes["cached"].append(_load_child(app_dir, cache))
        shutil.rmtree(cache, ignore_errors=True)
        _warm_wippy(cache, work)
        modes["new app"].append(_load_child(app_dir, cache))
        shutil.rmtree(cache, ignore_errors=True)
    out: dict[str, Any] = {"entries": n, "compiled": modes["cold"][0]["compiled"]}
    for mode, rs in modes.items():
        out[mode] = {k: _median([r[k] for r in rs]) for k in LOAD_KEYS}
        out[mode]["ready_runs_s"] = [r["ready_s"] for r in rs]
    return out


# --- wippy test start-up --------------------------------------------------------------------

def time_to_first_test(app_dir: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Spawn `wippy test`; seconds until its first suite header (printed and flushed
    right before the first test is invoked), and until it exits."""
    shutil.rmtree(app_dir / ".wippy", ignore_errors=True)
    report = app_dir.parent / "report.json"
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "wippy.cli", "test", str(app_dir), "--json", str(report)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=_env(env))
    assert p.stdout is not None
    first = p.stdout.readline()
    t_first = time.perf_counter() - t0
    rest, err = p.communicate(timeout=600)
    t_end = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"wippy test failed ({p.returncode}): {(first + rest).decode()[-2000:]}"
                           f"{err.decode()[-2000:]}")
    data = json.loads(report.read_text())
    return {"first_test_s": t_first, "exit_s": t_end, "header": first.decode().strip(),
            "tests": len(data["tests"]), "tests_ms": sum(t["ms"] for t in data["tests"]),
            "first_test_ms": data["tests"][0]["ms"]}


def _spawn_wall(code: str) -> float:
    """Seconds from spawning `python -c CODE` to its exit."""
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=_env(), cwd=ROOT)
    return time.perf_counter() - t


def _importtime(runs: int) -> dict[str, float]:
    """Cumulative import time (s) of the modules `import wippy.cli` loads (nested ones
    are counted in their importer's too)."""
    per: dict[str, list[float]] = {}
    for _ in range(runs):
        r = subprocess.run([sys.executable, "-X", "importtime", "-c", "import wippy.cli"], capture_output=True,
                           text=True, env=_env(), cwd=ROOT, check=True)
        for ln in r.stderr.splitlines():
            if not ln.startswith("import time:") or "cumulative" in ln:
                continue
            parts = ln[len("import time:"):].split("|")
            raw = parts[2].rstrip()
            if len(raw) - len(raw.lstrip()) > 7:  # more than 3 levels below a top-level import
                continue
            per.setdefault(raw.strip(), []).append(int(parts[1]) / 1e6)
    # those at most 3 levels down that took >= 2 ms, largest first
    out = {k: _median(v) for k, v in per.items()}
    return dict(sorted(((k, v) for k, v in out.items() if v >= 0.002), key=lambda kv: -kv[1]))


def bench_wippy_test(runs: int, work: Path) -> dict[str, Any]:
    app = work / "orders"
    shutil.copytree(ORDERS, app, ignore=shutil.ignore_patterns(".wippy", "__pycache__"))
    time_to_first_test(app)  # a warm-up: luavm's cache holds the app's chunks
    cached, cold, bare, imp = [], [], [], []
    for k in range(runs):  # interleaved, so a slow patch of the machine hits all four
        bare.append(_spawn_wall("pass"))
        imp.append(_spawn_wall("import wippy.cli"))
        cached.append(time_to_first_test(app))
        cache = work / f"tcache{k}"
        cache.mkdir()
        cold.append(time_to_first_test(app, {"LUAVM_CACHE_DIR": str(cache), "WIPPY_CACHE_DIR": str(cache / "w")}))
        shutil.rmtree(cache, ignore_errors=True)
    res: dict[str, Any] = {
        "tests": cached[0]["tests"], "header": cached[0]["header"],
        "first_test_s": _median([r["first_test_s"] for r in cached]),
        "first_test_cold_s": _median([r["first_test_s"] for r in cold]),
        "exit_s": _median([r["exit_s"] for r in cached]),
        "tests_s": _median([r["tests_ms"] for r in cached]) / 1000,
        "first_test_ms": _median([r["first_test_ms"] for r in cached]),
        "first_test_ms_cold": _median([r["first_test_ms"] for r in cold]),
        "python_pass_s": _median(bare),
        "python_import_wippy_cli_s": _median(imp),
    }
    res["imports"] = _importtime(1)
    return res


# --- main -----------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(prog="python -m bench.wippy_core", description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=None, help="runs per figure (default 5; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="1 run, 1,000 calls")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    a = ap.parse_args(argv)
    runs = a.runs or (1 if a.quick else 5)
    from .run import machine, warm_bytecode

    warm_bytecode()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "wippy")], capture_output=True,
                   check=False)
    t_all = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-wippy-") as tmp:
        work = Path(tmp)
        calls = bench_funcs_call(1000 if a.quick else 10_000, runs, work)
        load = bench_app_load(runs, work)
        wtest = bench_wippy_test(runs, work)
    wall = time.perf_counter() - t_all
    m = machine()
    try:
        m["loadavg"] = os.getloadavg()
    except OSError:
        pass

    print(f"funcs.call round trip (a function.lua entry looping {calls['n']:,} calls; median of {runs}):")
    print(f"  to a function.lua entry          {calls['lua_entry_us']:8.1f} us")
    print(f"  to a Python function entry       {calls['python_entry_us']:8.1f} us")
    print(f"  floor: CPython dict lookup+call  {calls['cpython_dict_call_ns'] / 1000:8.3f} us "
          f"({calls['cpython_dict_call_ns']:.0f} ns; funcs.call is {calls['ratio_lua_entry_over_floor']:,.0f}x)")
    print(f"  for scale: a Lua local call      {calls['lua_local_call_ns'] / 1000:8.3f} us (luavm, loop included)")
    print(f"app of {load['entries']} entries ({load['compiled']} Lua sources), from the process's spawn "
          f"(median of {runs}). READY: `import wippy`, `wippy.App(dir)` and a first call -- every entry is "
          f"then ready to call (an entry's own code is compiled, or read from luavm's cache, on its first call: "
          f"'next' is that per entry); in-proc = App(dir) + first call; then every entry compiled "
          f"(wippy lint's check). cold: luavm's and wippy's caches empty; new app: wippy's own Lua cached "
          f"(another app ran before), this app's not; cached: a second run:")
    print(f"  {'':<8} {'python':>7} {'import':>7} {'registry':>8} {'1st call':>8} {'in-proc':>8} {'READY':>7} "
          f"{'cpu':>6} {'next':>6} {'compile':>8} {'total':>7}")
    for label in ("cold", "new app", "cached"):
        r = load[label]
        print(f"  {label:<8} {r['python_start_s'] * 1000:7.0f} {r['import_s'] * 1000:7.0f} "
              f"{r['registry_s'] * 1000:8.0f} {r['first_call_s'] * 1000:8.0f} {r['in_process_s'] * 1000:8.0f} "
              f"{r['ready_s'] * 1000:7.0f} {r['ready_cpu_s'] * 1000:6.0f} {r['next_call_ms']:6.1f} "
              f"{r['compile_s'] * 1000:8.0f} {r['total_s'] * 1000:7.0f} ms")
    print("  targets: READY cold <= 1000 ms, cached <= 300 ms")
    print(f"wippy test examples/orders ({wtest['tests']} tests), spawn to the first test's start "
          f"(median of {runs}):")
    print(f"  luavm cache warm   {wtest['first_test_s'] * 1000:6.0f} ms   "
          f"(spawn to exit: python -c pass {wtest['python_pass_s'] * 1000:.0f} ms, "
          f"python -c 'import wippy.cli' {wtest['python_import_wippy_cli_s'] * 1000:.0f} ms)")
    print(f"  luavm cache cold   {wtest['first_test_cold_s'] * 1000:6.0f} ms   (no Lua is compiled before the "
          f"first test: the first test takes {wtest['first_test_ms']:.0f} ms warm, "
          f"{wtest['first_test_ms_cold']:.0f} ms cold)")
    print(f"  whole run          {wtest['exit_s'] * 1000:6.0f} ms (tests {wtest['tests_s'] * 1000:.0f} ms)")
    top = ", ".join(f"{k} {v * 1000:.0f}" for k, v in list(wtest["imports"].items())[:8])
    print(f"  python -X importtime, one run (cumulative ms): {top}")
    print(f"machine: {m.get('cpu', '?')}, nproc {m.get('nproc')}, Python {m.get('python')}, "
          f"load {m.get('loadavg')}; wall {wall:.0f} s")
    if a.json:
        Path(a.json).write_text(json.dumps({"funcs_call": calls, "app_load": load, "wippy_test": wtest,
                                            "runs": runs, "machine": m, "wall_s": wall}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
