"""The `math` library, following lmathlib.c of Lua 5.4.4.

Python's `math` raises where C's libm returns inf or NaN, so every libm call
goes through a wrapper that produces the value glibc produces (including the
sign of NaN, which `print` shows as `nan` or `-nan`). The PRNG is Lua's
xoshiro256** bit for bit, so seeded sequences match the reference interpreter.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

from ..runtime import ops, state
from ..runtime.args import NOVALUE, arg_error, check_any, check_int, check_num, opt_int
from ..runtime.loader import register
from ..runtime.state import LuaState
from ..runtime.values import MAXINT, MININT, LuaTable, Ret, rt_error, tointeger, wrap

M64 = 0xFFFFFFFFFFFFFFFF
NAN = math.nan
NEG_NAN = -math.nan  # the x86 "default NaN" that glibc returns for domain errors
INF = math.inf
PI = math.pi


def _noyield(fn: Callable[..., Any], *a: Any) -> Any:
    """Run `fn` (which may call a metamethod) where a yield must be refused, as in C."""
    co = state.current.current
    co.nny += 1
    try:
        return fn(*a)
    finally:
        co.nny -= 1

_fabs, _sin, _cos, _floor, _sqrt = math.fabs, math.sin, math.cos, math.floor, math.sqrt


def _tofloat(v: Any, n: int, fname: str) -> float:
    """luaL_checknumber converted to a C double (big integers round as C does)."""
    return float(check_num(v, n, fname))


def _pushnumint(d: float) -> int | float:
    """lmathlib's pushnumint: an integer when the float value fits, else the float."""
    if -9.3e18 < d < 9.3e18:  # false for NaN
        i = int(d)
        if MININT <= i <= MAXINT:
            return i
    return d


def _cfloor(d: float) -> float:
    """C floor: keeps inf, NaN and the sign of zero."""
    if not math.isfinite(d) or d == 0.0:
        return d
    return float(math.floor(d))


def _cceil(d: float) -> float:
    if not math.isfinite(d) or d == 0.0:
        return d
    r = float(math.ceil(d))
    return -0.0 if r == 0.0 and d < 0 else r


def _cdiv(a: float, b: float) -> float:
    """IEEE division as C does it (Python raises on a zero divisor)."""
    if b == 0.0:
        if math.isnan(a):
            return a
        if a == 0.0:
            return NEG_NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)
    return a / b


def _libm(fn: Callable[[float], float], x: float, domain_nan: float, pole: float = NEG_NAN) -> float:
    """Call a libm function with C semantics: domain errors give NaN, poles +-inf, overflow inf."""
    try:
        return fn(x)
    except ValueError:
        if x == 0.0:
            return pole
        return domain_nan
    except OverflowError:
        return INF


# ------------------------------------------------------------------ basics


def math_abs(x: Any = NOVALUE, *_: Any) -> int | float:
    if type(x) is float:
        return _fabs(x)
    if type(x) is int:
        return wrap(-x) if x < 0 else x
    return math.fabs(_tofloat(x, 1, "abs"))


def math_sin(x: Any = NOVALUE, *_: Any) -> float:
    if type(x) is float and -1e300 < x < 1e300:  # the common case: no C semantics to emulate
        return _sin(x)
    return _libm(math.sin, _tofloat(x, 1, "sin"), NEG_NAN)


def math_cos(x: Any = NOVALUE, *_: Any) -> float:
    if type(x) is float and -1e300 < x < 1e300:
        return _cos(x)
    return _libm(math.cos, _tofloat(x, 1, "cos"), NEG_NAN)


def math_tan(x: Any = NOVALUE, *_: Any) -> float:
    return _libm(math.tan, _tofloat(x, 1, "tan"), NEG_NAN)


def math_asin(x: Any = NOVALUE, *_: Any) -> float:
    return _libm(math.asin, _tofloat(x, 1, "asin"), NAN)


def math_acos(x: Any = NOVALUE, *_: Any) -> float:
    return _libm(math.acos, _tofloat(x, 1, "acos"), NAN)


