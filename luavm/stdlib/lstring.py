"""Lua 5.4's `string` library (lstrlib.c), exact to lua5.4 including its messages.

Pattern matching lives in `patterns`, `string.format` in `strformat`, and
`string.pack`/`unpack`/`packsize` in `pack`; this module holds the simple
functions, the find/match/gmatch/gsub drivers, the string metatable and `open`.
"""

from __future__ import annotations

from typing import Any

from ..runtime import ops, state
from ..runtime.args import (
    NOVALUE,
    arg_error,
    check_func,
    check_int,
    check_str,
    opt_int,
    opt_str,
    type_error,
)
from ..runtime.limits import MAXSTR, POP, alloc, charge, refill, too_large
from ..runtime.loader import register
from ..runtime.values import (
    _TYPE_NAMES,
    NORET,
    BuiltinUpvalueId,
    LuaError,
    LuaTable,
    Ret,
    rt_error,
    str2number,
    tostr,
    type_name,
)
from . import fastgsub, patterns
from . import pack as _pack
from .ltable import MAX_RESULTS
from .strformat import str_format

MAXSIZE = 0x7FFFFFFF  # lstrlib's MAXSIZE: results must fit in a C int


def posrelat_i(pos: int, ln: int) -> int:
    """lstrlib's posrelatI: a relative initial position clipped to [1, inf)."""
    if pos > 0:
        return pos
    if pos == 0 or pos < -ln:
        return 1
    return ln + pos + 1


def getendpos(pos: int, ln: int) -> int:
    """lstrlib's getendpos: a relative end position clipped to [0, len]."""
    if pos > ln:
        return ln
    if pos >= 0:
        return pos
    if pos < -ln:
        return 0
    return ln + pos + 1


def _truthy(v: Any) -> bool:
    return v is not None and v is not False and v is not NOVALUE


# ------------------------------------------------------------ simple functions


def str_len(s: Any = NOVALUE, *_: Any) -> int:
    return len(check_str(s, 1, "len"))


def str_sub(s: Any = NOVALUE, i: Any = NOVALUE, j: Any = None, *_: Any) -> bytes:
    if type(s) is bytes and type(i) is int and i > 0 and (j is None or type(j) is int and j >= 0):
        # the common call, s:sub(i, j) with positive positions: no argument checks
        if j is None or j > len(s):
            j = len(s)
        if i > j:
            return b""
        if j - i >= 1024:
            alloc(j - i + 1)
        return s[i - 1:j]
    s = check_str(s, 1, "sub")
    ln = len(s)
    start = posrelat_i(check_int(i, 2, "sub"), ln)
    end = getendpos(opt_int(j, 3, "sub", -1), ln)
    if start <= end:
        if end - start >= 1024:
            alloc(end - start + 1)
        return s[start - 1:end]
    return b""


def str_reverse(s: Any = NOVALUE, *_: Any) -> bytes:
    s = check_str(s, 1, "reverse")
    if len(s) >= 1024:
        alloc(len(s))
    return s[::-1]


def str_lower(s: Any = NOVALUE, *_: Any) -> bytes:
    s = check_str(s, 1, "lower")
    if len(s) >= 1024:
        alloc(len(s))
    return s.lower()  # bytes.lower is ASCII-only, like the C locale


def str_upper(s: Any = NOVALUE, *_: Any) -> bytes:
    s = check_str(s, 1, "upper")
    if len(s) >= 1024:
        alloc(len(s))
    return s.upper()


def str_rep(s: Any = NOVALUE, n: Any = NOVALUE, sep: Any = None, *_: Any) -> bytes:
    s = check_str(s, 1, "rep")
    n = check_int(n, 2, "rep")
    sep = opt_str(sep, 3, "rep", b"")
    if n <= 0:
        return b""
    if len(s) + len(sep) > MAXSIZE // n:
        raise rt_error("resulting string too large")
    alloc(len(s) * n + len(sep) * (n - 1))  # refused before it is built when over the cap
    if not sep:
        return s * n
    return (s + sep) * (n - 1) + s


