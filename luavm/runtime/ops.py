"""Lua operators: fast paths for common types, slow paths with coercions and metamethods.

Generated code calls these directly. Errors are raised as `OpError` carrying
which operand was wrong; the error resolver later appends Lua's variable info
("(local 'x')") from the compiled line table.

A metamethod called from here may suspend (yield): these helpers do nothing
after the metamethod returns except an adjustment the resume form repeats
(first value, truth value, negation), so no record of their own is needed.
"""

from __future__ import annotations

import math
import sys
from types import FunctionType
from typing import Any

from . import state, values
from .frames import position_error
from .limits import alloc
from .values import (
    MAXINT,
    MININT,
    NORET,
    TAILCALL,
    LuaError,
    LuaTable,
    Ret,
    Userdata,
    fmt_float,
    lua_bytes,
    rt_error,
    str2number,
    tointeger,
    type_name,
    wrap,
)


class OpError(LuaError):
    """A runtime error about an operand; `operand` (1 or 2) selects the variable info."""

    def __init__(self, msg: str, operand: int = 0) -> None:
        super().__init__(lua_bytes(msg), level=1)
        self.operand = operand
        position_error(self, sys._getframe(1), runerror=True)


# ---------------------------------------------------------------- metatables


def getmetatable_raw(v: Any) -> LuaTable | None:
    t = type(v)
    if t is LuaTable:
        return v.meta
    if t is bytes:
        return state.current.string_meta
    if isinstance(v, Userdata):
        return v.meta
    metas = state.current.type_metas
    if metas:
        return metas.get(type_name(v))
    return None


def metafield(v: Any, event: bytes) -> Any:
    mt = getmetatable_raw(v)
    if mt is None:
        return None
    return mt.hash.get(event)


# ------------------------------------------------------------------ results


TAIL_COUNT = [0]  # plain (nested) tail calls since the last trampoline


def do_tail(r: Ret) -> Any:
    """Run a chain of tail calls iteratively (proper tail calls: the Python stack stays flat)."""
    TAIL_COUNT[0] = 0
    while True:
        f = r[1]
        try:
            r = f(*r[2])
        except TypeError:
            if callable(f):
                raise
            raise call_error(f, r[3] if len(r) > 3 else None) from None
        if type(r) is not Ret or not r or r[0] is not TAILCALL:
            return r


def first(r: Ret) -> Any:
    """The first of several results (nil when none)."""
    if r:
        if r[0] is TAILCALL:
            r = do_tail(r)
            if type(r) is not Ret:
                return r
            return r[0] if r else None
        return r[0]
    return None


def results(r: Any) -> tuple:
    """All results of a call as a tuple."""
    if type(r) is Ret:
        if r and r[0] is TAILCALL:
            r = do_tail(r)
            if type(r) is not Ret:
                return (r,)
        return r
    return (r,)


def call_error(f: Any, desc: str | None, operand: int = 0) -> LuaError:
    """`operand=1` takes the variable info from the calling line instead of `desc`."""
    msg = f"attempt to call a {typename_of(f)} value"
    if desc:
        msg += f" ({desc})"
    e = LuaError(lua_bytes(msg), level=1)
    e.operand = operand
    return position_error(e, sys._getframe(1), runerror=True)


def call(f: Any, *args: Any) -> Any:
    """Call any Lua value from a builtin; returns the raw result (value or Ret)."""
    try:
        r = f(*args)
    except TypeError:
        if callable(f):
            raise
        raise call_error(f, None) from None
    if type(r) is Ret and r and r[0] is TAILCALL:
        return do_tail(r)
    return r


def call1(f: Any, *args: Any) -> Any:
    r = call(f, *args)
    if type(r) is Ret:
        return r[0] if r else None
    return r


C_LIMIT = 200  # LUAI_MAXCCALLS: how deep calls made from builtins may nest


def ccall(f: Any, *args: Any) -> Any:
    """A call a builtin makes on a new C level (pcall, a callback): like Lua, at
    most C_LIMIT of them nest, so runaway recursion through builtins ends in
    "C stack overflow" long before the Python stack runs out."""
    st = state.current
    if st.ccalls >= C_LIMIT:
        raise LuaError(b"C stack overflow")
    st.ccalls += 1
    try:
        return call(f, *args)
    finally:
        st.ccalls -= 1