def math_atan(y: Any = NOVALUE, x: Any = None, *_: Any) -> float:
    fy = _tofloat(y, 1, "atan")
    fx = 1.0 if x is None else _tofloat(x, 2, "atan")
    if math.isnan(fx) or math.isnan(fy):
        return fx + fy  # glibc's atan2 propagates its NaN operand (Python's gives +nan)
    return math.atan2(fy, fx)


def math_toint(x: Any = NOVALUE, *_: Any) -> int | None:
    i = tointeger(x) if x is not NOVALUE else None
    if i is None:
        check_any(x, 1, "tointeger")
    return i


def math_floor(x: Any = NOVALUE, *_: Any) -> int | float:
    if type(x) is int:
        return x
    if type(x) is float and -9.2e18 < x < 9.2e18:  # the result fits an integer
        return _floor(x)
    return _pushnumint(_cfloor(_tofloat(x, 1, "floor")))


def math_ceil(x: Any = NOVALUE, *_: Any) -> int | float:
    if type(x) is int:
        return x
    return _pushnumint(_cceil(_tofloat(x, 1, "ceil")))


def math_fmod(a: Any = NOVALUE, b: Any = NOVALUE, *_: Any) -> int | float:
    if type(a) is int and type(b) is int:
        if b == 0:
            raise arg_error(2, "fmod", "zero")
        if b == -1:
            return 0  # avoids the overflow of mininteger % -1, as C does
        r = abs(a) % abs(b)  # C's '%' truncates toward zero
        return -r if a < 0 else r
    fb = _tofloat(b, 2, "fmod")  # fmod(luaL_checknumber(L, 1), luaL_checknumber(L, 2)):
    fa = _tofloat(a, 1, "fmod")  # the reference build evaluates argument 2 first
    if math.isnan(fa):
        return fa
    if math.isnan(fb):
        return fb
    if fb == 0.0 or fa in (INF, -INF):
        return NEG_NAN
    return math.fmod(fa, fb)


def math_modf(x: Any = NOVALUE, *_: Any) -> Ret:
    if type(x) is int:
        return (x, 0.0)
    n = _tofloat(x, 1, "modf")
    ip = _cceil(n) if n < 0 else _cfloor(n)
    return (_pushnumint(ip), 0.0 if n == ip else n - ip)


def math_sqrt(x: Any = NOVALUE, *_: Any) -> float:
    if (type(x) is float or type(x) is int) and x >= 0:  # not NaN, not negative
        return _sqrt(x)
    return _libm(math.sqrt, _tofloat(x, 1, "sqrt"), NEG_NAN)


def math_ult(a: Any = NOVALUE, b: Any = NOVALUE, *_: Any) -> bool:
    ia = check_int(a, 1, "ult")
    ib = check_int(b, 2, "ult")
    return (ia & M64) < (ib & M64)


def _log(x: float) -> float:
    return _libm(math.log, x, NEG_NAN, -INF)


def math_log(x: Any = NOVALUE, base: Any = None, *_: Any) -> float:
    fx = _tofloat(x, 1, "log")
    if base is None:
        return _log(fx)
    fb = _tofloat(base, 2, "log")
    if fb == 2.0:
        return _libm(math.log2, fx, NEG_NAN, -INF)
    if fb == 10.0:
        return _libm(math.log10, fx, NAN, -INF)  # glibc's log10 gives +nan
    return _cdiv(_log(fx), _log(fb))


def math_exp(x: Any = NOVALUE, *_: Any) -> float:
    return _libm(math.exp, _tofloat(x, 1, "exp"), NEG_NAN)


def math_deg(x: Any = NOVALUE, *_: Any) -> float:
    return _tofloat(x, 1, "deg") * (180.0 / PI)


def math_rad(x: Any = NOVALUE, *_: Any) -> float:
    return _tofloat(x, 1, "rad") * (PI / 180.0)