def str_byte(s: Any = NOVALUE, i: Any = None, j: Any = None, *_: Any) -> Any:
    if j is None and type(s) is bytes and type(i) is int and 0 < i <= len(s):
        return s[i - 1]  # the common call, s:byte(i): no argument checks
    s = check_str(s, 1, "byte")
    ln = len(s)
    pi = opt_int(i, 2, "byte", 1)
    posi = posrelat_i(pi, ln)
    pose = getendpos(opt_int(j, 3, "byte", pi), ln)
    if posi > pose:
        return NORET
    if pose - posi >= 0x7FFFFFFF:
        raise rt_error("string slice too long")
    if pose - posi >= MAX_RESULTS:  # luaL_checkstack: the stack holds about a million values
        raise rt_error("stack overflow (string slice too long)")
    if posi == pose:
        return s[posi - 1]
    if pose - posi >= 1024:
        charge((pose - posi) >> 5)
    return Ret(tuple(s[posi - 1:pose]))


def str_char(*args: Any) -> bytes:
    if len(args) >= 1024:
        alloc(len(args) * 8)
    out = bytearray(len(args))
    for k, v in enumerate(args):
        c = check_int(v, k + 1, "char")
        if not 0 <= c <= 255:
            raise arg_error(k + 1, "char", "value out of range")
        out[k] = c
    return bytes(out)


def str_dump(f: Any = NOVALUE, strip: Any = None, *_: Any) -> bytes:
    """A binary chunk of a Lua function (see runtime.dump for what it holds)."""
    from ..runtime.dump import dump

    check_func(f, 1, "dump")
    data = dump(f, strip is not None and strip is not False)
    if data is None:
        raise rt_error("unable to dump given function")
    return data


# ------------------------------------------------------------ find and friends


def _find_aux(s: Any, p: Any, init: Any, plain: Any, find: bool) -> Any:
    name = "find" if find else "match"
    s = check_str(s, 1, name)
    p = check_str(p, 2, name)
    ls = len(s)
    start = posrelat_i(opt_int(init, 3, name, 1), ls) - 1
    if start > ls:
        return None
    if find and (_truthy(plain) or patterns.nospecials(p)):
        idx = s.find(p, start)
        if idx >= 0:
            return (idx + 1, idx + len(p))
        return None
    anchor = p[:1] == b"^"
    if anchor:
        p = p[1:]
    m = patterns.matcher(s, p)
    if anchor:
        e = m.match(start)
        if e is None:
            return None
        st = start
    else:
        r = m.search(start)
        if r is None:
            return None
        st, e = r
    if find:
        return (st + 1, e) + m.captures(st, e, False)
    caps = m.captures(st, e, True)
    return caps[0] if len(caps) == 1 else Ret(caps)


# How find/match run a pattern, by pattern (anchor included): (PLAIN, None, 0) for
# a plain search, (anchored, regex, captures) for a pattern `re` runs exactly with
# no position captures, None for the general path.
_PLANS: dict[bytes, tuple[Any, Any, int] | None] = {}
_PLAIN = object()


def _plan(p: bytes) -> tuple[Any, Any, int] | None:
    plan: tuple[Any, Any, int] | None = None
    if patterns.nospecials(p):
        plan = (_PLAIN, None, 0)
    else:
        anchor = p[:1] == b"^"
        c = patterns.compiled(p[1:] if anchor else p)
        if c is not None and not c[2]:
            plan = (anchor, c[0], c[1])
    if len(_PLANS) > 2048:
        _PLANS.clear()
    _PLANS[p] = plan
    return plan


def _fast_find(s: bytes, p: bytes, init: Any, find: int) -> Any:
    """find (find=1; 2: plain) or match (0) of a string in a string: the pattern's
    plan is cached and a regex runs directly; NOVALUE means take the general path."""
    ls = len(s)
    if init is None:
        start = 0
    elif type(init) is int:
        start = posrelat_i(init, ls) - 1
        if start > ls:
            return None
    else:
        return NOVALUE
    if find == 2:
        plan: Any = (_PLAIN, None, 0)
    else:
        plan = _PLANS[p] if p in _PLANS else _plan(p)
        if plan is None:
            return NOVALUE
    kind, rx, ncap = plan
    if kind is _PLAIN:
        if not find:
            return NOVALUE
        idx = s.find(p, start)
        return (idx + 1, idx + len(p)) if idx >= 0 else None
    if not patterns.USE_RE or state.current.limits is not None:
        return NOVALUE  # `re` only where matcher() would use it unconditionally
    m = rx.match(s, start) if kind else rx.search(s, start)
    if m is None:
        return None
    if find:
        if ncap:
            return (m.start() + 1, m.end()) + m.groups()
        return (m.start() + 1, m.end())
    if ncap == 0:
        return m.group()
    return m.group(1) if ncap == 1 else Ret(m.groups())


