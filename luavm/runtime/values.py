"""Lua values in Python.

nil=None, boolean=bool, integer=int (kept in signed 64-bit), float=float,
string=bytes, table=LuaTable, function=Python function (generated Lua closure or
builtin), coroutine=Coroutine, userdata=any other host object.

Multiple results travel as `Ret` (a tuple subclass); a single result travels as
the plain value, so the common one-result call costs one type check.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from types import CellType, FunctionType
from typing import Any, cast

from ..errors import LuaError, set_value_text

__all__ = ["LuaError"]  # (re-exported: most of the runtime imports it from here)

MAXINT = 0x7FFFFFFFFFFFFFFF
MININT = -0x8000000000000000


def wrap(i: int) -> int:
    """Wrap an unbounded Python int to Lua's signed 64-bit integer."""
    i &= 0xFFFFFFFFFFFFFFFF
    return i - 0x10000000000000000 if i > MAXINT else i


# Zero or several Lua results (also the marker of a pending tail call): a plain
# tuple, as no Lua value is one. (A tuple subclass would cost ~50 ns more to build,
# on every multiple return, pcall and coroutine switch.)
Ret = tuple

NORET: tuple = ()


class TailCallMarker:
    """First element of a `Ret` that asks the caller to perform a tail call."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "TAILCALL"


TAILCALL = TailCallMarker()


class Box:
    """A Lua local captured by a closure (an upvalue cell); fresh per declaration."""

    __slots__ = ("v",)

    def __init__(self, v: Any = None) -> None:
        self.v = v

    def __repr__(self) -> str:
        return f"Box({self.v!r})"


class BuiltinUpvalueId:
    """debug.upvalueid of a builtin closure's upvalue (gmatch's): its identity."""

    __slots__ = ()


class ValueUpvalueId:
    """debug.upvalueid of an upvalue held by value (a local never written after
    its declaration: each closure has its own cell with the value, no shared
    Box). Closures of one declaration's local get equal ids, those of another
    local unequal ones, as lua's shared upvalues: the id is the declaration
    (chunk, declaring function, local) and the value. (Two runs of one
    declaration holding the same value get equal ids; lua's differ.)"""

    __slots__ = ("key",)

    def __init__(self, decl: tuple, v: Any) -> None:
        t = type(v)
        self.key = (decl, (t, v) if v is None or t in (bool, int, float, bytes, str) else id(v))

    def __eq__(self, other: object) -> bool:
        return type(other) is ValueUpvalueId and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)



# debug.upvalueid's results (light userdata): a Box, or for an upvalue that holds
# its value a ValueUpvalueId (a closure cell: debug's older answer)
UPVALUE_IDS = (Box, CellType, ValueUpvalueId, BuiltinUpvalueId)


class BoolKey:
    """Table key standing for true/false: Python's True == 1 must not collide with t[1]."""

    __slots__ = ("value",)

    def __init__(self, value: bool) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"BoolKey({self.value})"


TRUE_KEY = BoolKey(True)
FALSE_KEY = BoolKey(False)


def lua_bytes(s: str) -> bytes:
    """Message text as Lua bytes. The Lua strings that reach messages (chunk names,
    field and global names, __name) are held one char per byte (latin-1); text
    beyond latin-1 (Python's own, the host's) becomes UTF-8."""
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogateescape")


def rt_error(msg: str | bytes, runerror: bool = False) -> LuaError:
    """A runtime error with Lua's position prefix: the current line when raised by
    Lua code itself (luaG_runerror), the calling line when raised by a builtin
    (luaL_error); with `runerror`, none inside a builtin (luaG_runerror there)."""
    import sys

    from .frames import position_error

    if isinstance(msg, str):
        msg = lua_bytes(msg)
    return position_error(LuaError(msg, level=1), sys._getframe(1), runerror)


class _TableAux:
    """Rarely needed table bookkeeping, allocated on first need (tables are created
    by the million: their constructor stays small)."""

    __slots__ = ("keys", "kidx", "dead", "hw", "eph")

    def __init__(self) -> None:
        self.keys: list | None = None  # hash keys in order, for `next`
        self.kidx: dict | None = None  # key -> position in `keys`
        self.dead = 0  # tombstones in the hash part
        self.hw = 0  # the longest the array part was before it last shrank
        self.eph: dict | None = None  # during a weak-table sweep, as a key: its values (stdlib/weak.py)