def _lt(a: Any, b: Any) -> bool:
    ta = type(a)
    tb = type(b)
    if (ta is int or ta is float) and (tb is int or tb is float):
        return a < b
    return bool(_noyield(ops.lt, a, b))


def math_min(*a: Any) -> Any:
    if not a:
        raise arg_error(1, "min", "value expected")
    m = a[0]
    if len(a) == 2 and (type(m) is float or type(m) is int) and type(a[1]) is type(m):
        return a[1] if a[1] < m else m
    for v in a[1:]:
        if _lt(v, m):
            m = v
    return m


def math_max(*a: Any) -> Any:
    if not a:
        raise arg_error(1, "max", "value expected")
    m = a[0]
    if len(a) == 2 and (type(m) is float or type(m) is int) and type(a[1]) is type(m):
        return a[1] if m < a[1] else m
    for v in a[1:]:
        if _lt(m, v):
            m = v
    return m


def math_type(x: Any = NOVALUE, *_: Any) -> bytes | None:
    t = type(x)
    if t is int:
        return b"integer"
    if t is float:
        return b"float"
    check_any(x, 1, "type")
    return None


# ------------------------------------------------------ xoshiro256** PRNG


def _rotl(x: int, n: int) -> int:
    return ((x << n) | (x >> (64 - n))) & M64


def nextrand(s: list[int]) -> int:
    """One step of xoshiro256**, mutating the 4-word state `s` in place."""
    s0, s1, s2, s3 = s
    s2 ^= s0
    s3 ^= s1
    res = (_rotl((s1 * 5) & M64, 7) * 9) & M64
    s[0] = s0 ^ s3
    s[1] = s1 ^ s2
    s[2] = s2 ^ ((s1 << 17) & M64)
    s[3] = _rotl(s3, 45)
    return res


def setseed(st: LuaState, n1: int, n2: int) -> Ret:
    """Lua's setseed: the state is (n1, 0xff, n2, 0), then 16 values are discarded."""
    s = [n1 & M64, 0xFF, n2 & M64, 0]
    for _ in range(16):
        nextrand(s)
    st.random = s
    return (wrap(n1), wrap(n2))


def randseed(st: LuaState) -> Ret:
    """A "random" seed: the clock plus address-like entropy (Lua uses time and &L)."""
    n1 = time.time_ns()
    n2 = (id(st) << 16) ^ os.getpid() ^ (time.perf_counter_ns() << 32)
    return setseed(st, n1, n2)


def _project(ran: int, n: int, s: list[int]) -> int:
    """5.4.4's project: uniform value in [0, n] by masking and rejection."""
    if n & (n + 1) == 0:
        return ran & n
    lim = n
    lim |= lim >> 1
    lim |= lim >> 2
    lim |= lim >> 4
    lim |= lim >> 8
    lim |= lim >> 16
    lim |= lim >> 32
    ran &= lim
    while ran > n:
        ran = nextrand(s) & lim
    return ran


def _rstate() -> list[int]:
    st = state.current
    s = st.random
    if s is None:
        randseed(st)
        s = st.random
    return s


def math_random(*a: Any) -> int | float:
    st = state.current
    s = st.random
    if s is None:
        randseed(st)
        s = st.random
    # nextrand(s), inline (a call per step is most of a random number's cost);
    # advanced before the arguments are checked, as in C
    s0, s1, s2, s3 = s
    x = (s1 * 5) & M64
    rv = ((((x << 7) | (x >> 57)) & M64) * 9) & M64
    s2 ^= s0
    s3 ^= s1
    s[0] = s0 ^ s3
    s[1] = s1 ^ s2
    s[2] = s2 ^ ((s1 << 17) & M64)
    s[3] = ((s3 << 45) | (s3 >> 19)) & M64
    na = len(a)
    if na == 0:
        return (rv >> 11) * (0.5 / (1 << 52))
    if na == 1:
        low = 1
        up = a[0] if a[0].__class__ is int else check_int(a[0], 1, "random")
        if up == 0:
            return wrap(rv)
    elif na == 2:
        low = check_int(a[0], 1, "random")
        up = check_int(a[1], 2, "random")
    else:
        raise rt_error("wrong number of arguments")
    if low > up:
        raise arg_error(1, "random", "interval is empty")
    p = _project(rv, (up - low) & M64, s)
    return wrap(p + low)