def call_noyield(f: Any, *args: Any) -> Any:
    """Call from a builtin that cannot be resumed: a yield inside is a Lua error."""
    co = state.current.current
    co.nny += 1
    try:
        return ccall(f, *args)
    finally:
        co.nny -= 1


def call_meta(obj: Any, args: tuple) -> Any:
    """Call a non-function value through its `__call` metamethod."""
    h = metafield(obj, b"__call")
    if h is None or not callable(h):
        raise call_error(obj if h is None else h, None, operand=1)
    return h(obj, *args)


def is_function(v: Any) -> bool:
    return v.__class__ is FunctionType or (v.__class__ is not LuaTable and type_name(v) == "function")


def call_tm(h: Any, event: bytes, *args: Any) -> Any:
    """Call the metamethod h for `event`; a value that cannot be called is Lua's
    "attempt to call a number value (metamethod 'add')"."""
    if h.__class__ is not FunctionType and not is_function(h) and metafield(h, b"__call") is None:
        raise call_error(h, f"metamethod '{event[2:].decode()}'")
    return call_mm(h, *args)


def call_mm(h: Any, *args: Any) -> Any:
    """A metamethod call: Lua makes it with luaD_call, on a new C level, so runaway
    recursion through metamethods ends in "C stack overflow" (at the Lua line)."""
    st = state.current
    if st.ccalls >= C_LIMIT:
        raise rt_error("C stack overflow")
    st.ccalls += 1
    try:
        return h(*args)
    finally:
        st.ccalls -= 1


def typename_of(v: Any) -> str:
    """luaT_objtypename: a string `__name` in the metatable wins."""
    mt = getmetatable_raw(v) if type(v) is LuaTable or isinstance(v, Userdata) else None
    if mt is not None:
        name = mt.hash.get(b"__name")
        if type(name) is bytes:
            return name.decode("latin-1")  # one char per byte, as messages are encoded
    return type_name(v)


# --------------------------------------------------------------- arithmetic


def _tonum(v: Any) -> Any:
    t = type(v)
    if t is int or t is float:
        return v
    if t is bytes:
        return str2number(v)
    return None


_EVENTS = {
    "+": b"__add", "-": b"__sub", "*": b"__mul", "/": b"__div", "%": b"__mod",
    "^": b"__pow", "//": b"__idiv", "&": b"__band", "|": b"__bor", "~": b"__bxor",
    "<<": b"__shl", ">>": b"__shr", "unm": b"__unm", "bnot": b"__bnot",
}
_BITWISE = ("&", "|", "~", "<<", ">>", "bnot")


def arith_slow(op: str, a: Any, b: Any) -> Any:
    """Coercions, then metamethods, then Lua's error."""
    x = a if type(a) in (int, float) else None
    y = b if type(b) in (int, float) else None
    if x is not None and y is not None:
        if op in _BITWISE:
            xi = tointeger(x)
            yi = tointeger(y)
            if xi is not None and yi is not None:
                return ARITH[op](xi, yi)
        else:
            return ARITH[op](x, y)
    ev = _EVENTS[op]
    h = metafield(a, ev)
    if h is None:
        h = metafield(b, ev)
    if h is not None:
        r = call_tm(h, ev, a, b)
        if type(r) is Ret:
            return first(r)
        return r
    if op in _BITWISE:
        if type(a) in (int, float) and type(b) in (int, float) or (x is not None and y is not None):
            bad = 2 if tointeger(x) is not None else 1
            raise OpError("number%VAR% has no integer representation", bad)
        bad = 1 if x is None else 2
        v = a if bad == 1 else b
        if type(v) is bytes:
            raise OpError("attempt to perform bitwise operation on a string value", bad)
        raise OpError(f"attempt to perform bitwise operation on a {typename_of(v)} value", bad)
    bad = 1 if x is None else 2
    v = a if bad == 1 else b
    raise OpError(f"attempt to perform arithmetic on a {typename_of(v)} value", bad)


