"""Conformance checks that the differential corpus cannot express by itself.

Functions nested deeper than CPython allows are compiled by flattening them into
a block dispatcher (luavm.compiler.flatten). Only pathological code takes that
path, so here it is forced on every function of a selection of corpus programs
(coroutines, goto, to-be-closed variables, closures in loops): the output must
stay the reference interpreter's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = [
    "control_goto.lua", "control_if_loops.lua", "control_iterators.lua", "closures_loops.lua",
    "coro_advanced.lua", "coro_generators.lua", "close_order.lua", "meta_close.lua",
    "conf_goto_labels.lua", "conf_close_errors.lua", "conf_deep_nesting.lua", "tailcalls.lua", "types_speculation.lua",
]
FORCED = (
    "import sys; import luavm.compiler.flatten as f; f.BLOCK_LIMIT = -1; "
    "from luavm.__main__ import main; sys.exit(main(sys.argv[1:]))"
)


def _run(cmd: list[str]) -> tuple[int, bytes]:
    env = dict(os.environ, LUAVM_NO_CACHE="1")
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120, env=env)
    return p.returncode, p.stdout


@pytest.mark.skipif(shutil.which("lua5.4") is None, reason="needs the reference lua5.4")
@pytest.mark.parametrize("name", PROGRAMS)
def test_flattened_functions_behave_the_same(name: str) -> None:
    path = f"tests/lua/{name}"
    rc, out = _run([sys.executable, "-c", FORCED, path])
    ref_rc, ref_out = _run(["lua5.4", path])
    assert (rc, out) == (ref_rc, ref_out)