def math_randomseed(*a: Any) -> Ret:
    st = state.current
    if not a:
        return randseed(st)
    n1 = check_int(a[0], 1, "randomseed")
    n2 = opt_int(a[1] if len(a) > 1 else None, 2, "randomseed", 0)
    return setseed(st, n1, n2)


# ------------------------------------------------- LUA_COMPAT_MATHLIB (5.3)
# The reference lua5.4 (Debian's build) has LUA_COMPAT_5_3, so these are there too.


def math_cosh(x: Any = NOVALUE, *_: Any) -> float:
    return _libm(math.cosh, _tofloat(x, 1, "cosh"), NEG_NAN)


def math_sinh(x: Any = NOVALUE, *_: Any) -> float:
    fx = _tofloat(x, 1, "sinh")
    try:
        return math.sinh(fx)
    except OverflowError:
        return math.copysign(INF, fx)


def math_tanh(x: Any = NOVALUE, *_: Any) -> float:
    return math.tanh(_tofloat(x, 1, "tanh"))


def math_pow(x: Any = NOVALUE, y: Any = NOVALUE, *_: Any) -> float:
    fx = _tofloat(x, 1, "pow")
    fy = _tofloat(y, 2, "pow")
    return ops.pow_(fx, fy)


def math_frexp(x: Any = NOVALUE, *_: Any) -> Ret:
    m, e = math.frexp(_tofloat(x, 1, "frexp"))
    return (m, e)


def math_ldexp(x: Any = NOVALUE, e: Any = NOVALUE, *_: Any) -> float:
    fx = _tofloat(x, 1, "ldexp")
    ep = check_int(e, 2, "ldexp") & 0xFFFFFFFF  # (int)luaL_checkinteger: the low 32 bits
    if ep >= 0x80000000:
        ep -= 0x100000000
    try:
        return math.ldexp(fx, ep)
    except OverflowError:
        return math.copysign(INF, fx)


def math_log10(x: Any = NOVALUE, *_: Any) -> float:
    return _libm(math.log10, _tofloat(x, 1, "log10"), NAN, -INF)


# ------------------------------------------------------------------- open

_FUNCS: dict[str, Callable[..., Any]] = {
    "abs": math_abs,
    "acos": math_acos,
    "asin": math_asin,
    "atan": math_atan,
    "ceil": math_ceil,
    "cos": math_cos,
    "deg": math_deg,
    "exp": math_exp,
    "tointeger": math_toint,
    "floor": math_floor,
    "fmod": math_fmod,
    "ult": math_ult,
    "log": math_log,
    "max": math_max,
    "min": math_min,
    "modf": math_modf,
    "rad": math_rad,
    "sin": math_sin,
    "sqrt": math_sqrt,
    "tan": math_tan,
    "type": math_type,
    "random": math_random,
    "randomseed": math_randomseed,
    # LUA_COMPAT_MATHLIB
    "atan2": math_atan,
    "cosh": math_cosh,
    "sinh": math_sinh,
    "tanh": math_tanh,
    "pow": math_pow,
    "frexp": math_frexp,
    "ldexp": math_ldexp,
    "log10": math_log10,
}


def open(st: LuaState) -> LuaTable:
    """Build the `math` table and seed the state's generator randomly, as lua.c does."""
    t = LuaTable()
    for name, fn in _FUNCS.items():
        t.set(name.encode(), fn)
    t.set(b"pi", PI)
    t.set(b"huge", INF)
    t.set(b"maxinteger", MAXINT)
    t.set(b"mininteger", MININT)
    randseed(st)
    return t


# generated code calls these by name (runtime/loader.py `register`)
register(_MSQRT=math_sqrt, _MFLOOR=math_floor, _MTYPE=math_type)
