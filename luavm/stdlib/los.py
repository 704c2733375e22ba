"""The `os` library, following loslib.c of Lua 5.4.4.

Time functions are always available; the ones that touch the host (files,
processes, environment, locale, exit) only when the embedder grants `st.host_access`. The
current time comes from `st.clock` / `st.cpu_clock` when the state has them,
so tests and snapshots can run on a deterministic clock.
"""

from __future__ import annotations

import locale
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from ..runtime import ops, state
from ..runtime.args import (
    NOVALUE,
    arg_error,
    check_int,
    check_option,
    check_str,
    check_table,
    opt_int,
    opt_str,
)
from ..runtime.state import LuaState
from ..runtime.values import LuaTable, Ret, rt_error, tointeger

INT_MAX = 0x7FFFFFFF
INT_MIN = -0x80000000

# LUA_STRFTIMEOPTIONS for C99/POSIX: one-char options, then (after "||") two-char ones
_OPTS1 = frozenset(b"aAbBcCdDeFgGhHIjmMnprRStTuUVwWxXyYzZ%")
_OPTS2 = frozenset(
    bytes(p) for p in (b"Ec", b"EC", b"Ex", b"EX", b"Ey", b"EY", b"Od", b"Oe", b"OH", b"OI",
                       b"Om", b"OM", b"OS", b"Ou", b"OU", b"OV", b"Ow", b"OW", b"Oy")
)
_CYCLE_YEARS = 400  # the Gregorian calendar repeats every 400 years ...
_CYCLE_SECS = 146097 * 86400  # ... which is exactly this many seconds


def _noyield(fn: Callable[..., Any], *a: Any) -> Any:
    """Run `fn` (which may call a metamethod) where a yield must be refused, as in C."""
    co = state.current.current
    co.nny += 1
    try:
        return fn(*a)
    finally:
        co.nny -= 1