EMPTY_HASH: dict = {}  # the hash part of every table that has none yet: never written
# the array part of every table that has none yet. Typed as the list it stands for:
# every write replaces it first (`arr is NO_ARRAY`), and being a tuple, a write that
# forgot fails at once
NO_ARRAY: list[Any] = cast("list[Any]", ())


_CALL_META: Any = None  # ops.call_meta (which imports this module), set by ops


class LuaTable:
    """Lua table: an array part for keys 1..n plus an insertion-ordered hash part.

    Invariants: `arr[-1]` is never None; `hash` never holds key len(arr)+1 with
    a live value; keys in `hash` are normalised (integral floats -> int, booleans ->
    BoolKey). Setting a hash key to nil leaves a tombstone (value None) so that
    `next` keeps working while a traversal clears fields, as Lua allows.

    Tables are created by the million and most never get one of the two parts, so
    both start shared: `arr` is the tuple NO_ARRAY (reads work, writes fail loudly)
    and `hash` the dict EMPTY_HASH. Whatever writes a part directly (`arr.append`,
    `hash[k] = v`, here, in the stdlib and in generated code) must first replace
    a shared one with its own (`own_arr`, `own_hash`); reads need no care.
    """

    # (__weakref__: weak tables find out what only they refer to through Python's
    # weak references, stdlib/weak.py; 8 bytes a table)
    __slots__ = ("hash", "arr", "meta", "aux", "__weakref__")

    def __init__(self, arr: list[Any] = NO_ARRAY, hash: dict = EMPTY_HASH) -> None:
        self.arr: list[Any] = arr
        self.hash: dict = hash
        self.meta: LuaTable | None = None
        self.aux: _TableAux | None = None

    def own_hash(self) -> dict:
        """The hash part, made this table's own for writing."""
        h = self.hash
        if h is EMPTY_HASH:
            h = self.hash = {}
        return h

    def _aux(self) -> _TableAux:
        a = self.aux
        if a is None:
            a = self.aux = _TableAux()
        return a

    def _forget_keys(self) -> None:
        if self.aux is not None:
            self.aux.keys = None

    def __repr__(self) -> str:
        return f"<LuaTable 0x{id(self):08x}>"

    def __call__(self, *args: Any) -> Any:
        return _CALL_META(self, args)

    # raw access --------------------------------------------------------------

    def get(self, k: Any) -> Any:
        tk = type(k)
        if tk is int:
            arr = self.arr
            if 0 < k <= len(arr):
                return arr[k - 1]
            return self.hash.get(k)
        if tk is bytes:
            return self.hash.get(k)
        if tk is float:
            if k.is_integer() and -9223372036854775808.0 <= k < 9223372036854775808.0:
                return self.get(int(k))
            return self.hash.get(k)
        if tk is bool:
            return self.hash.get(TRUE_KEY if k else FALSE_KEY)
        return self.hash.get(k)

    def getstr(self, k: bytes) -> Any:
        return self.hash.get(k)

    def getint(self, k: int) -> Any:
        arr = self.arr
        if 0 < k <= len(arr):
            return arr[k - 1]
        return self.hash.get(k)

    def set(self, k: Any, v: Any) -> None:
        """Raw set; the caller has checked that k is not nil or NaN."""
        tk = type(k)
        if tk is int:
            self.setint(k, v)
            return
        if tk is float:
            if k.is_integer() and -9223372036854775808.0 <= k < 9223372036854775808.0:
                self.setint(int(k), v)
                return
        elif tk is bool:
            k = TRUE_KEY if k else FALSE_KEY
        self._sethash(k, v)

    def setint(self, k: int, v: Any) -> None:
        arr = self.arr
        n = len(arr)
        if 0 < k <= n:
            if v is None and k == n:
                aux = self._aux()
                if n > aux.hw:
                    aux.hw = n
                arr.pop()
                while arr and arr[-1] is None:
                    arr.pop()
            else:
                arr[k - 1] = v
            return
        if k == n + 1 and v is not None:
            if arr is NO_ARRAY:
                arr = self.arr = []
            arr.append(v)
            h = self.hash
            if h:
                if k in h:
                    del h[k]
                    self._forget_keys()
                k += 1
                while True:
                    nv = h.get(k)
                    if nv is None:
                        break
                    arr.append(nv)
                    del h[k]
                    self._forget_keys()
                    k += 1
            return
        self._sethash(k, v)

    def _sethash(self, k: Any, v: Any) -> None:
        h = self.hash
        if v is None:
            if h.get(k) is not None:
                h[k] = None
                self._aux().dead += 1
            return
        if h is EMPTY_HASH:
            self.hash = {k: v}
            return
        aux = self.aux
        if aux is not None and aux.dead > 8 and aux.dead * 2 > len(h) and k not in h:
            # same dict class: a watched hash part (runtime/icache.py) stays watched
            self.hash = h = h.__class__({hk: hv for hk, hv in h.items() if hv is not None})
            aux.dead = 0
            aux.keys = None
        h[k] = v

    def length(self) -> int:
        """The border `#t` (raw)."""
        n = len(self.arr)
        if n:
            return n
        h = self.hash
        if not h or h.get(1) is None:
            return 0
        # keys 1..j live in the hash part (array part empty): find a border.
        j = 1
        while h.get(j + 1) is not None:
            j += 1
        return j

    def pairs(self) -> Iterator[tuple[Any, Any]]:
        """The (key, value) pairs of a table whose array part is empty, as repeated
        `next` calls from nil give them, for a generic `for` over `pairs(t)`: a
        generator step instead of a key lookup in `next`. The keys are taken when
        the traversal starts and each value is read again when its turn comes, so
        what Lua allows during a traversal (assigning to existing fields, clearing
        them) behaves as with `next`, also if the hash part is rebuilt meanwhile;
        keys added during it (undefined in Lua) are not visited."""
        for k in list(self.hash):
            v = self.hash.get(k)
            if v is not None:
                yield (k.value if k.__class__ is BoolKey else k), v

    def next(self, k: Any) -> tuple[Any, Any] | None:
        """Lua's `next`: the entry after key k (None: start), or None at the end."""
        if type(k) is bytes:  # the common step of a traversal of the hash part
            aux = self.aux
            if aux is not None and aux.keys is not None and len(aux.keys) == len(self.hash):
                assert aux.kidx is not None
                j = aux.kidx.get(k)
                if j is not None:
                    keys = aux.keys
                    h = self.hash
                    n = len(keys)
                    j += 1
                    while j < n:
                        kk = keys[j]
                        v = h[kk]
                        if v is not None:
                            return (kk.value if type(kk) is BoolKey else kk), v
                        j += 1
                    return None
        arr = self.arr
        i = 0
        if k is not None:
            tk = type(k)
            if tk is float and k.is_integer() and -9223372036854775808.0 <= k < 9223372036854775808.0:
                k = int(k)
                tk = int
            if tk is int and 0 < k <= len(arr):
                i = k
            else:
                if tk is bool:
                    k = TRUE_KEY if k else FALSE_KEY
                h = self.hash
                if k not in h:
                    if tk is int and 0 < k <= (self.aux.hw if self.aux is not None else 0):
                        i = len(arr)  # the array part shrank during traversal
                    else:
                        # luaG_runerror inside the C function `next`: no position (also
                        # when generated code runs `next` inline, see codegen st_GenFor)
                        raise LuaError(b"invalid key to 'next'")
                else:
                    aux = self._aux()
                    order = aux.keys
                    if order is None or len(order) != len(h):
                        order = aux.keys = list(h)
                        aux.kidx = {kk: n for n, kk in enumerate(order)}
                    assert aux.kidx is not None
                    j = aux.kidx[k] + 1
                    while j < len(order):
                        kk = order[j]
                        v = h[kk]
                        if v is not None:
                            return (kk.value if type(kk) is BoolKey else kk), v
                        j += 1
                    return None
        n = len(arr)
        while i < n:
            v = arr[i]
            if v is not None:
                return i + 1, v
            i += 1
        for kk, v in self.hash.items():
            if v is not None:
                return (kk.value if type(kk) is BoolKey else kk), v
        return None


