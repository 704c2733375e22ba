"""The `utf8` library, following lutf8lib.c of Lua 5.4.4.

Lua's UTF-8 is its own dialect: sequences of up to 6 bytes (code points up to
0x7FFFFFFF) are accepted in "lax" mode, surrogates and values past 0x10FFFF
only there; Python's codec cannot express that, so decoding is done by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..runtime.args import NOVALUE, arg_error, check_int, check_str, opt_int
from ..runtime.frames import register_builtin
from ..runtime.state import LuaState
from ..runtime.values import NORET, LuaTable, Ret, rt_error, tointeger

MAXUNICODE = 0x10FFFF
MAXUTF = 0x7FFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
INT_MAX = 0x7FFFFFFF
# limit on results that fit the Lua stack (LUAI_MAXSTACK slots, some in use)
MAX_RESULTS = 1_000_000 - 64

CHARPATTERN = b"[\x00-\x7F\xC2-\xFD][\x80-\xBF]*"

_LIMITS = (0xFFFFFFFF, 0x80, 0x800, 0x10000, 0x200000, 0x4000000)


def _truth(v: Any) -> bool:
    return v is not None and v is not False and v is not NOVALUE


def _posrelat(pos: int, length: int) -> int:
    """u_posrelat: negative positions count from the end; too negative gives 0."""
    if pos >= 0:
        return pos
    if -pos > length:
        return 0
    return length + pos + 1


def decode(s: bytes, i: int, strict: bool) -> tuple[int, int] | None:
    """utf8_decode at offset i: (code point, offset after it), or None if invalid.

    Bytes past the end read as 0, like the C string's terminating NUL.
    """
    n = len(s)
    c = s[i] if i < n else 0
    if c < 0x80:
        res = c
        count = 0
    else:
        res = 0
        count = 0
        while c & 0x40:
            count += 1
            cc = s[i + count] if i + count < n else 0
            if cc & 0xC0 != 0x80:
                return None
            res = (res << 6) | (cc & 0x3F)
            c <<= 1  # an unsigned int in C: the bits shifted past 0xFF stay
        res |= (c & 0x7F) << (count * 5)
        if count > 5 or res > MAXUTF or res < _LIMITS[count]:
            return None
    if strict and (res > MAXUNICODE or 0xD800 <= res <= 0xDFFF):
        return None
    return res, i + count + 1


def _iscont(s: bytes, i: int) -> bool:
    return i < len(s) and s[i] & 0xC0 == 0x80


def utflen(s: Any = NOVALUE, i: Any = None, j: Any = None, lax: Any = None, *_: Any) -> Any:
    b = check_str(s, 1, "len")
    n = len(b)
    posi = _posrelat(opt_int(i, 2, "len", 1), n)
    posj = _posrelat(opt_int(j, 3, "len", -1), n)
    strict = not _truth(lax)
    if not (1 <= posi and posi - 1 <= n):
        raise arg_error(2, "len", "initial position out of bounds")
    posi -= 1
    posj -= 1
    if posj >= n:
        raise arg_error(3, "len", "final position out of bounds")
    if strict and posi <= posj:
        # fast path: Python's strict codec accepts exactly what lua's strict
        # decoder accepts, and then the characters are the non-continuation bytes
        end = posj + 1
        while end < n and b[end] & 0xC0 == 0x80:
            end += 1
        try:
            return len(b[posi:end].decode("utf-8"))
        except UnicodeDecodeError:
            pass
    count = 0
    while posi <= posj:
        r = decode(b, posi, strict)
        if r is None:
            return (None, posi + 1)
        posi = r[1]
        count += 1
    return count


def codepoint(s: Any = NOVALUE, i: Any = None, j: Any = None, lax: Any = None, *_: Any) -> Any:
    b = check_str(s, 1, "codepoint")
    n = len(b)
    posi = _posrelat(opt_int(i, 2, "codepoint", 1), n)
    pose = _posrelat(opt_int(j, 3, "codepoint", posi), n)
    strict = not _truth(lax)
    if posi < 1:
        raise arg_error(2, "codepoint", "out of bounds")
    if pose > n:
        raise arg_error(3, "codepoint", "out of bounds")
    if posi > pose:
        return NORET
    if pose - posi >= INT_MAX:
        raise rt_error("string slice too long")
    if pose - posi + 1 > MAX_RESULTS:
        raise rt_error("stack overflow (string slice too long)")
    out = []
    k = posi - 1
    while k < pose:
        r = decode(b, k, strict)
        if r is None:
            raise rt_error("invalid UTF-8 code")
        out.append(r[0])
        k = r[1]
    if len(out) == 1:
        return out[0]
    return Ret(out)


def encode(code: int) -> bytes:
    """luaO_utf8esc: Lua's extended UTF-8 (up to 6 bytes, up to 0x7FFFFFFF)."""
    if code < 0x80:
        return bytes((code,))
    buf = []
    mfb = 0x3F  # maximum that fits in the first byte
    while True:
        buf.append(0x80 | (code & 0x3F))
        code >>= 6
        mfb >>= 1
        if code <= mfb:
            break
    buf.append(((~mfb << 1) & 0xFF) | code)
    return bytes(reversed(buf))