def str_find(s: Any = NOVALUE, p: Any = NOVALUE, init: Any = None, plain: Any = None, *_: Any) -> Any:
    if s.__class__ is bytes and p.__class__ is bytes and (
            init is None or init.__class__ is int and 0 < init <= len(s) + 1):
        # the common `s:find(p[, pos[, plain]])`, inline: a plain search, or the
        # pattern's cached regex run directly (_fast_find's cases)
        st = 0 if init is None else init - 1
        if plain is None or plain is False:
            plan: Any = _PLANS.get(p, _PLAIN)
            if plan is _PLAIN:
                plan = _plan(p)  # (caches it)
            if plan is None:  # no regex for it
                return _find_aux(s, p, init, plain, True)
            kind, rx, ncap = plan
            if kind is not _PLAIN:
                if not patterns.USE_RE or state.current.limits is not None:
                    return _find_aux(s, p, init, plain, True)
                m = rx.match(s, st) if kind else rx.search(s, st)
                if m is None:
                    return None
                if ncap:
                    return (m.start() + 1, m.end()) + m.groups()
                return (m.start() + 1, m.end())
        i = s.find(p, st)
        return (i + 1, i + len(p)) if i >= 0 else None
    return _find_aux(s, p, init, plain, True)


def str_match(s: Any = NOVALUE, p: Any = NOVALUE, init: Any = None, *_: Any) -> Any:
    if type(s) is bytes and type(p) is bytes:
        r = _fast_find(s, p, init, 0)
        if r is not NOVALUE:
            return r
    return _find_aux(s, p, init, None, False)


class GMatchIterator:
    """The iterator `string.gmatch` returns (a class, so a state snapshot can copy it).

    As in 5.4, a leading '^' is not an anchor here: it matches a literal '^'.
    """

    __slots__ = ("lastmatch", "m", "pat", "src", "ids")

    def __init__(self, m: patterns.Matcher, src: int, pat: bytes = b"") -> None:
        self.m = m
        self.src = src
        self.pat = pat  # kept so a snapshot can rebuild the matcher
        self.lastmatch = -1
        self.ids: tuple | None = None

    def upvalue_id(self, n: int) -> Any:
        """debug.upvalueid of lua's gmatch closure's upvalues (subject, pattern,
        state: 1..3), light userdata that stay the same for this iterator."""
        if not 1 <= n <= 3:
            return None
        if self.ids is None:
            self.ids = (BuiltinUpvalueId(), BuiltinUpvalueId(), BuiltinUpvalueId())
        return self.ids[n - 1]

    def __call__(self, *_: Any) -> Any:
        m = self.m
        if m.__class__ is not patterns.ReMatcher or state.current.limits is not None:
            return self._step(m)
        # the regex run directly (no limits: nothing to charge), inline: one call per match
        rx, src, pos, end = m.rx, m.src, self.src, m.src_end
        while True:
            mm = rx.search(src, pos) if pos <= end else None
            if mm is None:
                self.src = end + 1
                return NORET
            e = mm.end()
            if e != self.lastmatch:  # an empty match right after the last one does not count
                break
            pos = mm.start() + 1
        m.m = mm
        self.src = self.lastmatch = e
        if m.level == 0:
            return src[mm.start():e]
        if not m.poscaps:
            return mm.group(1) if m.level == 1 else Ret(mm.groups())
        caps = m.captures(mm.start(), e, True)
        return caps[0] if len(caps) == 1 else Ret(caps)

    def _step(self, m: patterns.Matcher) -> Any:
        """One match by the general matcher (which charges a limited runtime)."""
        r = patterns.next_match(m, self.src, self.lastmatch)
        if r is None:
            self.src = m.src_end + 1
            return NORET
        st, e = r
        self.src = self.lastmatch = e
        caps = m.captures(st, e, True)
        return caps[0] if len(caps) == 1 else Ret(caps)


def str_gmatch(s: Any = NOVALUE, p: Any = NOVALUE, init: Any = None, *_: Any) -> GMatchIterator:
    s = check_str(s, 1, "gmatch")
    p = check_str(p, 2, "gmatch")
    ls = len(s)
    start = posrelat_i(opt_int(init, 3, "gmatch", 1), ls) - 1
    if start > ls:
        start = ls + 1
    return GMatchIterator(patterns.matcher(s, p), start, p)


