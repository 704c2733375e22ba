"""Argument checking for builtins, with lua5.4's `luaL_check*` messages."""

from __future__ import annotations

import sys
from typing import Any

from .frames import callee_name
from .values import UPVALUE_IDS, LuaError, LuaTable, fmt_float, lua_bytes, str2number, tointeger, type_name


def typename_for_error(v: Any) -> str:
    """luaL_typeerror's name: a `__name` metafield if it is a string, else the type."""
    from .ops import getmetatable_raw

    if type(v) in UPVALUE_IDS:
        return "light userdata"  # debug.upvalueid's result
    mt = getmetatable_raw(v)
    if mt is not None:
        name = mt.get(b"__name")
        if type(name) is bytes:
            return name.decode("latin-1")
    return type_name(v)


def arg_error(n: int, fname: str, msg: str) -> LuaError:
    """luaL_argerror: named after how the caller called the builtin (a method call
    shifts the argument number and blames `self` for argument 0)."""
    namewhat, name, pos = callee_name(sys._getframe(1))
    if namewhat == "method":
        n -= 1
        if n == 0:
            return LuaError(lua_bytes(f"{pos}calling '{name}' on bad self ({msg})"))
    if name is None:
        name = fname
    return LuaError(lua_bytes(f"{pos}bad argument #{n} to '{name}' ({msg})"))


def type_error(n: int, fname: str, expected: str, v: Any) -> LuaError:
    got = "no value" if v is NOVALUE else typename_for_error(v)
    return arg_error(n, fname, f"{expected} expected, got {got}")


class _NoValue:
    """Default of a required builtin parameter: absent differs from nil in messages."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOVALUE"


NOVALUE = _NoValue()


def check_any(v: Any, n: int, fname: str) -> Any:
    if v is NOVALUE:
        raise arg_error(n, fname, "value expected")
    return v


def check_table(v: Any, n: int, fname: str) -> LuaTable:
    if type(v) is not LuaTable:
        raise type_error(n, fname, "table", v)
    return v


def check_int(v: Any, n: int, fname: str) -> int:
    if type(v) is int:
        return v
    i = tointeger(v)
    if i is None:
        if type(v) is float or (type(v) is bytes and str2number(v) is not None):
            raise arg_error(n, fname, "number has no integer representation")
        raise type_error(n, fname, "number", v)
    return i


def opt_int(v: Any, n: int, fname: str, default: int) -> int:
    return default if v is None or v is NOVALUE else check_int(v, n, fname)


def check_num(v: Any, n: int, fname: str) -> int | float:
    t = type(v)
    if t is int or t is float:
        return v
    if t is bytes:
        x = str2number(v)
        if x is not None:
            return x
    raise type_error(n, fname, "number", v)


def opt_num(v: Any, n: int, fname: str, default: int | float) -> int | float:
    return default if v is None or v is NOVALUE else check_num(v, n, fname)


def check_str(v: Any, n: int, fname: str) -> bytes:
    """A string argument; numbers are converted as Lua does (luaL_checklstring)."""
    t = type(v)
    if t is bytes:
        return v
    if t is int:
        return b"%d" % v
    if t is float:
        return fmt_float(v)
    raise type_error(n, fname, "string", v)


def opt_str(v: Any, n: int, fname: str, default: bytes) -> bytes:
    return default if v is None or v is NOVALUE else check_str(v, n, fname)


def check_func(v: Any, n: int, fname: str) -> Any:
    if type_name(v) != "function":
        raise type_error(n, fname, "function", v)
    return v


def check_option(v: Any, n: int, fname: str, options: list[bytes], default: bytes | None = None) -> bytes:
    if (v is None or v is NOVALUE) and default is not None:
        s = default
    else:
        s = check_str(v, n, fname)
    if s not in options:
        raise arg_error(n, fname, f"invalid option '{s.decode('latin-1')}'")
    return s