def _utfchar_arg(v: Any, n: int) -> bytes:
    code = check_int(v, n, "char") & M64
    if code > MAXUTF:
        raise arg_error(n, "char", "value out of range")
    return encode(code)


def utfchar(*a: Any) -> bytes:
    if len(a) == 1:
        return _utfchar_arg(a[0], 1)
    return b"".join(_utfchar_arg(v, k) for k, v in enumerate(a, 1))


def byteoffset(s: Any = NOVALUE, n: Any = NOVALUE, i: Any = None, *_: Any) -> Any:
    b = check_str(s, 1, "offset")
    ln = len(b)
    nn = check_int(n, 2, "offset")
    posi = 1 if nn >= 0 else ln + 1
    posi = _posrelat(opt_int(i, 3, "offset", posi), ln)
    if not (1 <= posi and posi - 1 <= ln):
        raise arg_error(3, "offset", "position out of bounds")
    posi -= 1
    if nn == 0:
        while posi > 0 and _iscont(b, posi):
            posi -= 1
    else:
        if _iscont(b, posi):
            raise rt_error("initial position is a continuation byte")
        if nn < 0:
            while nn < 0 and posi > 0:
                posi -= 1
                while posi > 0 and _iscont(b, posi):
                    posi -= 1
                nn += 1
        else:
            nn -= 1
            while nn > 0 and posi < ln:
                posi += 1
                while _iscont(b, posi):
                    posi += 1
                nn -= 1
    if nn == 0:
        return posi + 1
    return None


def _iter_aux(s: Any, i: Any, strict: bool) -> Any:
    b = check_str(s, 1, "for iterator")
    ln = len(b)
    k = i if type(i) is int else tointeger(i)  # lua_tointeger: 0 when not a number
    n = (k or 0) & M64
    if n < ln:
        while _iscont(b, n):
            n += 1
    if n >= ln:
        return NORET
    r = decode(b, n, strict)
    if r is None:
        raise rt_error("invalid UTF-8 code")
    return (n + 1, r[0])


def iter_auxstrict(s: Any = NOVALUE, i: Any = None, *_: Any) -> Any:
    return _iter_aux(s, i, True)


def iter_auxlax(s: Any = NOVALUE, i: Any = None, *_: Any) -> Any:
    return _iter_aux(s, i, False)


def iter_codes(s: Any = NOVALUE, lax: Any = None, *_: Any) -> Ret:
    it = iter_auxlax if _truth(lax) else iter_auxstrict
    check_str(s, 1, "codes")
    return (it, s, 0)


_FUNCS: dict[str, Callable[..., Any]] = {
    "offset": byteoffset,
    "codepoint": codepoint,
    "char": utfchar,
    "len": utflen,
    "codes": iter_codes,
}


def open(st: LuaState) -> LuaTable:
    """Build the `utf8` library table."""
    t = LuaTable()
    for name, fn in _FUNCS.items():
        t.set(name.encode(), fn)
    t.set(b"charpattern", CHARPATTERN)
    # the iterators are in no library table: make them known to the runtime by
    # their code (error positions, names) and to snapshots by a stable name
    for name, fn in (("utf8.codes_iterator", iter_auxstrict), ("utf8.codes_iterator_lax", iter_auxlax)):
        register_builtin(fn, "?")
        st.registry.setdefault(name, fn)
    return t