def _compile_repl(news: bytes) -> list[bytes | int]:
    """Split a gsub replacement string into literal pieces and capture references.

    References are ints: -1 for '%0', n-1 for '%n', and -2 for an invalid '%'
    (the error is raised when that piece is reached, as add_s does).
    """
    parts: list[bytes | int] = []
    i = 0
    ln = len(news)
    while True:
        j = news.find(b"%", i)
        if j < 0:
            if i < ln:
                parts.append(news[i:])
            return parts
        if j > i:
            parts.append(news[i:j])
        j += 1
        c = news[j] if j < ln else 0
        if c == 0x25:
            parts.append(b"%")
        elif c == 0x30:
            parts.append(-1)
        elif 0x31 <= c <= 0x39:
            parts.append(c - 0x31)
        else:
            parts.append(-2)
        i = j + 1


def _add_s(out: list[bytes], m: patterns.Matcher, st: int, e: int, parts: list[Any],
           room: int) -> int:
    """Append the replacement; returns its size (no more than `room` bytes)."""
    n = 0
    for part in parts:
        if type(part) is bytes:
            out.append(part)
        elif part == -1:
            out.append(m.src[st:e])
        elif part == -2:
            raise rt_error("invalid use of '%' in replacement string")
        else:
            v = m.get_capture(part, st, e)
            out.append(v if isinstance(v, bytes) else b"%d" % v)
        n += len(out[-1])
        if n > room:
            raise too_large()
    return n


def _no_match(s: bytes, p: bytes) -> bool:
    """Whether unanchored pattern p surely matches nowhere in s (checked the cheap
    way: a cached plan; False when unsure)."""
    plan = _PLANS[p] if p in _PLANS else _plan(p)
    if plan is None:
        return False
    if plan[0] is _PLAIN:
        # plain for find only: a matcher reaching a ')' raises "invalid pattern capture"
        return b")" not in p and p not in s
    return (plan[0] is False and patterns.USE_RE and state.current.limits is None
            and plan[1].search(s) is None)


_REPL_KINDS = frozenset(("string", "function", "table"))  # what gsub's fast paths replace with


def str_gsub(s: Any = NOVALUE, p: Any = NOVALUE, repl: Any = NOVALUE, n: Any = None, *_: Any) -> Ret:
    if s.__class__ is bytes and p.__class__ is bytes and n is None:
        tr = _TYPE_NAMES.get(repl.__class__) or type_name(repl)
        if tr in _REPL_KINDS:
            plan = _PLANS[p] if p in _PLANS else _plan(p)
            if plan is not None and plan[0] is False and patterns.USE_RE:  # (False: not anchored)
                if plan[1].search(s) is None and state.current.limits is None:
                    return (s, 0)  # the common case of escaping: nothing to replace
                r = fastgsub.gsub_re(s, plan[1], plan[2], repl, tr,
                                     _compile_repl(repl) if tr == "string" else None)
                if r is not None:
                    return r
            if p[:1] != b"^" and _no_match(s, p):
                return (s, 0)  # the common case of escaping: nothing to replace
    src = check_str(s, 1, "gsub")
    p = check_str(p, 2, "gsub")
    tr = type_name(repl) if repl is not NOVALUE else "no value"
    max_s = opt_int(n, 4, "gsub", len(src) + 1)
    if tr not in ("number", "string", "function", "table"):
        raise type_error(3, "gsub", "string/function/table", repl)
    anchor = p[:1] == b"^"
    if anchor:
        p = p[1:]
    m = patterns.matcher(src, p)
    parts: list[bytes | int] | None = None
    out: list[bytes] = []
    pos = 0
    lastmatch = -1
    count = 0
    changed = False
    cap = MAXSTR[0]  # the result may not outgrow the running state's string cap
    size = 0
    while count < max_s:
        if not POP():
            refill()
        if anchor:
            e = m.match(pos)
            if e is None:
                break
            st = pos
        else:
            r = patterns.next_match(m, pos, lastmatch)
            if r is None:
                break
            st, e = r
            if st > pos:
                out.append(src[pos:st])
                size += st - pos
        count += 1
        # add_value
        if tr == "string" or tr == "number":
            if parts is None:
                parts = _compile_repl(check_str(repl, 3, "gsub"))
            size += _add_s(out, m, st, e, parts, cap - size)
            changed = True
        else:
            if tr == "function":
                v = ops.call_noyield(repl, *m.captures(st, e, True))
                if type(v) is Ret:
                    v = v[0] if v else None
            else:
                v = ops.index(repl, m.get_capture(0, st, e))
            if v is None or v is False:
                out.append(src[st:e])
                size += e - st
            elif type(v) is bytes:
                out.append(v)
                size += len(v)
                changed = True
            elif type(v) is int or type(v) is float:
                out.append(tostr(v))
                changed = True
            else:
                raise rt_error(f"invalid replacement value (a {type_name(v)})")
        if size > cap:
            raise too_large()
        pos = lastmatch = e
        if anchor:
            break
    if not changed:
        return (src, count)
    out.append(src[pos:])
    return (b"".join(out), count)


