"""Regression tests for bugs found by the fuzzers in fuzz/ (see fuzz/README.md).

Most regressions are Lua programs in tests/lua/fuzz_*.lua (run by the
differential suite); the ones here check things a Lua program cannot see.
"""

from __future__ import annotations

import io
import warnings

import luavm


def run(src: str) -> bytes:
    out = io.BytesIO()
    luavm.LuaRuntime(stdout=out).execute(src)
    return out.getvalue()


def test_no_python_warnings_when_compiling_constant_stores():
    # t[k] = <constant> generated `b'big' is not None` (SyntaxWarning: "is not" with a literal)
    src = "local t = {} local k = 1 t[k] = 'big' t[k + 1] = 2.5 t[k + 2] = true print(t[1], t[2], t[3])"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(src) == b"big\t2.5\ttrue\n"
