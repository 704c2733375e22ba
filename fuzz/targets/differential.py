"""`differential`: generated valid, deterministic Lua 5.4 programs (fuzz/gen_diff.py)
run under lua5.4 and under luavm (in-process); stdout, error-ness and the error
message (addresses normalised) must be the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import common
from ..common import FINDINGS, Finding, Stats, as_text, first_diff, normalise

TARGET = "differential"


def check_program(src: bytes, *, on_hang: Any = None) -> Finding | None:
    """Compare one program under lua5.4 and luavm."""
    ref = common.run_lua(src) if common.LUA else None
    if common.LUA and ref is None:
        return None  # lua5.4 itself timed out: nothing to compare
    vm = common.run_luavm(src, on_hang=on_hang)
    return compare_results(ref, vm)


def compare_results(ref: tuple[bytes, bytes | None] | None, vm: common.VMResult) -> Finding | None:
    if vm.timeout:
        return Finding("timeout", "luavm did not finish within the time limit (lua5.4 did)")
    if vm.pyexc:
        return Finding(f"python-exception:{vm.pyexc_type}", f"a Python exception escaped luavm:\n{vm.pyexc}")
    ref_text = (ref[0] + (ref[1] or b"")) if ref else b""
    for text in (vm.stdout, vm.error or b""):
        m = common.PYTHONISH.search(text.decode("latin-1"))
        if m and not common.PYTHONISH.search(ref_text.decode("latin-1")):
            return Finding("python-text", f"luavm output contains {m.group(0)!r}:\n"
                           f"error: {as_text(vm.error)}\n{first_diff(ref[0] if ref else b'', vm.stdout)}")
    if ref is None or common.KNOWN_LIMIT in (vm.error or b""):
        return None
    out, err = ref
    if normalise(out) != normalise(vm.stdout):
        return Finding("stdout", first_diff(normalise(out), normalise(vm.stdout))
                       + f"\n\nlua5.4 error: {as_text(err)}\nluavm error:  {as_text(vm.error)}")
    if (err is None) != (vm.error is None):
        return Finding("error-vs-success", f"lua5.4 error: {as_text(err)}\nluavm error:  {as_text(vm.error)}")
    if err is not None and vm.error is not None and normalise(err) != normalise(vm.error):
        return Finding("error-message", f"lua5.4: {as_text(err)}\nluavm:  {as_text(vm.error)}")
    return None


def run(count: int, seed: int, time_budget: float | None = None, *, findings_dir: Path = FINDINGS,
        log: Any = None, chunk: int = 200) -> Stats:
    from ..gen_diff import programs

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

    return common.drive(TARGET, programs(), check, count=count, seed=seed, time_budget=time_budget,
                        chunk=chunk, stats=stats, save=save, log=log)


def summary(stats: Stats) -> str:
    return f"{stats.cases} programs, {len(stats.findings)} mismatches"


def repro(path: Path) -> Finding | None:
    return check_program(path.read_bytes())
