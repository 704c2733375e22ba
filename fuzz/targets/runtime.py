"""`runtime`: library functions (string, table, math, utf8, os.date/time, base,
coroutine) called with random arguments of random types inside `pcall`
(fuzz/gen_runtime.py). Only Lua errors may come out: a Python exception escaping
`LuaRuntime.execute`, or a message with Python-ish text ("TypeError", "object has
no attribute", "Traceback", "internal error" …) is an internal error. Each call's
printed (ok, results) is compared with lua5.4: differences are message mismatches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import common
from ..common import FINDINGS, Finding, Stats, as_text, first_diff, normalise

TARGET = "runtime"


def check_program(src: bytes, *, on_hang: Any = None, compare: bool = True) -> Finding | None:
    vm = common.run_luavm(src, on_hang=on_hang, host_access=True)  # as the luavm command: binary chunks load
    if vm.timeout:
        return Finding("timeout", "luavm did not finish within the time limit", "internal")
    if vm.pyexc:
        return Finding(f"python-exception:{vm.pyexc_type}", f"a Python exception escaped luavm:\n{vm.pyexc}",
                       "internal")
    ref = common.run_lua(src) if (compare and common.LUA) else None
    ref_text = (ref[0] + (ref[1] or b"")).decode("latin-1") if ref else ""
    for text in (vm.stdout, vm.error or b""):
        for line in text.decode("latin-1").split("\n"):
            m = common.PYTHONISH.search(line)
            if m and m.group(0) not in ref_text:
                return Finding("python-text", f"luavm printed {m.group(0)!r}:\n  {line}", "internal")
    if ref is None:
        return None
    out, err = ref
    if normalise(out) != normalise(vm.stdout):
        return Finding("message", first_diff(normalise(out), normalise(vm.stdout)), "message")
    if (err is None) != (vm.error is None) or (err is not None and normalise(err) != normalise(vm.error or b"")):
        return Finding("message", f"lua5.4 error: {as_text(err)}\nluavm error:  {as_text(vm.error)}", "message")
    return None


def run(count: int, seed: int, time_budget: float | None = None, *, findings_dir: Path = FINDINGS,
        log: Any = None, chunk: int = 200, compare: bool = True) -> Stats:
    from ..gen_runtime import programs

    stats = Stats(TARGET, seed)
    current: dict[str, str] = {}

    def on_hang() -> None:
        common.write_finding(TARGET, current["src"], Finding("hang", "luavm hung (stuck in C code)"),
                             seed=seed, findings_dir=findings_dir)

    def check(src: str) -> Finding | None:
        current["src"] = src
        return check_program(src.encode("utf-8", "surrogateescape"), on_hang=on_hang, compare=compare)

    def save(src: str, f: Finding) -> Path:
        return common.write_finding(TARGET, src, f, seed=seed, findings_dir=findings_dir)

    return common.drive(TARGET, programs(), check, count=count, seed=seed, time_budget=time_budget,
                        chunk=chunk, stats=stats, save=save, log=log)


def summary(stats: Stats) -> str:
    c = stats.counters
    return (f"{stats.cases} programs, {c.get('internal', 0)} internal errors, "
            f"{c.get('message', 0)} message mismatches")


def repro(path: Path) -> Finding | None:
    return check_program(path.read_bytes())