def add(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        r = a + b
        if MININT <= r <= MAXINT:
            return r
        return wrap(r)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return a + b
    return arith_slow("+", a, b)


def sub(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        r = a - b
        if MININT <= r <= MAXINT:
            return r
        return wrap(r)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return a - b
    return arith_slow("-", a, b)


def mul(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        r = a * b
        if MININT <= r <= MAXINT:
            return r
        return wrap(r)
    if (ta is float or ta is int) and (tb is float or tb is int):
        try:
            return a * b
        except OverflowError:
            return _float_mul(a, b)
    return arith_slow("*", a, b)


def _float_mul(a: float, b: float) -> float:
    return float(a) * float(b)


def div(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return _fdiv(a, b)
    return arith_slow("/", a, b)


def _fdiv(a: Any, b: Any) -> float:
    a = float(a)
    b = float(b)
    if b == 0.0:
        if a != a:
            return a  # a NaN operand comes out as it went in (sign included), as on x86
        if a == 0.0:
            return -math.nan  # x86's default NaN has the sign bit set: lua prints -nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    try:
        return a / b
    except OverflowError:
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def mod(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        if b == 0:
            raise OpError("attempt to perform 'n%0'")
        return a % b
    if (ta is float or ta is int) and (tb is float or tb is int):
        return _fmod(float(a), float(b))
    return arith_slow("%", a, b)


def _fmod(a: float, b: float) -> float:
    """luai_nummod: C fmod, then shifted to the divisor's sign."""
    if a != a:
        return a  # x86 fmod hands back the NaN operand, sign and all
    if b != b:
        return b
    if b == 0.0 or a in (math.inf, -math.inf):
        return -math.nan  # an invalid operation gives x86's negative default NaN
    m = math.fmod(a, b)
    if (b < 0) if m > 0 else (m < 0 and b > 0):
        m += b
    return m


def idiv(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if ta is int and tb is int:
        if b == 0:
            raise OpError("attempt to divide by zero")
        return wrap(a // b)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return _fidiv(float(a), float(b))
    return arith_slow("//", a, b)


def _fidiv(a: float, b: float) -> float:
    q = _fdiv(a, b)
    if q != q or q in (math.inf, -math.inf) or q.is_integer():
        return q  # keeps -0.0
    return float(math.floor(q))


def pow_(a: Any, b: Any) -> Any:
    ta = type(a)
    tb = type(b)
    if (ta is float or ta is int) and (tb is float or tb is int):
        return _fpow(float(a), float(b))
    return arith_slow("^", a, b)


def _fpow(a: float, b: float) -> float:
    if a != a and b == b and b != 0.0:
        # glibc's pow for a NaN base: x*x, negated for an odd integer exponent,
        # inverted for a negative one (which decides the sign `print` shows)
        r = a * a
        if (math.copysign(1.0, a) < 0 and abs(b) < 9007199254740992.0 and b == math.floor(b)
                and int(b) % 2):
            r = -r
        return 1.0 / r if b < 0 else r
    try:
        r = a**b
    except OverflowError:
        if a < 0 and b == int(b) and int(b) % 2 == 1:
            return -math.inf
        return math.inf
    except ZeroDivisionError:
        if b == int(b) and int(b) % 2 == 1 and math.copysign(1.0, a) < 0:
            return -math.inf
        return math.inf
    if type(r) is complex:
        return -math.nan
    return r


def unm(a: Any) -> Any:
    ta = type(a)
    if ta is int:
        return wrap(-a) if a == MININT else -a
    if ta is float:
        return -a
    h = metafield(a, b"__unm")
    if h is not None:
        r = call_tm(h, b"__unm", a, a)
        return first(r) if type(r) is Ret else r
    raise OpError(f"attempt to perform arithmetic on a {typename_of(a)} value", 1)


def band(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return a & b
    return arith_slow("&", a, b)


def bor(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return a | b
    return arith_slow("|", a, b)


def bxor(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return a ^ b
    return arith_slow("~", a, b)


def _shl(a: int, n: int) -> int:
    if n <= -64 or n >= 64:
        return 0
    if n >= 0:
        return wrap(a << n)
    return (a & 0xFFFFFFFFFFFFFFFF) >> -n if a < 0 else a >> -n


def shl(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _shl(a, b)
    return arith_slow("<<", a, b)


def shr(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return _shl(a, -b) if b != MININT else 0
    return arith_slow(">>", a, b)


def bnot(a: Any) -> Any:
    if type(a) is int:
        return ~a
    x = a if type(a) is float else None
    if x is not None:
        i = tointeger(x)
        if i is not None:
            return ~i
        raise OpError("number%VAR% has no integer representation", 1)
    h = metafield(a, b"__bnot")
    if h is not None:
        r = call_tm(h, b"__bnot", a, a)
        return first(r) if type(r) is Ret else r
    raise OpError(f"attempt to perform bitwise operation on a {typename_of(a)} value", 1)


def _int_add(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return wrap(a + b)
    return a + b


def _int_sub(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return wrap(a - b)
    return a - b


def _int_mul(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        return wrap(a * b)
    return float(a) * float(b)


def _mod_any(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if b == 0:
            raise OpError("attempt to perform 'n%0'")
        return a % b
    return _fmod(float(a), float(b))


def _idiv_any(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if b == 0:
            raise OpError("attempt to divide by zero")
        return wrap(a // b)
    return _fidiv(float(a), float(b))


ARITH = {
    "+": _int_add,
    "-": _int_sub,
    "*": _int_mul,
    "/": _fdiv,
    "%": _mod_any,
    "//": _idiv_any,
    "^": lambda a, b: _fpow(float(a), float(b)),
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "~": lambda a, b: a ^ b,
    "<<": _shl,
    ">>": lambda a, b: _shl(a, -b) if b != MININT else 0,
    "unm": lambda a, b: unm(a),
    "bnot": lambda a, b: ~a,
}


# --------------------------------------------------------------- comparison


def eq(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if ta is LuaTable and tb is LuaTable and a is not b:
        # two tables (`v == NULL`): their metatables' __eq read directly
        ma, mb = a.meta, b.meta
        if (ma is None or ma.hash.get(b"__eq") is None) and (mb is None or mb.hash.get(b"__eq") is None):
            return False
    if ta is bool or tb is bool:
        return a is b
    if ta is LuaTable and tb is LuaTable or (isinstance(a, Userdata) and isinstance(b, Userdata)):
        if a is b:
            return True
        h = metafield(a, b"__eq")
        if h is None:
            h = metafield(b, b"__eq")
        if h is None:
            return False
        r = call_tm(h, b"__eq", a, b)
        if type(r) is Ret:
            r = first(r)
        return r is not None and r is not False
    if ta is LuaTable or tb is LuaTable:
        return False
    return a == b  # numbers (exact across subtypes, NaN unequal), strings, nil, identity


def ne(a: Any, b: Any) -> bool:
    return not eq(a, b)


def _cmp_error(a: Any, b: Any) -> OpError:
    t1 = typename_of(a)
    t2 = typename_of(b)
    if t1 == t2:
        return OpError(f"attempt to compare two {t1} values")
    return OpError(f"attempt to compare {t1} with {t2}")


def lt(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a < b
    if ta is bytes and tb is bytes:
        return a < b
    h = metafield(a, b"__lt")
    if h is None:
        h = metafield(b, b"__lt")
    if h is None:
        raise _cmp_error(a, b)
    r = call_tm(h, b"__lt", a, b)
    if type(r) is Ret:
        r = first(r)
    return r is not None and r is not False


def le(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a <= b
    if ta is bytes and tb is bytes:
        return a <= b
    h = metafield(a, b"__le")
    if h is None:
        h = metafield(b, b"__le")
    if h is None:
        # LUA_COMPAT_LT_LE (the reference lua5.4 is built with LUA_COMPAT_5_3):
        # 'a <= b' is 'not (b < a)' when only __lt is there
        h = metafield(b, b"__lt")
        if h is None:
            h = metafield(a, b"__lt")
        if h is None:
            raise _cmp_error(a, b)
        r = call_tm(h, b"__lt", b, a)
        if type(r) is Ret:
            r = first(r)
        return r is None or r is False
    r = call_tm(h, b"__le", a, b)
    if type(r) is Ret:
        r = first(r)
    return r is not None and r is not False


# ------------------------------------------------------------ concat, length


def tostr_num(v: Any) -> bytes | None:
    t = type(v)
    if t is bytes:
        return v
    if t is int:
        return b"%d" % v
    if t is float:
        return fmt_float(v)
    return None


def concat(a: Any, b: Any) -> Any:
    if type(a) is bytes and type(b) is bytes:
        if len(a) + len(b) >= 1024:
            alloc(len(a) + len(b))
        return a + b
    x = tostr_num(a)
    y = tostr_num(b)
    if x is not None and y is not None:
        if len(x) + len(y) >= 1024:
            alloc(len(x) + len(y))
        return x + y
    h = metafield(a, b"__concat")
    if h is None:
        h = metafield(b, b"__concat")
    if h is not None:
        r = call_tm(h, b"__concat", a, b)
        return first(r) if type(r) is Ret else r
    bad = 1 if x is None else 2
    v = a if bad == 1 else b
    raise OpError(f"attempt to concatenate a {typename_of(v)} value", bad)


def length(v: Any) -> Any:
    t = type(v)
    if t is bytes:
        return len(v)
    if t is LuaTable:
        mt = v.meta
        if mt is None or (h := mt.hash.get(b"__len")) is None:
            return v.length()
        r = call_tm(h, b"__len", v, v)  # like luaT_callTMres, the operand is passed twice
        return first(r) if type(r) is Ret else r
    h = metafield(v, b"__len")
    if h is not None:
        r = call_tm(h, b"__len", v, v)
        return first(r) if type(r) is Ret else r
    raise OpError(f"attempt to get length of a {typename_of(v)} value", 1)


# --------------------------------------------------------------------- index


def index(o: Any, k: Any) -> Any:
    """o[k] with __index: a function is called, any other value is indexed in turn."""
    orig = o
    for _ in range(2000):
        if type(o) is LuaTable:
            v = o.get(k)
            if v is not None:
                return v
            mt = o.meta
            if mt is None:
                return None
            h = mt.hash.get(b"__index")
            if h is None:
                return None
        else:
            h = metafield(o, b"__index")
            if h is None:
                raise OpError(f"attempt to index a {typename_of(o)} value", 1 if o is orig else 0)
        if h.__class__ is LuaTable or not is_function(h):
            o = h
            continue
        r = call_mm(h, o, k)
        if type(r) is Ret:
            return first(r)
        return r
    raise rt_error("'__index' chain too long; possible loop")


def index_str(o: Any, k: bytes) -> Any:
    """o[k] for a string key (fields, methods, globals): the common __index-table
    chains of class hierarchies walk the hash parts directly."""
    if type(o) is bytes:  # a method of a string: the string metatable's __index
        mt = state.current.string_meta
        h = mt.hash.get(b"__index") if mt is not None else None
        if type(h) is not LuaTable:
            return index(o, k)
        o = h
    n = 0
    while type(o) is LuaTable:
        v = o.hash.get(k)
        if v is not None:
            return v
        mt = o.meta
        if mt is None:
            return None
        h = mt.hash.get(b"__index")
        if h is None:
            return None
        if type(h) is not LuaTable:
            return index(o, k)
        o = h
        n += 1
        if n >= 2000:  # MAXTAGLOOP: a cycle of __index tables must not hang
            raise rt_error("'__index' chain too long; possible loop")
    return index(o, k)


def setindex(o: Any, k: Any, v: Any) -> None:
    """o[k] = v with __newindex: a function is called, any other value is assigned to."""
    orig = o
    for _ in range(2000):
        if type(o) is LuaTable:
            mt = o.meta
            if mt is None or o.get(k) is not None:
                rawset_checked(o, k, v)
                return
            h = mt.hash.get(b"__newindex")
            if h is None:
                rawset_checked(o, k, v)
                return
        else:
            h = metafield(o, b"__newindex")
            if h is None:
                raise OpError(f"attempt to index a {typename_of(o)} value", 1 if o is orig else 0)
        if h.__class__ is LuaTable or not is_function(h):
            o = h
            continue
        call_mm(h, o, k, v)
        return
    raise rt_error("'__newindex' chain too long; possible loop")


def rawset_checked(t: LuaTable, k: Any, v: Any) -> None:
    if k is None:
        raise rt_error("table index is nil")
    if type(k) is float and k != k:
        raise rt_error("table index is NaN")
    t.set(k, v)


def truth(v: Any) -> bool:
    return v is not None and v is not False


__all__ = [
    "NORET", "Ret", "TAILCALL", "add", "sub", "mul", "div", "mod", "idiv", "pow_", "unm",
    "band", "bor", "bxor", "shl", "shr", "bnot", "eq", "ne", "lt", "le", "concat", "length",
    "index", "setindex", "first", "results", "call", "call1", "call_noyield", "truth",
]


values._CALL_META = call_meta  # LuaTable.__call__ (values cannot import this module)
