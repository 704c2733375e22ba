"""Tests of the `os` and `io` libraries against lua5.4 (5.4.4) behaviour.

Host-touching functions are only present when the state has host access. The
clock is injected through `st.clock` / `st.cpu_clock`, and the standard streams
through `st.io_stdin` / `st.io_stdout` / `st.io_stderr` (BytesIO here).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from luavm.runtime import frames
from luavm.runtime import state as rstate
from luavm.runtime.state import LuaState
from luavm.runtime.values import NORET, LuaError, LuaTable, Ret, tostr
from luavm.stdlib import lio, los

LUA = shutil.which("lua5.4")
T0 = 1700000000  # Tue Nov 14 22:13:20 2023 UTC


def results(r: Any) -> tuple:
    return tuple(r) if type(r) is Ret else (r,)


def err(fn: Any, *args: Any) -> str:
    with pytest.raises(LuaError) as ei:
        fn(*args)
    return tostr(ei.value.value).decode("latin-1")


def mktable(**fields: Any) -> LuaTable:
    t = LuaTable()
    for k, v in fields.items():
        t.set(k.encode(), v)
    return t


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _state(host: bool) -> LuaState:
    s = LuaState()
    s.host_access = host
    s.io_stdin = io.BytesIO(b"first line\n42 3.5\nrest\n")
    s.io_stdout = io.BytesIO()
    s.io_stderr = io.BytesIO()
    return s


@pytest.fixture
def st(monkeypatch: pytest.MonkeyPatch) -> Any:
    # Builtins are called straight from Python here; keep the runtime's registry of
    # builtins (which renames them after their Lua caller) out of the messages.
    monkeypatch.setattr(frames, "BUILTINS", {})
    s = _state(True)
    prev = rstate.activate(s)
    s.os = los.open(s)
    s.io = lio.open(s)
    frames.BUILTINS.clear()  # lio registers its hidden builtins under the name '?'
    yield s
    rstate.activate(prev)


# ====================================================================== os


def test_os_without_host_access() -> None:
    s = _state(False)
    t = los.open(s)
    names = set()
    k = None
    while (e := t.next(k)) is not None:
        k = e[0]
        names.add(k)
    assert names == {b"clock", b"date", b"difftime", b"time"}
    assert lio.open(s) is None


def test_os_with_host_access(st: Any) -> None:
    for name in (b"clock", b"date", b"difftime", b"execute", b"exit", b"getenv", b"remove",
                 b"rename", b"setlocale", b"time", b"tmpname"):
        assert st.os.get(name) is not None, name


def test_time_uses_state_clock(st: Any, utc: Any) -> None:
    st.clock = lambda: T0 + 0.75
    assert los.os_time() == T0
    assert los.os_date(b"!%H:%M:%S") == b"22:13:20"
    st.cpu_clock = lambda: 1.25
    assert los.os_clock() == 1.25


def test_time_defaults_to_host_clock(st: Any) -> None:
    before = int(time.time())
    t = los.os_time()
    assert type(t) is int and before <= t <= int(time.time())
    assert type(los.os_clock()) is float


TIME_CASES = [
    ({"year": 2024, "month": 1, "day": 1}, 1704110400, "2024 1 1 12 0 0 1 2 false"),
    ({"year": 2024, "month": 13, "day": 40, "hour": 25, "min": -5, "sec": 70}, 1739148970, "2025 2 10 0 56 10 41 2 false"),
    ({"year": 2024, "month": 1, "day": 1, "hour": 0, "isdst": True}, 1704063600, "2023 12 31 23 0 0 365 1 false"),
    ({"year": b"2024", "month": 1, "day": b"1"}, 1704110400, "2024 1 1 12 0 0 1 2 false"),
    ({"year": 2024, "month": 2, "day": 29.0, "hour": 23, "min": 59, "sec": 59}, 1709251199, "2024 2 29 23 59 59 60 5 false"),
    ({"year": 1969, "month": 12, "day": 31, "hour": 23, "min": 59, "sec": 58}, -2, "1969 12 31 23 59 58 365 4 false"),
    ({"year": 2**31 + 1899, "month": 1, "day": 1}, 67768036160184000, "2147485547 1 1 12 0 0 1 4 false"),
]


@pytest.mark.parametrize(("fields", "expected", "normalized"), TIME_CASES)
def test_time_table(st: Any, utc: Any, fields: dict, expected: int, normalized: str) -> None:
    t = mktable(**fields)
    assert los.os_time(t) == expected
    keys = (b"year", b"month", b"day", b"hour", b"min", b"sec", b"yday", b"wday", b"isdst")
    assert " ".join(tostr(t.get(k)).decode() for k in keys) == normalized


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
@pytest.mark.parametrize(("fields", "expected", "normalized"), TIME_CASES)
def test_time_table_live(fields: dict, expected: int, normalized: str) -> None:
    def lit(v: Any) -> str:
        return f'"{v.decode()}"' if type(v) is bytes else str(v).lower() if type(v) is bool else repr(v)

    tab = "{" + ", ".join(f"{k}={lit(v)}" for k, v in fields.items()) + "}"
    src = (f"local t = {tab} local r = os.time(t) print(r, t.year, t.month, t.day, t.hour, t.min, "
           "t.sec, t.yday, t.wday, t.isdst)")
    out = subprocess.run([LUA, "-e", src], capture_output=True, check=True, env={**os.environ, "TZ": "UTC"})
    assert out.stdout.decode().split() == [str(expected), *normalized.split()]


TIME_ERRORS = [
    ({"year": 2024, "month": 1}, "field 'day' missing in date table"),
    ({"year": 2024, "day": 1}, "field 'month' missing in date table"),
    ({"year": 2024, "month": 1, "day": b"x"}, "field 'day' is not an integer"),
    ({"year": 2024, "month": 1, "day": 1.5}, "field 'day' is not an integer"),
    ({"year": 2**31 + 1900, "month": 1, "day": 1}, "field 'year' is out-of-bound"),
    ({"year": -(2**31) + 1899, "month": 1, "day": 1}, "field 'year' is out-of-bound"),
    ({"year": 1e10, "month": 1, "day": 1}, "field 'year' is out-of-bound"),
    ({"year": 2024, "month": 1, "day": 1, "hour": 2**31}, "field 'hour' is out-of-bound"),
    ({"year": 2024, "month": 1, "day": 1, "sec": True}, "field 'sec' is not an integer"),
]


@pytest.mark.parametrize(("fields", "msg"), TIME_ERRORS)
def test_time_errors(st: Any, utc: Any, fields: dict, msg: str) -> None:
    assert err(los.os_time, mktable(**fields)) == msg


def test_time_argument_errors(st: Any) -> None:
    assert err(los.os_time, 5) == "bad argument #1 to 'time' (table expected, got number)"
    st.clock = lambda: 12.5
    assert los.os_time(None) == 12


DATE_FMT1 = b"!%c|%x|%X|%y|%Y|%a|%A|%b|%B|%d|%H|%I|%j|%m|%M|%p|%S|%U|%w|%W|%Z|%%"
DATE_FMT2 = (b"!%C|%D|%e|%F|%g|%G|%h|%n|%r|%R|%t|%T|%u|%V|%z|%Ec|%EC|%Ex|%EX|%Ey|%EY|%Od|%Oe|%OH|"
             b"%OI|%Om|%OM|%OS|%Ou|%OU|%OV|%Ow|%OW|%Oy")
DATE_CASES = [
    (DATE_FMT1, T0, (b"Tue Nov 14 22:13:20 2023|11/14/23|22:13:20|23|2023|Tue|Tuesday|Nov|November|14|22|10|318"
                    b"|11|13|PM|20|46|2|46|GMT|%")),
    (DATE_FMT2, T0, (b"20|11/14/23|14|2023-11-14|23|2023|Nov|\n|10:13:20 PM|22:13|\t|22:13:20|2|46|+0000|"
                    b"Tue Nov 14 22:13:20 2023|20|11/14/23|22:13:20|23|2023|14|14|22|10|11|13|20|2|46|46|2|46|23")),
    (b"%Y-%m-%d %H:%M:%S %Z", T0, b"2023-11-14 22:13:20 UTC"),
    (b"!%Y", 2**53, b"285428751"),
    (b"!%Y-%m-%d", 0, b"1970-01-01"),
    (b"!%Y-%m-%d", -(10**10), b"1653-02-10"),
    (b"!%Y", 10**15, b"31690708"),
    (b"!abc\0%Y", 0, b"abc\x001970"),
    (b"!%H", 7200.0, b"02"),
    (b"", T0, b""),
    (b"no conversions", T0, b"no conversions"),
    (12, T0, b"12"),
]


@pytest.mark.parametrize(("fmt", "t", "expected"), DATE_CASES)
def test_date(st: Any, utc: Any, fmt: Any, t: Any, expected: bytes) -> None:
    assert los.os_date(fmt, t) == expected


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_date_live(utc: Any) -> None:
    def lit(b: Any) -> str:
        if type(b) is not bytes:
            return repr(b)
        return '"' + "".join(f"\\{c}" if c < 32 or c > 126 or c in b'"\\' else chr(c) for c in b) + '"'

    src = "".join(f"io.write(os.date({lit(f)}, {lit(t)}), '\\1')\n" for f, t, _ in DATE_CASES)
    out = subprocess.run([LUA, "-e", src], capture_output=True, check=True, env={**os.environ, "TZ": "UTC"})
    assert out.stdout.split(b"\x01")[:-1] == [e for _, _, e in DATE_CASES]


def test_date_star_t(st: Any, utc: Any) -> None:
    for fmt in (b"!*t", b"*t", b"!*t\0ignored"):
        t = los.os_date(fmt, T0)
        assert type(t) is LuaTable
        got = {k.decode(): t.get(k) for k in (b"year", b"month", b"day", b"hour", b"min", b"sec",
                                              b"yday", b"wday", b"isdst")}
        assert got == {"year": 2023, "month": 11, "day": 14, "hour": 22, "min": 13, "sec": 20, "yday": 318, "wday": 3, "isdst": False}


def test_date_other_timezone(st: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    if not Path("/usr/share/zoneinfo/America/New_York").exists():
        pytest.skip("no zoneinfo")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert los.os_date(b"%Y-%m-%d %H:%M:%S %Z %z", T0) == b"2023-11-14 17:13:20 EST -0500"
        t = los.os_date(b"*t", 1689000000)  # July: daylight saving time
        assert t.get(b"isdst") is True and t.get(b"hour") == 10
        tab = mktable(year=2023, month=7, day=10, hour=10, min=40)
        assert los.os_time(tab) == 1689000000
        assert tab.get(b"isdst") is True
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(("args", "msg"), [
    ((b"%Ez",), "bad argument #1 to 'date' (invalid conversion specifier '%Ez')"),
    ((b"%",), "bad argument #1 to 'date' (invalid conversion specifier '%')"),
    ((b"%E",), "bad argument #1 to 'date' (invalid conversion specifier '%E')"),
    ((b"%5",), "bad argument #1 to 'date' (invalid conversion specifier '%5')"),
    ((b"%Ezabc",), "bad argument #1 to 'date' (invalid conversion specifier '%Ezabc')"),
    ((b"%Oq",), "bad argument #1 to 'date' (invalid conversion specifier '%Oq')"),
    ((b"*t", 2**60), "date result cannot be represented in this installation"),
    ((b"%Y", 1.5), "bad argument #2 to 'date' (number has no integer representation)"),
    ((b"%Y", b"x"), "bad argument #2 to 'date' (number expected, got string)"),
    (({},), "bad argument #1 to 'date' (string expected, got table)"),
])
def test_date_errors(st: Any, utc: Any, args: tuple, msg: str) -> None:
    a = tuple(LuaTable() if x == {} else x for x in args)
    assert err(los.os_date, *a) == msg


def test_difftime_getenv(st: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    assert los.os_difftime(10, 5) == 5.0
    assert los.os_difftime(1.0, 0) == 1.0
    assert err(los.os_difftime, 10) == "bad argument #2 to 'difftime' (number expected, got no value)"
    monkeypatch.setenv("LUAVM_TEST_VAR", "value")
    assert los.os_getenv(b"LUAVM_TEST_VAR") == b"value"
    assert los.os_getenv(b"LUAVM_NO_SUCH_VAR") is None
    assert err(los.os_getenv) == "bad argument #1 to 'getenv' (string expected, got no value)"


def test_remove_rename_tmpname(st: Any, tmp_path: Path) -> None:
    assert results(los.os_remove(b"/nonexistent/x")) == (None, b"/nonexistent/x: No such file or directory", 2)
    assert results(los.os_rename(b"/nonexistent/x", b"/tmp/y")) == (None, b"No such file or directory", 2)
    f = tmp_path / "a.txt"
    f.write_text("x")
    g = tmp_path / "b.txt"
    assert los.os_rename(str(f).encode(), str(g).encode()) is True
    assert g.exists() and not f.exists()
    assert los.os_remove(str(g).encode()) is True
    d = tmp_path / "dir"
    d.mkdir()
    assert los.os_remove(str(d).encode()) is True  # C's remove() deletes empty directories
    name = los.os_tmpname()
    assert name.startswith(b"/tmp/lua_") and len(name) == 15 and os.path.exists(name)
    os.remove(name)


def test_execute(st: Any) -> None:
    assert results(los.os_execute(b"exit 3")) == (None, b"exit", 3)
    assert results(los.os_execute(b"kill -9 $$")) == (None, b"signal", 9)
    assert results(los.os_execute(b"true")) == (True, b"exit", 0)
    assert los.os_execute() is True


def test_exit(st: Any) -> None:
    for args, code in (((), 0), ((True,), 0), ((False,), 1), ((3,), 3), ((None, True), 0)):
        with pytest.raises(SystemExit) as ei:
            los.os_exit(*args)
        assert ei.value.code == code
    assert err(los.os_exit, b"x") == "bad argument #1 to 'exit' (number expected, got string)"


def test_setlocale(st: Any) -> None:
    assert los.os_setlocale(b"C") == b"C"
    assert los.os_setlocale(None, b"numeric") == b"C"
    assert los.os_setlocale(b"xx_YY.nothing") is None
    assert err(los.os_setlocale, None, b"bad") == "bad argument #2 to 'setlocale' (invalid option 'bad')"
    assert type(los.os_setlocale()) is bytes


# ====================================================================== io

RD = b"hello\nworld\n  0x1p4 -3.5e2 12abc\n"


@pytest.fixture
def rd(tmp_path: Path) -> bytes:
    p = tmp_path / "rd.txt"
    p.write_bytes(RD)
    return str(p).encode()


def test_io_library_contents(st: Any) -> None:
    for name in (b"close", b"flush", b"input", b"lines", b"open", b"output", b"popen", b"read",
                 b"tmpfile", b"type", b"write", b"stdin", b"stdout", b"stderr"):
        assert st.io.get(name) is not None, name
    meta = st.io_meta
    assert meta.get(b"__name") == b"FILE*"
    for name in (b"__index", b"__gc", b"__close", b"__tostring"):
        assert meta.get(name) is not None
    methods = meta.get(b"__index")
    for name in (b"read", b"write", b"lines", b"flush", b"seek", b"close", b"setvbuf"):
        assert methods.get(name) is not None


def test_read_formats(st: Any, rd: bytes) -> None:
    f = lio.io_open(rd)
    assert results(lio.f_read(f, b"l", b"L", b"n", b"n", b"n", b"n")) == (b"hello", b"world\n", 16.0, -350.0, 12, None)
    assert results(lio.f_read(f, b"a")) == (b"abc\n",)
    assert results(lio.f_read(f, b"a", b"a", b"l", 0, 5)) == (b"", b"", None)
    assert results(lio.f_read(f, 0)) == (None,)
    assert lio.f_seek(f, b"set", 2) == 2
    assert lio.f_read(f, 3) == b"llo"
    assert lio.f_seek(f) == 5
    assert lio.f_seek(f, b"end") == len(RD)
    assert lio.f_seek(f, b"cur", -3) == len(RD) - 3
    assert lio.f_read(f, b"*a") == b"bc\n"
    assert results(lio.f_seek(f, b"set", -5)) == (None, b"Invalid argument", 22)
    assert err(lio.f_read, f, b"x") == "bad argument #2 to 'read' (invalid format)"
    assert err(lio.f_read, f, -1) == "not enough memory"
    assert err(lio.f_seek, f, b"bad") == "bad argument #2 to 'seek' (invalid option 'bad')"
    assert err(lio.f_read, f, LuaTable()) == "bad argument #2 to 'read' (string expected, got table)"
    assert lio.f_read(f) is None
    assert lio.io_type(f) == b"file"
    assert lio.f_close(f) is True
    assert lio.io_type(f) == b"closed file"
    assert lio.f_tostring(f) == b"file (closed)"
    assert err(lio.f_read, f) == "attempt to use a closed file"
    assert err(lio.f_close, f) == "attempt to use a closed file"


def test_read_numbers(st: Any, tmp_path: Path) -> None:
    p = tmp_path / "num.txt"
    p.write_bytes(b"0x 1e .5 5. +.e1 00012 0x.8p1 -0x10 1e+" + b"1" * 250)
    f = lio.io_open(str(p).encode())
    got = [lio.f_read(f, b"n") for _ in range(11)]
    assert got == [None, None, 0.5, 5.0, None, None, None, None, None, None, None]
    assert len(lio.f_read(f, b"a")) == 275
    p.write_bytes(b"  00012\t0x.8p1\n-0x10 0x7fffffffffffffff 1e500 " + b"9" * 210 + b" 7")
    f = lio.io_open(str(p).encode())
    got = [lio.f_read(f, b"n") for _ in range(6)]
    assert got == [12, 1.0, -16, 0x7FFFFFFFFFFFFFFF, float("inf"), None]
    assert lio.f_read(f, b"a") == b"9" * 10 + b" 7"


def test_io_type_and_tostring(st: Any) -> None:
    assert lio.io_type(42) is None
    assert lio.io_type(None) is None
    assert err(lio.io_type) == "bad argument #1 to 'type' (value expected)"
    s = lio.f_tostring(st.io.get(b"stdout"))
    assert s.startswith(b"file (0x") and s.endswith(b")")
    assert err(lio.f_tostring, 1) == "bad argument #1 to 'tostring' (FILE* expected, got number)"
    assert err(lio.f_write, 1) == "bad argument #1 to 'write' (FILE* expected, got number)"


def test_open_errors(st: Any, tmp_path: Path) -> None:
    assert results(lio.io_open(b"/nonexistent/file")) == (None, b"/nonexistent/file: No such file or directory", 2)
    assert err(lio.io_open, b"x", b"rw") == "bad argument #2 to 'open' (invalid mode)"
    assert err(lio.io_open, b"x", b"rb+") == "bad argument #2 to 'open' (invalid mode)"
    assert err(lio.io_open, b"x", b"") == "bad argument #2 to 'open' (invalid mode)"
    assert err(lio.io_open) == "bad argument #1 to 'open' (string expected, got no value)"
    d = lio.io_open(str(tmp_path).encode())  # fopen() of a directory succeeds on Linux
    assert lio.io_type(d) == b"file"
    assert results(lio.f_read(d, 1)) == (None, b"Is a directory", 21)
    assert results(lio.io_open(str(tmp_path).encode(), b"w")) == (
        None, str(tmp_path).encode() + b": Is a directory", 21)


def test_modes_and_write(st: Any, tmp_path: Path) -> None:
    p = str(tmp_path / "w.txt").encode()
    w = lio.io_open(p, b"w")
    assert results(lio.f_read(w, 1)) == (None, b"Bad file descriptor", 9)
    assert lio.f_write(w, 1.0, b" ", 2, b" ", float("inf"), b" ", -float("nan"), b" ", float("nan"), b" ",
                       -0.0, b" ", 1e15, b" ", 2.0**63, b"\n") is w
    assert lio.f_close(w) is True
    assert Path(p.decode()).read_bytes() == b"1 2 inf -nan nan -0 1e+15 9.2233720368548e+18\n"
    r = lio.io_open(p)
    assert results(lio.f_write(r, b"x")) == (None, b"Bad file descriptor", 9)
    lio.f_close(r)
    a = lio.io_open(p, b"a+b")
    lio.f_write(a, b"more")
    assert lio.f_seek(a, b"set") == 0
    assert lio.f_read(a, b"a") == b"1 2 inf -nan nan -0 1e+15 9.2233720368548e+18\nmore"
    lio.f_close(a)
    rw = lio.io_open(p, b"r+")
    assert lio.f_read(rw, 2) == b"1 "
    lio.f_seek(rw, b"cur", 0)
    lio.f_write(rw, b"X")
    lio.f_seek(rw, b"set")
    assert lio.f_read(rw, b"l") == b"1 X inf -nan nan -0 1e+15 9.2233720368548e+18"
    assert err(lio.f_write, rw, b"a", LuaTable()) == "bad argument #3 to 'write' (string expected, got table)"
    assert lio.f_setvbuf(rw, b"no") is True
    assert err(lio.f_setvbuf, rw) == "bad argument #2 to 'setvbuf' (string expected, got no value)"
    assert err(lio.f_setvbuf, rw, b"x") == "bad argument #2 to 'setvbuf' (invalid option 'x')"
    assert lio.f_flush(rw) is True
    lio.f_close(rw)


def test_lines(st: Any, rd: bytes) -> None:
    r = lio.io_lines(rd, 2, b"l")
    it, s, c, f = results(r)
    assert s is None and c is None and lio.io_type(f) == b"file"
    got = []
    while True:
        v = it()
        if v is NORET:
            break
        got.append(results(v))
    assert got == [(b"he", b"llo"), (b"wo", b"rld"), (b"  ", b"0x1p4 -3.5e2 12abc")]
    assert lio.io_type(f) == b"closed file"  # closed at the end
    assert err(it) == "file is already closed"
    assert err(lio.io_lines, b"/nonexistent") == "cannot open file '/nonexistent' (No such file or directory)"
    f = lio.io_open(rd)
    it = lio.f_lines(f, b"L")
    assert it() == b"hello\n"
    lio.f_close(f)
    assert err(it) == "file is already closed"
    f = lio.io_open(rd)
    it = lio.f_lines(f)
    assert [it(), it(), it(), it()] == [b"hello", b"world", b"  0x1p4 -3.5e2 12abc", NORET]
    assert lio.io_type(f) == b"file"  # f:lines() does not close
    assert err(lio.f_lines, f, *([b"l"] * 251)) == "bad argument #252 to 'lines' (too many arguments)"


def test_std_files_and_defaults(st: Any) -> None:
    out = st.io_stdout
    assert lio.io_write(b"a", 1, b" ", 2.5, b"\n") is st.io.get(b"stdout")
    lio.io_flush()
    assert out.getvalue() == b"a1 2.5\n"
    assert lio.io_read() == b"first line"
    assert results(lio.io_read(b"n", b"n", b"l")) == (42, 3.5, b"")
    assert lio.io_read(b"L") == b"rest\n"
    assert lio.io_read() is None
    assert err(lio.io_read, b"x") == "bad argument #1 to 'read' (invalid format)"
    assert results(lio.f_close(st.io.get(b"stdout"))) == (None, b"cannot close standard file")
    assert results(lio.io_close()) == (None, b"cannot close standard file")
    assert lio.io_type(st.io.get(b"stdout")) == b"file"
    lio.f_write(st.io.get(b"stderr"), b"err")
    assert st.io_stderr.getvalue() == b"err"
    assert lio.io_input() is st.io.get(b"stdin")
    assert lio.io_output() is st.io.get(b"stdout")
    assert err(lio.io_close, None) == "bad argument #1 to 'close' (FILE* expected, got nil)"


def test_default_files_switch(st: Any, tmp_path: Path, rd: bytes) -> None:
    p = str(tmp_path / "out.txt").encode()
    f = lio.io_output(p)
    assert lio.io_output() is f
    lio.io_write(b"to file")
    assert lio.io_close() is True
    assert err(lio.io_write, b"x") == "default output file is closed"
    assert Path(p.decode()).read_bytes() == b"to file"
    lio.io_output(st.io.get(b"stdout"))
    g = lio.io_input(rd)
    assert lio.io_read(b"l") == b"hello"
    it = lio.io_lines(None, b"n")
    assert it() is NORET  # "world" is not a number: end of iteration, file stays open
    assert lio.io_type(g) == b"file"
    lio.f_close(g)
    assert err(lio.io_read) == "default input file is closed"
    assert err(lio.io_lines) == "attempt to use a closed file"
    assert err(lio.io_input, LuaTable()) == "bad argument #1 to 'input' (FILE* expected, got table)"
    assert err(lio.io_input, b"/nonexistent") == "cannot open file '/nonexistent' (No such file or directory)"


def test_gc_and_close_metamethods(st: Any, tmp_path: Path) -> None:
    f = lio.io_open(str(tmp_path / "g.txt").encode(), b"w")
    assert lio.f_gc(f) is NORET
    assert lio.io_type(f) == b"closed file"
    assert lio.f_gc(f) is NORET  # already closed: nothing to do
    assert lio.f_gc(st.io.get(b"stdout")) is NORET
    assert lio.io_type(st.io.get(b"stdout")) == b"file"


def test_seek_on_pipe_and_tmpfile(st: Any) -> None:
    p = lio.io_popen(b"echo hi")
    assert results(lio.f_seek(p)) == (None, b"Illegal seek", 29)
    assert lio.f_read(p, b"a") == b"hi\n"
    assert results(lio.f_close(p)) == (True, b"exit", 0)
    p = lio.io_popen(b"exit 3")
    assert results(lio.f_close(p)) == (None, b"exit", 3)
    assert err(lio.io_popen, b"ls", b"rw") == "bad argument #2 to 'popen' (invalid mode)"
    t = lio.io_tmpfile()
    lio.f_write(t, b"abc")
    lio.f_seek(t, b"set")
    assert lio.f_read(t, b"a") == b"abc"
    lio.f_close(t)


@pytest.mark.skipif(LUA is None, reason="lua5.4 not installed")
def test_io_script_matches_lua(tmp_path: Path) -> None:
    """The same read sequence run by lua5.4 on the same file."""
    p = tmp_path / "rd.txt"
    p.write_bytes(RD)
    src = f"""local f = io.open("{p}")
print(f:read("l", "L", "n", "n", "n", "n"))
print(f:read("a"), f:read("a"), f:read("l"), f:read(0), f:read(5))
print(f:seek("set", 2), f:read(3), f:seek(), f:seek("end"), f:seek("cur", -3), f:read("a"))
print(f:seek("set", -5))"""
    out = subprocess.run([LUA, "-e", src], capture_output=True, check=True).stdout
    assert out == (b"hello\tworld\n\t16.0\t-350.0\t12\tnil\nabc\n\t\tnil\tnil\tnil\n"
                   b"2\tllo\t5\t33\t30\tbc\n\nnil\tInvalid argument\t22\n")