def _now(st: LuaState) -> int:
    """time(NULL): whole seconds from the state's clock, or the host's."""
    t = st.clock() if st.clock is not None else time.time()
    return int(t // 1)


def _cstr(b: bytes) -> str:
    """A Lua string used as a C string (cut at NUL) for the host's APIs."""
    return b.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def _fileresult(e: OSError, fname: bytes | None) -> Ret:
    """luaL_fileresult for a failure: nil, "[fname: ]strerror", errno."""
    en = e.errno or 0
    msg = os.strerror(en).encode()
    if fname is not None:
        msg = fname.split(b"\0", 1)[0] + b": " + msg
    return (None, msg, en)


# -------------------------------------------------------------- date, time


def _checktime(v: Any, n: int, fname: str) -> int:
    """l_checktime: time_t is a 64-bit integer, so any Lua integer fits."""
    return check_int(v, n, fname)


def _tm_fields(tm: time.struct_time, year_shift: int = 0) -> list[tuple[bytes, Any]]:
    """setallfields: the table fields for a broken-down time."""
    return [
        (b"year", tm.tm_year + year_shift),
        (b"month", tm.tm_mon),
        (b"day", tm.tm_mday),
        (b"hour", tm.tm_hour),
        (b"min", tm.tm_min),
        (b"sec", tm.tm_sec),
        (b"yday", tm.tm_yday),
        (b"wday", (tm.tm_wday + 1) % 7 + 1),  # Python: Monday=0; Lua: Sunday=1
        (b"isdst", tm.tm_isdst > 0),
    ]


def _broken_down(t: int, utc: bool) -> time.struct_time:
    try:
        if utc:
            g = time.gmtime(t)
            return time.struct_time((*tuple(g)[:9], "GMT", 0))  # C's gmtime names it GMT
        return time.localtime(t)
    except (OverflowError, OSError, ValueError):
        raise rt_error("date result cannot be represented in this installation") from None


def _checkoption(fmt: bytes, i: int) -> int:
    """Length of the valid conversion at fmt[i:], or raise lua's error."""
    conv = fmt[i:]
    if conv[:1] and conv[0] in _OPTS1:
        return 1
    if len(conv) >= 2 and conv[:2] in _OPTS2:
        return 2
    shown = conv.split(b"\0", 1)[0].decode("latin-1")
    raise arg_error(1, "date", f"invalid conversion specifier '%{shown}'")


def os_date(fmt: Any = None, t: Any = None, *_: Any) -> Any:
    st = state.current
    s = opt_str(fmt, 1, "date", b"%c")
    tt = _now(st) if t is None or t is NOVALUE else _checktime(t, 2, "date")
    utc = s[:1] == b"!"
    if utc:
        s = s[1:]
    tm = _broken_down(tt, utc)
    if s.split(b"\0", 1)[0] == b"*t":
        res = LuaTable()
        for k, v in _tm_fields(tm):
            res.set(k, v)
        return res
    out = bytearray()
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c != 0x25:  # '%'
            out.append(c)
            i += 1
            continue
        i += 1
        ln = _checkoption(s, i)
        conv = "%" + s[i:i + ln].decode("ascii")
        i += ln
        try:
            out += time.strftime(conv, tm).encode("utf-8", "surrogateescape")
        except (OverflowError, ValueError):
            # Python needs the year itself (not year - 1900) in a C int
            raise rt_error("date result cannot be represented in this installation") from None
    return bytes(out)


def _getfield(t: LuaTable, key: bytes, d: int, delta: int) -> int:
    """loslib's getfield: an integer field in int range, or the default d (-1: required)."""
    v = _noyield(ops.index, t, key)
    res = tointeger(v)
    name = key.decode()
    if res is None:
        if v is not None:
            raise rt_error(f"field '{name}' is not an integer")
        if d < 0:
            raise rt_error(f"field '{name}' missing in date table")
        return d
    if not (res <= INT_MAX + delta if res >= 0 else INT_MIN + delta <= res):
        raise rt_error(f"field '{name}' is out-of-bound")
    return res - delta


def _mktime(year: int, mon: int, mday: int, hour: int, mnt: int, sec: int, isdst: int) -> tuple[int, int]:
    """C mktime on tm-style fields (year - 1900, month 0-11): (time, year shift).

    Python's mktime needs the year (not year - 1900) in a C int, so years out of
    that range are first moved by whole 400-year Gregorian cycles.
    """
    year += mon // 12
    mon %= 12
    shift = 0
    if not (INT_MIN <= year + 1900 <= INT_MAX - 1):
        shift = ((year - 100) // _CYCLE_YEARS) * _CYCLE_YEARS
        year -= shift
    try:
        r = time.mktime((year + 1900, mon + 1, mday, hour, mnt, sec, 0, 0, isdst))
    except (OverflowError, OSError, ValueError):
        raise rt_error("time result cannot be represented in this installation") from None
    return int(r) + (shift // _CYCLE_YEARS) * _CYCLE_SECS, shift


def os_time(t: Any = None, *_: Any) -> int:
    st = state.current
    if t is None or t is NOVALUE:
        return _now(st)
    tab = check_table(t, 1, "time")
    year = _getfield(tab, b"year", -1, 1900)
    mon = _getfield(tab, b"month", -1, 1)
    mday = _getfield(tab, b"day", -1, 0)
    hour = _getfield(tab, b"hour", 12, 0)
    mnt = _getfield(tab, b"min", 0, 0)
    sec = _getfield(tab, b"sec", 0, 0)
    dst = _noyield(ops.index, tab, b"isdst")
    isdst = -1 if dst is None else (0 if dst is False else 1)
    r, shift = _mktime(year, mon, mday, hour, mnt, sec, isdst)
    if r == -1:
        raise rt_error("time result cannot be represented in this installation")
    try:
        tm = time.localtime(r - (shift // _CYCLE_YEARS) * _CYCLE_SECS)
    except (OverflowError, OSError, ValueError):
        raise rt_error("time result cannot be represented in this installation") from None
    for k, v in _tm_fields(tm, shift):  # update the table with normalized fields
        _noyield(ops.setindex, tab, k, v)
    return r


def os_clock(*_: Any) -> float:
    st = state.current
    return float(st.cpu_clock() if st.cpu_clock is not None else time.process_time())


def os_difftime(t1: Any = NOVALUE, t2: Any = NOVALUE, *_: Any) -> float:
    a = _checktime(t1, 1, "difftime")
    b = _checktime(t2, 2, "difftime")
    return float(a - b)  # glibc subtracts in long double: exact, then rounded once


def os_getenv(name: Any = NOVALUE, *_: Any) -> bytes | None:
    key = check_str(name, 1, "getenv")
    if b"\0" in key:
        key = key.split(b"\0", 1)[0]
    if not key:
        return None
    return os.environb.get(key)


# ------------------------------------------------------------ host access


def os_remove(filename: Any = NOVALUE, *_: Any) -> Any:
    fname = check_str(filename, 1, "remove")
    path = _cstr(fname)
    try:
        try:
            os.unlink(path)
        except IsADirectoryError:
            os.rmdir(path)  # C's remove() also removes empty directories
    except OSError as e:
        return _fileresult(e, fname)
    return True


def os_rename(src: Any = NOVALUE, dst: Any = NOVALUE, *_: Any) -> Any:
    a = check_str(src, 1, "rename")
    b = check_str(dst, 2, "rename")
    try:
        os.rename(_cstr(a), _cstr(b))
    except OSError as e:
        return _fileresult(e, None)
    return True


_TMPCHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def os_tmpname(*_: Any) -> bytes:
    """mkstemp("/tmp/lua_XXXXXX") and close it, as lua does on POSIX."""
    import secrets  # here: it loads OpenSSL (~4 MB), for os.tmpname only

    for _attempt in range(100):
        name = "/tmp/lua_" + "".join(secrets.choice(_TMPCHARS) for _ in range(6))
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError:
            break
        os.close(fd)
        return name.encode()
    raise rt_error("unable to generate a unique filename")


def _flush_std() -> None:
    """Flush our buffered output before a child process writes to the same fds."""
    st = state.current
    for f in (st.io_stdout, st.stdout, sys.stdout,
              getattr(sys.stdout, "buffer", None)):
        try:
            if f is not None:
                f.flush()
        except (OSError, ValueError):
            pass


def execresult(stat: int) -> Ret:
    """luaL_execresult for a wait status: true|nil, "exit"|"signal", code."""
    if os.WIFSIGNALED(stat):
        return (None, b"signal", os.WTERMSIG(stat))
    code = os.WEXITSTATUS(stat) if os.WIFEXITED(stat) else stat
    return (True if code == 0 else None, b"exit", code)


def os_execute(cmd: Any = None, *_: Any) -> Any:
    c = opt_str(cmd, 1, "execute", None)  # type: ignore[arg-type]
    if c is None:
        return os.path.exists("/bin/sh")
    _flush_std()
    stat = os.system(_cstr(c))
    if stat == -1:
        return _fileresult(OSError(0, "system failed"), None)
    return execresult(stat)


_CATNAMES = [b"all", b"collate", b"ctype", b"monetary", b"numeric", b"time"]
_CATS = [locale.LC_ALL, locale.LC_COLLATE, locale.LC_CTYPE, locale.LC_MONETARY,
         locale.LC_NUMERIC, locale.LC_TIME]


def os_setlocale(loc: Any = None, cat: Any = None, *_: Any) -> bytes | None:
    name = opt_str(loc, 1, "setlocale", None)  # type: ignore[arg-type]
    op = check_option(cat, 2, "setlocale", _CATNAMES, b"all")
    try:
        r = locale.setlocale(_CATS[_CATNAMES.index(op)], None if name is None else _cstr(name))
    except (locale.Error, ValueError):
        return None
    return r.encode("utf-8", "surrogateescape")


def os_exit(code: Any = None, close: Any = None, *_: Any) -> Any:
    """Leave the host program: SystemExit carries the status (true=0, false=1)."""
    if type(code) is bool:
        status = 0 if code else 1
    else:
        status = opt_int(code, 1, "exit", 0)
    _flush_std()
    e = SystemExit(status)
    e.lua_close = close is not None and close is not False  # type: ignore[attr-defined]
    raise e


# -------------------------------------------------------------------- open

_ALWAYS: dict[str, Callable[..., Any]] = {
    "clock": os_clock,
    "date": os_date,
    "difftime": os_difftime,
    "time": os_time,
}
_HOST: dict[str, Callable[..., Any]] = {
    "execute": os_execute,
    "exit": os_exit,
    "getenv": os_getenv,  # the environment holds secrets: host access only
    "remove": os_remove,
    "rename": os_rename,
    "setlocale": os_setlocale,
    "tmpname": os_tmpname,
}


def open(st: LuaState) -> LuaTable:
    """Build `os`; host-touching functions only when the embedder granted host access."""
    t = LuaTable()
    funcs = dict(_ALWAYS)
    if st.host_access:
        funcs.update(_HOST)
    for name in sorted(funcs):
        t.set(name.encode(), funcs[name])
    return t
