"""`snapshot`: programs with host suspension points at random places (fetch(v)
suspends the task): fuzz/gen.py's programs() and fuzz/gen_diff.py's programs
with fetch calls. Snapshot + restore (in a fresh runtime) at every suspension
must not change output, results or errors, and the straight run must agree with
lua5.4 (where `fetch` is a plain Lua function)."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from .. import common
from ..common import FINDINGS, Finding, Stats, as_text, first_diff, normalise

TARGET = "snapshot"
LIMIT = 30.0


def _run(src: bytes, restore_each: bool, on_hang: Any) -> tuple[Any, str | None]:
    """(result tuple, None) or (None, description of a Python exception / timeout)."""
    from ..snapcheck import run_task

    wd = common.watchdog()
    try:
        wd.start(LIMIT, on_hang)
        try:
            return run_task(src, restore_each=restore_each), None
        except common.CaseTimeout:
            return None, "timeout"
        except Exception as e:  # noqa: BLE001
            name, tb = common._describe_pyexc(e)
            return None, f"{name}\n{tb}"
        finally:
            if wd.stop():
                return None, "timeout"  # noqa: B012
    except common.CaseTimeout:
        return None, "timeout"


def _bits(v: Any) -> Any:
    """Results compared exactly: floats by their bits (NaN equals itself, -0.0 is not 0.0)."""
    if isinstance(v, float):
        return ("float", struct.pack("<d", v))
    if isinstance(v, (list, tuple)):
        return [_bits(x) for x in v]
    return v


def check_program(src: bytes, *, on_hang: Any = None) -> Finding | None:
    straight, err1 = _run(src, False, on_hang)
    if err1 is not None:
        return Finding("timeout" if err1 == "timeout" else "python-exception",
                       f"straight run (no snapshots): {err1}")
    restored, err2 = _run(src, True, on_hang)
    if err2 is not None:
        return Finding("timeout" if err2 == "timeout" else "python-exception",
                       f"run with snapshot+restore at each suspension: {err2}")
    out1, res1, e1, n = straight
    out2, res2, e2, _ = restored
    # a restored table is a new object: its address (Python id) is not the old one
    if normalise(out1) != normalise(out2):
        return Finding("restore-changes-output", f"({n} suspensions)\n" + first_diff(out1, out2).replace(
            "lua5.4:", "straight:").replace("luavm: ", "restored:"))
    if _bits(res1) != _bits(res2) or normalise(e1 or b"") != normalise(e2 or b""):
        return Finding("restore-changes-result", f"straight: {res1!r} error {as_text(e1)}\n"
                                                 f"restored: {res2!r} error {as_text(e2)}")
    if not common.LUA:
        return None
    ref = common.run_lua(src)
    if ref is None:
        return None
    out, err = ref
    if normalise(out) != normalise(out1):
        return Finding("stdout", first_diff(normalise(out), normalise(out1))
                       + f"\n\nlua5.4 error: {as_text(err)}\nluavm error:  {as_text(e1)}")
    if (err is None) != (e1 is None) or (err is not None and normalise(err) != normalise(e1 or b"")):
        return Finding("error", f"lua5.4 error: {as_text(err)}\nluavm error:  {as_text(e1)}")
    return None


def strategy() -> Any:
    from ..gen import programs as gen_programs
    from ..gen_diff import programs as diff_programs

    return st.one_of(gen_programs(), diff_programs(fetch=True, max_stmts=6))


def run(count: int, seed: int, time_budget: float | None = None, *, findings_dir: Path = FINDINGS,
        log: Any = None, chunk: int = 200) -> Stats:
    stats = Stats(TARGET, seed)
    current: dict[str, str] = {}

    def on_hang() -> None:
        common.write_finding(TARGET, current["src"], Finding("hang", "luavm hung (stuck in C code)"),
                             seed=seed, findings_dir=findings_dir)

    def check(src: str) -> Finding | None:
        current["src"] = src
        return check_program(src.encode("utf-8", "surrogateescape"), on_hang=on_hang)

    def save(src: str, f: Finding) -> Path:
        return common.write_finding(TARGET, src, f, seed=seed, findings_dir=findings_dir)

    return common.drive(TARGET, strategy(), check, count=count, seed=seed, time_budget=time_budget,
                        chunk=chunk, stats=stats, save=save, log=log)


def summary(stats: Stats) -> str:
    return f"{stats.cases} programs, {len(stats.findings)} mismatches"


def repro(path: Path) -> Finding | None:
    return check_program(path.read_bytes())