class Userdata:
    """Base class for host objects that Lua sees as full userdata with a metatable."""

    __slots__ = ("meta", "__weakref__")
    lua_type = "userdata"

    def __init__(self, meta: LuaTable | None = None) -> None:
        self.meta = meta


# ---------------------------------------------------------------- conversions


def fmt_float(f: float) -> bytes:
    """Lua's LUAI_NUMFFORMAT "%.14g", plus ".0" when it looks like an integer."""
    if f != f:
        return b"-nan" if math.copysign(1.0, f) < 0 else b"nan"
    if f == math.inf:
        return b"inf"
    if f == -math.inf:
        return b"-inf"
    s = b"%.14g" % f
    if b"." in s or b"e" in s or b"n" in s or b"i" in s:
        return s
    return s + b".0"


def type_name(v: Any) -> str:
    """Lua's `type(v)`."""
    n = _TYPE_NAMES.get(v.__class__)
    if n is not None:
        return n
    t = type(v)
    if t is bool:
        return "boolean"
    if t is int or t is float:
        return "number"
    if t is bytes:
        return "string"
    if t is LuaTable:
        return "table"
    lt = getattr(t, "lua_type", None)
    if lt is not None:
        return lt
    if callable(v):
        return "function"
    return "userdata"


# the usual classes (a Lua function is a Python function: its own or a builtin)
_TYPE_NAMES = {type(None): "nil", bool: "boolean", int: "number", float: "number", bytes: "string",
               LuaTable: "table", FunctionType: "function"}


