"""Tests of the `utf8` library against lua5.4 (5.4.4) behaviour.

Expected outputs come from lua5.4 (`print(pcall(...))` style); when lua5.4 is
installed the same calls are also run live.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

import pytest

from luavm.runtime import frames
from luavm.runtime import state as rstate
from luavm.runtime.state import LuaState
from luavm.runtime.values import MININT, NORET, LuaError, LuaTable, Ret, tostr
from luavm.stdlib import lutf8

LUA = shutil.which("lua5.4")
S = "héllo wörld €𝄞".encode()


@pytest.fixture
def st(monkeypatch: pytest.MonkeyPatch) -> Any:
    # Builtins are called straight from Python here; keep the runtime's registry of
    # builtins (which renames them after their Lua caller) out of the messages.
    monkeypatch.setattr(frames, "BUILTINS", {})
    s = LuaState()
    prev = rstate.activate(s)
    s.lib = lutf8.open(s)
    yield s
    rstate.activate(prev)


def show(fn: Any, *args: Any) -> str:
    try:
        r = fn(*args)
    except LuaError as e:
        return "false\t" + tostr(e.value).decode("latin-1")
    vals = r if type(r) is Ret else (r,)
    return "\t".join(["true", *(tostr(v).decode("latin-1") for v in vals)]).replace("\n", "\\n")


def lit(v: Any) -> str:
    if v is None:
        return "nil"
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is int:
        return "math.mininteger" if v == MININT else str(v)
    if type(v) is float:
        return repr(v)
    if type(v) is bytes:
        return '"' + "".join(f"\\{c}" if c < 32 or c > 126 or c in b'"\\' else chr(c) for c in v) + '"'
    raise TypeError(v)


LUA_SHOW = r"""local function show(f) local r = table.pack(pcall(f))
if not r[1] then r[2] = tostring(r[2]):gsub("^[^:]*:%d+: ", "") end
for i = 1, r.n do r[i] = tostring(r[i]) end
print((table.concat(r, "\t", 1, r.n):gsub("\n", "\\n"))) end
"""


def run_lua_calls(calls: list[tuple[str, tuple]]) -> list[str]:
    src = LUA_SHOW + "".join(
        f"show(function() local r = table.pack({fn}({', '.join(lit(a) for a in args)})) "
        "return table.unpack(r, 1, r.n) end)\n"
        for fn, args in calls
    )
    out = subprocess.run([LUA, "-"], input=src.encode(), capture_output=True, check=True).stdout
    return out.decode("latin-1").split("\n")[:-1]


CASES = [
    ('utf8.char', (72, 233, 8364, 119070), 'true\tHÃ©â\x82¬ð\x9d\x84\x9e'),
    ('utf8.char', (), 'true\t'),
    ('utf8.char', (0,), 'true\t\x00'),
    ('utf8.char', (2147483647,), 'true\tý¿¿¿¿¿'),
    ('utf8.char', (2147483648,), "false\tbad argument #1 to 'char' (value out of range)"),
    ('utf8.char', (-1,), "false\tbad argument #1 to 'char' (value out of range)"),
    ('utf8.char', (1114111, 1114112, 55296), 'true\tô\x8f¿¿ô\x90\x80\x80í\xa0\x80'),
    ('utf8.char', (65.0,), 'true\tA'),
    ('utf8.char', (65.5,), "false\tbad argument #1 to 'char' (number has no integer representation)"),
    ('utf8.char', (b'66',), 'true\tB'),
    ('utf8.char', (None,), "false\tbad argument #1 to 'char' (number expected, got nil)"),
    ('utf8.char', (2047, 2048, 65535, 65536, 2097151, 2097152, 67108863, 67108864), 'true\tß¿à\xa0\x80ï¿¿ð\x90\x80\x80÷¿¿¿ø\x88\x80\x80\x80û¿¿¿¿ü\x84\x80\x80\x80\x80'),
    ('utf8.len', (S,), 'true\t14'),
    ('utf8.len', (b'',), 'true\t0'),
    ('utf8.len', (S, 2), 'true\t13'),
    ('utf8.len', (S, 3), 'true\tnil\t3'),
    ('utf8.len', (S, -4), 'true\t1'),
    ('utf8.len', (S, 1, -5), 'true\t13'),
    ('utf8.len', (S, 0), "false\tbad argument #2 to 'len' (initial position out of bounds)"),
    ('utf8.len', (S, 100), "false\tbad argument #2 to 'len' (initial position out of bounds)"),
    ('utf8.len', (S, len(S) + 1), 'true\t0'),
    ('utf8.len', (S, len(S) + 2), "false\tbad argument #2 to 'len' (initial position out of bounds)"),
    ('utf8.len', (S, 1, len(S) + 1), "false\tbad argument #3 to 'len' (final position out of bounds)"),
    ('utf8.len', (b'abc\xffdef',), 'true\tnil\t4'),
    ('utf8.len', (b'\xed\xa0\x80',), 'true\tnil\t1'),
    ('utf8.len', (b'\xed\xa0\x80', 1, -1, True), 'true\t1'),
    ('utf8.len', (b'\xf4\x90\x80\x80',), 'true\tnil\t1'),
    ('utf8.len', (b'\xf4\x90\x80\x80', 1, -1, True), 'true\t1'),
    ('utf8.len', (b'\xc0\x80',), 'true\tnil\t1'),
    ('utf8.len', (b'\xc0\x80', 1, -1, True), 'true\tnil\t1'),
    ('utf8.len', (b'\xfd\xbf\xbf\xbf\xbf\xbf', 1, -1, True), 'true\t1'),
    ('utf8.len', (b'\xfe\xbf\xbf\xbf\xbf\xbf\xbf', 1, -1, True), 'true\tnil\t1'),
    ('utf8.len', (b'\xe2\x82',), 'true\tnil\t1'),
    ('utf8.len', (b'ab\x80',), 'true\tnil\t3'),
    ('utf8.len', (None,), "false\tbad argument #1 to 'len' (string expected, got nil)"),
    ('utf8.len', (12345,), 'true\t5'),
    ('utf8.len', (S, 1, MININT), 'true\t0'),
    ('utf8.len', (S, MININT), "false\tbad argument #2 to 'len' (initial position out of bounds)"),
    ('utf8.len', (b'\xf8\x88\x80\x80\x80', 1, -1, 1), 'true\t1'),
    ('utf8.len', (b'\xf8\x88\x80\x80\x80',), 'true\tnil\t1'),
    ('utf8.len', (S, 1.5), "false\tbad argument #2 to 'len' (number has no integer representation)"),
    ('utf8.len', (b'abc', 4), 'true\t0'),
    ('utf8.len', (b'abc', 5), "false\tbad argument #2 to 'len' (initial position out of bounds)"),
    ('utf8.codepoint', (S,), 'true\t104'),
    ('utf8.codepoint', (S, 1, -1), 'true\t104\t233\t108\t108\t111\t32\t119\t246\t114\t108\t100\t32\t8364\t119070'),
    ('utf8.codepoint', (S, 2), 'true\t233'),
    ('utf8.codepoint', (S, 3), 'false\tinvalid UTF-8 code'),
    ('utf8.codepoint', (S, 0), "false\tbad argument #2 to 'codepoint' (out of bounds)"),
    ('utf8.codepoint', (S, 1, 100), "false\tbad argument #3 to 'codepoint' (out of bounds)"),
    ('utf8.codepoint', (S, -4, -1), 'true\t119070'),
    ('utf8.codepoint', (S, 5, 2), 'true'),
    ('utf8.codepoint', (b'\xed\xa0\x80',), 'false\tinvalid UTF-8 code'),
    ('utf8.codepoint', (b'\xed\xa0\x80', 1, 1, True), 'true\t55296'),
    ('utf8.codepoint', (b'',), "false\tbad argument #3 to 'codepoint' (out of bounds)"),
    ('utf8.codepoint', (b'', 1, 0), 'true'),
    ('utf8.codepoint', (b'\xe2\x82',), 'false\tinvalid UTF-8 code'),
    ('utf8.codepoint', (b'abc', MININT, 2), "false\tbad argument #2 to 'codepoint' (out of bounds)"),
    ('utf8.codepoint', (b'\xfd\xbf\xbf\xbf\xbf\xbf', 1, 1, True), 'true\t2147483647'),
    ('utf8.codepoint', (None,), "false\tbad argument #1 to 'codepoint' (string expected, got nil)"),
    ('utf8.codepoint', (b'\x7f\xc2\x80', 1, -1), 'true\t127\t128'),
    ('utf8.codepoint', (b'abc', -1), 'true\t99'),
    ('utf8.offset', (S, 1), 'true\t1'),
    ('utf8.offset', (S, 3), 'true\t4'),
    ('utf8.offset', (S, -1), 'true\t18'),
    ('utf8.offset', (S, -2), 'true\t15'),
    ('utf8.offset', (S, 0, 3), 'true\t2'),
    ('utf8.offset', (S, 0, 2), 'true\t2'),
    ('utf8.offset', (S, 2, 3), 'false\tinitial position is a continuation byte'),
    ('utf8.offset', (S, 1, 3), 'false\tinitial position is a continuation byte'),
    ('utf8.offset', (S, 100), 'true\tnil'),
    ('utf8.offset', (S, -100), 'true\tnil'),
    ('utf8.offset', (S, 0), 'true\t1'),
    ('utf8.offset', (S, 1, len(S) + 1), 'true\t22'),
    ('utf8.offset', (S, 1, len(S) + 2), "false\tbad argument #3 to 'offset' (position out of bounds)"),
    ('utf8.offset', (S, 1, 0), "false\tbad argument #3 to 'offset' (position out of bounds)"),
    ('utf8.offset', (S, 0, len(S) + 1), 'true\t22'),
    ('utf8.offset', (S, -1, 0), "false\tbad argument #3 to 'offset' (position out of bounds)"),
    ('utf8.offset', (b'', 1), 'true\t1'),
    ('utf8.offset', (b'', -1), 'true\tnil'),
    ('utf8.offset', (b'', 0), 'true\t1'),
    ('utf8.offset', (b'abc', 4), 'true\t4'),
    ('utf8.offset', (b'abc', 5), 'true\tnil'),
    ('utf8.offset', (S,), "false\tbad argument #2 to 'offset' (number expected, got no value)"),
    ('utf8.offset', (S, 1.5), "false\tbad argument #2 to 'offset' (number has no integer representation)"),
    ('utf8.offset', (S, -3, -4), 'true\t13'),
    ('utf8.offset', (b'\x80\x80', 0, 2), 'true\t1'),
    ('utf8.offset', (b'a\x80\x80', 0, 3), 'true\t1'),
    ('utf8.offset', (S, 2, -1), 'false\tinitial position is a continuation byte'),
]


@pytest.mark.parametrize(("fname", "args", "expected"), CASES)
def test_utf8_case(st: Any, fname: str, args: tuple, expected: str) -> None:
    fn = st.lib.get(fname.split(".", 1)[1].encode())
    assert show(fn, *args) == expected


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_cases_match_live_lua() -> None:
    assert run_lua_calls([(f, a) for f, a, _ in CASES]) == [e for _, _, e in CASES]


def test_charpattern(st: Any) -> None:
    assert st.lib.get(b"charpattern") == b"[\x00-\x7F\xC2-\xFD][\x80-\xBF]*"
    assert len(st.lib.get(b"charpattern")) == 14


def _iterate(s: Any, lax: Any = None) -> str:
    """Run a generic `for` over utf8.codes the way the VM does."""
    r = lutf8.iter_codes(s, lax)
    f, state_, ctl = r
    out = []
    try:
        while True:
            res = f(state_, ctl)
            vals = res if type(res) is Ret else (res,)
            if not vals or vals[0] is None:
                break
            ctl = vals[0]
            out.append(f"{vals[0]}:{vals[1]}")
    except LuaError as e:
        out.append("error: " + tostr(e.value).decode())
    return " ".join(out)


def test_codes(st: Any) -> None:
    assert _iterate("héllo€".encode()) == "1:104 2:233 4:108 5:108 6:111 7:8364"
    assert _iterate(b"ab\xffcd") == "1:97 2:98 error: invalid UTF-8 code"
    assert _iterate(b"ab\xed\xa0\x80") == "1:97 2:98 error: invalid UTF-8 code"
    assert _iterate(b"ab\xed\xa0\x80", True) == "1:97 2:98 3:55296"
    assert _iterate(b"a\x80\x80b") == "1:97 4:98"
    assert _iterate(12345) == "1:49 2:50 3:51 4:52 5:53"


def test_codes_iterator_is_a_plain_builtin(st: Any) -> None:
    f, s, i = lutf8.iter_codes(b"x")
    assert (s, i) == (b"x", 0)
    assert f is lutf8.iter_auxstrict
    assert lutf8.iter_codes(b"x", True)[0] is lutf8.iter_auxlax
    assert tuple(f(b"abc", 1)) == (2, 98)
    assert tuple(f(b"abc", 1.0)) == (2, 98)
    assert f(b"abc", 3) is NORET
    assert f(b"abc", -1) is NORET
    assert show(f, None, 0).startswith("false\tbad argument #1 to")
    assert show(f, b"\xe2\x82", 0) == "false\tinvalid UTF-8 code"
    assert show(lutf8.iter_codes, None) == "false\tbad argument #1 to 'codes' (string expected, got nil)"


def test_encode_decode_roundtrip() -> None:
    for code in (0, 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF, 0x110000, 0x1FFFFF,
                 0x200000, 0x3FFFFFF, 0x4000000, 0x7FFFFFFF):
        b = lutf8.encode(code)
        if code <= 0x10FFFF:
            assert b == chr(code).encode("utf-8", "surrogatepass")
        assert lutf8.decode(b, 0, False) == (code, len(b))


def test_library_contents(st: Any) -> None:
    names = set()
    k = None
    while (e := st.lib.next(k)) is not None:
        k = e[0]
        names.add(k)
    assert names == {b"char", b"charpattern", b"codes", b"codepoint", b"len", b"offset"}
    assert isinstance(st.lib, LuaTable)