# ------------------------------------------------------------ string metatable


def _tonum(v: Any) -> int | float | None:
    """lstrlib's tonum: numbers, and strings that are entirely a numeral."""
    t = type(v)
    if t is int or t is float:
        return v
    if t is bytes:
        return str2number(v)
    return None


_INT_DIV_ERRORS = {"%": b"attempt to perform 'n%0'", "//": b"attempt to divide by zero"}


def _arith(op: str, event: bytes, a: Any, b: Any) -> Any:
    """lstrlib's arith: coerce both operands, else trymt (the other operand's metamethod)."""
    x = _tonum(a)
    y = _tonum(b)
    if x is not None and y is not None:
        if y == 0 and type(x) is int and type(y) is int and op in _INT_DIV_ERRORS:
            # raised by lua_arith inside this C function: lua5.4 adds no position
            raise LuaError(_INT_DIV_ERRORS[op], level=0)
        return ops.ARITH[op](x, y)
    h = None if type(b) is bytes else ops.metafield(b, event)
    if h is None:
        raise rt_error(f"attempt to {event[2:].decode()} a '{type_name(a)}' with a '{type_name(b)}'")
    r = ops.call_noyield(h, a, b)
    if type(r) is Ret:
        return r[0] if r else None
    return r


# Module-level functions (not closures) so that a state snapshot can refer to them by name.
def string_add(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("+", b"__add", a, b)


def string_sub(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("-", b"__sub", a, b)


def string_mul(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("*", b"__mul", a, b)


def string_mod(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("%", b"__mod", a, b)


def string_pow(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("^", b"__pow", a, b)


def string_div(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("/", b"__div", a, b)


def string_idiv(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("//", b"__idiv", a, b)


def string_unm(a: Any = None, b: Any = None, *_: Any) -> Any:
    return _arith("unm", b"__unm", a, b)


METAMETHODS = {
    b"__add": string_add, b"__sub": string_sub, b"__mul": string_mul, b"__mod": string_mod,
    b"__pow": string_pow, b"__div": string_div, b"__idiv": string_idiv, b"__unm": string_unm,
}


def make_string_meta(string_table: LuaTable) -> LuaTable:
    """The metatable of all strings: `__index = string` plus the arithmetic coercions."""
    mt = LuaTable()
    for ev, f in METAMETHODS.items():
        mt.set(ev, f)
    mt.set(b"__index", string_table)
    return mt


# ------------------------------------------------------------ open


FUNCTIONS = {
    b"byte": str_byte,
    b"char": str_char,
    b"dump": str_dump,
    b"find": str_find,
    b"format": str_format,
    b"gmatch": str_gmatch,
    b"gsub": str_gsub,
    b"len": str_len,
    b"lower": str_lower,
    b"match": str_match,
    b"rep": str_rep,
    b"reverse": str_reverse,
    b"sub": str_sub,
    b"upper": str_upper,
    b"pack": _pack.str_pack,
    b"packsize": _pack.str_packsize,
    b"unpack": _pack.str_unpack,
}


def open(st: Any) -> LuaTable:
    """Build the `string` table; like luaopen_string, also install the string metatable."""
    t = LuaTable()
    for k, f in FUNCTIONS.items():
        t.set(k, f)
    if st.string_meta is None:
        st.string_meta = make_string_meta(t)
    return t


# generated code calls these by name (runtime/loader.py `register`)
register(_SBYTE=str_byte, _SSUB=str_sub, _SLEN=str_len, _SLOWER=str_lower, _SUPPER=str_upper)