def tostr(v: Any) -> bytes:
    """Lua's tostring without metamethods (numbers, strings, booleans, nil, addresses)."""
    t = type(v)
    if t is bytes:
        return v
    if t is int:
        return b"%d" % v
    if t is float:
        return fmt_float(v)
    if v is None:
        return b"nil"
    if v is True:
        return b"true"
    if v is False:
        return b"false"
    tn = type_name(v)
    if tn == "function" and type(v).__name__ == "builtin_function_or_method":
        return b"builtin: 0x%08x" % id(v)
    return b"%s: 0x%08x" % (tn.encode(), id(v))


# a decimal numeral with spaces around (hex ones, and anything else, take the long way)
_DECIMAL = re.compile(rb"[ \t\n\r\f\v]*([-+]?)([0-9]*)(\.[0-9]*)?([eE][-+]?[0-9]+)?[ \t\n\r\f\v]*")


def str2number(s: bytes) -> int | float | None:
    """Lua's lua_stringtonumber: decimal/hex integers and floats, with spaces around."""
    if len(s) < 19 and s.isdigit():  # ASCII digits only: a decimal integer that fits
        return int(s)
    m = _DECIMAL.fullmatch(s)
    if m is not None:
        sign, digits, frac, exp = m.groups()
        if not digits and (frac is None or len(frac) < 2):
            return None  # no digit at all ("-", ".", "e5")
        if frac is None and exp is None:
            i = int(digits)
            if i > MAXINT + (1 if sign == b"-" else 0):
                return float(-i if sign == b"-" else i)  # too big for an integer: a float
            return wrap(-i if sign == b"-" else i)
        return float(s)
    # otherwise only a hexadecimal numeral can be one
    s = s.strip(b" \t\n\r\f\v")
    neg = s[:1] == b"-"
    body = s[1:] if s[:1] in (b"-", b"+") else s
    if body[:2] in (b"0x", b"0X"):
        return _hex2number(body[2:], neg)
    return None


def _hex2number(h: bytes, neg: bool) -> int | float | None:
    if not h:
        return None
    mant, _, exp = h.lower().partition(b"p")
    ip, dot, fp = mant.partition(b".")
    digits = b"0123456789abcdef"
    if not (ip or fp) or any(c not in digits for c in ip + fp):
        return None
    if not dot and not _:
        v = int(ip, 16)
        return wrap(-v if neg else v)
    e = 0
    if _:
        if not exp:
            return None
        try:
            e = int(exp)
        except ValueError:
            return None
    m = int((ip + fp) or b"0", 16)
    try:
        f = math.ldexp(float(m), e - 4 * len(fp))
    except OverflowError:
        f = math.inf
    return -f if neg else f


def tonumber(v: Any) -> int | float | None:
    """Coerce a value to a number as arithmetic does (strings convert), else None."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is bytes:
        return str2number(v)
    return None


def tointeger(v: Any) -> int | None:
    """Lua's lua_tointegerx in 'exact' mode: floats with integral value, numeric strings."""
    t = type(v)
    if t is int:
        return v
    if t is float:
        if v.is_integer() and -9.3e18 < v < 9.3e18:
            i = int(v)
            if MININT <= i <= MAXINT:
                return i
        return None
    if t is bytes:
        n = str2number(v)
        return None if n is None else tointeger(n)
    return None


set_value_text(tostr)  # str(LuaError) shows a table error value as Lua's tostring does
