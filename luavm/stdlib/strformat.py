"""`string.format` exactly as lua5.4 (lstrlib.c's str_format on top of glibc printf).

lstrlib.c validates each conversion itself (getformat/checkformat, with their
own messages) and then hands it to the C library's sprintf; this module repeats
the validation word for word and reproduces glibc's output for the accepted
conversions: integers and `%c`/`%s`/`%p` are formatted here, finite `%e %f %g`
go through Python's printf-style operator (whose float formatting follows C's),
and `%a`, inf and NaN (whose NaN sign Python drops) are done by hand.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from ..runtime import ops, state
from ..runtime.args import NOVALUE, arg_error, check_int, check_num, check_str
from ..runtime.limits import alloc, charge
from ..runtime.values import Ret, rt_error, tostr

# lstrlib.c: valid flags per conversion and the span of a conversion spec
L_FMTFLAGSF = b"-+#0 "
L_FMTFLAGSX = b"-#0"
L_FMTFLAGSI = b"-+0 "
L_FMTFLAGSU = b"-0"
L_FMTFLAGSC = b"-"
_SPAN = frozenset(L_FMTFLAGSF + b"123456789.")
MAX_FORMAT = 32


# ------------------------------------------------------------ tostring


def tostring_meta(v: Any) -> bytes:
    """luaL_tolstring: `__tostring`, then `__name`, then the plain conversion."""
    mt = ops.getmetatable_raw(v)
    if mt is not None:
        h = mt.get(b"__tostring")
        if h is not None:
            r = ops.call_noyield(h, v)
            if type(r) is Ret:
                r = r[0] if r else None
            t = type(r)
            if t is bytes:
                return r
            if t is int or t is float:
                return tostr(r)
            raise rt_error("'__tostring' must return a string")
        tv = type(v)
        if not (v is None or tv is bool or tv is int or tv is float or tv is bytes):
            name = mt.get(b"__name")
            if type(name) is bytes:
                return b"%s: 0x%08x" % (name, id(v))
    return tostr(v)


# ------------------------------------------------------------ spec parsing


def _get2digits(form: bytes, i: int) -> int:
    if i < len(form) and 48 <= form[i] <= 57:
        i += 1
        if i < len(form) and 48 <= form[i] <= 57:
            i += 1
    return i


def _checkformat(form: bytes, flags: bytes, precision: bool) -> None:
    """lstrlib's checkformat: flags from the allowed set, 2-digit width/precision."""
    n = len(form)
    i = 1
    while i < n and form[i] in flags:
        i += 1
    if form[i] != 0x30:  # a width cannot start with '0'
        i = _get2digits(form, i)
        if form[i] == 0x2E and precision:  # '.'
            i = _get2digits(form, i + 1)
    c = form[i]
    if not (65 <= c <= 90 or 97 <= c <= 122):
        raise rt_error(b"invalid conversion specification: '" + _show(form) + b"'")


def _show(form: bytes) -> bytes:
    """A format spec as C's %s would print it (stops at a NUL byte)."""
    return form.split(b"\0", 1)[0]


def _parse(form: bytes) -> tuple[bytes, int, int | None]:
    """Split a validated '%<flags><width>.<prec><conv>' into (flags, width, precision)."""
    i = 1
    n = len(form) - 1
    while i < n and form[i] in L_FMTFLAGSF:
        i += 1
    flags = form[1:i]
    j = i
    while j < n and 48 <= form[j] <= 57:
        j += 1
    width = int(form[i:j]) if j > i else 0
    prec = None
    if j < n and form[j] == 0x2E:
        k = j + 1
        while k < n and 48 <= form[k] <= 57:
            k += 1
        prec = int(form[j + 1:k]) if k > j + 1 else 0
    return flags, width, prec


def _pad(body: bytes, flags: bytes, width: int, zero_prefix: int = -1) -> bytes:
    """Pad to width: right-justify with spaces, '-' left-justifies, '0' pads after the prefix."""
    if len(body) >= width:
        return body
    fill = width - len(body)
    if b"-" in flags:
        return body + b" " * fill
    if zero_prefix >= 0:
        return body[:zero_prefix] + b"0" * fill + body[zero_prefix:]
    return b" " * fill + body


# ------------------------------------------------------------ conversions


_UNSIGNED_FMT = {0x75: b"%d", 0x6F: b"%o", 0x78: b"%x", 0x58: b"%X"}


def _fmt_int(v: int, conv: int, flags: bytes, width: int, prec: int | None) -> bytes:
    """C's %d %i %u %o %x %X on a 64-bit integer."""
    neg = False
    if conv in b"di":
        neg = v < 0
        mag = -v if neg else v
        digits = b"%d" % mag
    else:
        mag = v & 0xFFFFFFFFFFFFFFFF
        digits = _UNSIGNED_FMT[conv] % mag
    if prec is not None:
        if prec == 0 and mag == 0:
            digits = b""
        elif len(digits) < prec:
            digits = b"0" * (prec - len(digits)) + digits
    prefix = b""
    if conv in b"di":
        prefix = b"-" if neg else b"+" if b"+" in flags else b" " if b" " in flags else b""
    elif b"#" in flags:
        if conv == 0x6F:
            if not digits.startswith(b"0"):
                digits = b"0" + digits
        elif mag != 0:
            prefix = b"0x" if conv == 0x78 else b"0X"
    body = prefix + digits
    zero = len(prefix) if (b"0" in flags and prec is None) else -1
    return _pad(body, flags, width, zero)


def _fmt_nonfinite(x: float, upper: bool, flags: bytes, width: int) -> bytes:
    """glibc prints inf/nan with the sign bit, sign flags, and space padding only."""
    body = b"nan" if math.isnan(x) else b"inf"
    if upper:
        body = body.upper()
    if math.copysign(1.0, x) < 0:
        body = b"-" + body
    elif b"+" in flags:
        body = b"+" + body
    elif b" " in flags:
        body = b" " + body
    return _pad(body, flags, width)


def fmt_hexfloat(x: float, upper: bool = False, flags: bytes = b"", width: int = 0,
                 prec: int | None = None) -> bytes:
    """glibc's %a: '0x1.<hex>p<exp>' (subnormals '0x0.<hex>p-1022'), ties-to-even rounding."""
    if not math.isfinite(x):
        return _fmt_nonfinite(x, upper, flags, width)
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    neg = bits >> 63
    bexp = (bits >> 52) & 0x7FF
    frac = bits & ((1 << 52) - 1)
    if bexp == 0:
        lead = 0
        exp = 0 if frac == 0 else -1022
    else:
        lead = 1
        exp = bexp - 1023
    if prec is None:
        digits = (b"%013x" % frac).rstrip(b"0")
    elif prec >= 13:
        digits = b"%013x" % frac + b"0" * (prec - 13)
    else:
        drop = 4 * (13 - prec)
        kept = frac >> drop
        rest = frac & ((1 << drop) - 1)
        half = 1 << (drop - 1)
        last_odd = (kept & 1) if prec > 0 else (lead & 1)
        if rest > half or (rest == half and last_odd):
            kept += 1
            if kept >> (4 * prec):  # carry into the leading digit
                kept &= (1 << (4 * prec)) - 1
                lead += 1
        digits = (b"%0*x" % (prec, kept)) if prec > 0 else b""
    sign = b"-" if neg else b"+" if b"+" in flags else b" " if b" " in flags else b""
    point = b"." if (digits or b"#" in flags) else b""
    body = b"%s0x%x%s%sp%+d" % (sign, lead, point, digits, exp)
    if upper:
        body = body.upper()
    zero = len(sign) + 2 if b"0" in flags else -1
    return _pad(body, flags, width, zero)


def _fmt_float(x: float, conv: int, form: bytes, flags: bytes, width: int) -> bytes:
    """C's %e %E %f %g %G: Python's operator for finite values, by hand otherwise."""
    if not math.isfinite(x):
        return _fmt_nonfinite(x, conv in b"EG", flags, width)
    return form % x


def _fmt_str(s: bytes, flags: bytes, width: int, prec: int | None) -> bytes:
    if prec is not None:
        s = s[:prec]
    return _pad(s, flags, width)


_SHORT_STRINGS: dict[bytes, bytes] = {}
LUAI_MAXSHORTLEN = 40


def _pointer(v: Any) -> bytes | None:
    """lua_topointer: an address for collectable values, NULL for the rest.

    Lua interns short strings, so equal short strings share one address; a
    table of representatives gives them one here too.
    """
    t = type(v)
    if v is None or t is bool or t is int or t is float:
        return None
    if t is bytes and len(v) <= LUAI_MAXSHORTLEN:
        if len(_SHORT_STRINGS) > 100_000:
            _SHORT_STRINGS.clear()
        v = _SHORT_STRINGS.setdefault(v, v)
    return b"0x%08x" % id(v)


# ------------------------------------------------------------ %q


_CONTROLS = [bytes([c]) for c in [*range(32), 127] if c != 10]
_CONTROL_BYTES = b"".join(_CONTROLS)
_DIGITS = [bytes([d]) for d in b"0123456789"]


def addquoted(s: bytes) -> bytes:
    """A string as a Lua literal that reads back to the same bytes: whole-string
    replacements (C speed), one pass per kind of byte that needs an escape."""
    n = len(s) >> 8
    if n:
        charge(n)
    s = s.replace(b"\\", b"\\\\").replace(b'"', b'\\"').replace(b"\n", b"\\\n")
    if len(s.translate(None, _CONTROL_BYTES)) != len(s):  # any control byte left (fast test)
        for cb in _CONTROLS:
            if cb in s:
                c = cb[0]
                for d in _DIGITS:  # before a digit the escape needs all three digits
                    pair = cb + d
                    if pair in s:
                        s = s.replace(pair, b"\\%03d" % c + d)
                s = s.replace(cb, b"\\%d" % c)
                if n:
                    charge(n)
    return b'"' + s + b'"'


def _addliteral(v: Any, arg: int) -> bytes:
    t = type(v)
    if t is bytes:
        return addquoted(v)
    if t is float:
        if v == math.inf:
            return b"1e9999"
        if v == -math.inf:
            return b"-1e9999"
        if math.isnan(v):
            return b"(0/0)"
        return fmt_hexfloat(v)
    if t is int:
        return b"0x8000000000000000" if v == -0x8000000000000000 else b"%d" % v
    if v is None or t is bool:
        return tostr(v)
    raise arg_error(arg, "format", "value has no literal form")


# ------------------------------------------------------------ str_format


# A format string's plan: Python's bytes `%` operator formats it in one call when
# every conversion is one it does exactly as glibc does, given the argument types
# _fast_format checks (kinds: 'd' an integer, 'x' a non-negative integer, 'f' a
# finite float, 's' a string or number). None: the general path.
_PLANS: dict[bytes, tuple[bytes, str] | None] = {}
_PLAN_SPECS = {0x64: ("d", b"-+ 0"), 0x69: ("d", b"-+ 0"), 0x78: ("x", b"-0"), 0x58: ("x", b"-0"),
               0x66: ("f", L_FMTFLAGSF), 0x65: ("f", L_FMTFLAGSF), 0x45: ("f", L_FMTFLAGSF),
               0x67: ("f", L_FMTFLAGSF), 0x47: ("f", L_FMTFLAGSF), 0x73: ("s", b"")}


def _plan(fmt: bytes) -> tuple[bytes, str] | None:
    """Validate fmt once (the same checks as str_format) and keep what it needs."""
    kinds: list[str] = []
    pieces = []
    n = len(fmt)
    i = 0
    plan: tuple[bytes, str] | None = None
    while True:
        j = fmt.find(b"%", i)
        if j < 0:
            pieces.append(fmt[i:])
            plan = (b"".join(pieces), "".join(kinds))
            break
        pieces.append(fmt[i:j])
        i = j + 1
        if i < n and fmt[i] == 0x25:
            pieces.append(b"%%")
            i += 1
            continue
        k = i
        while k < n and fmt[k] in _SPAN:
            k += 1
        if k >= n or k - i + 1 >= MAX_FORMAT - 10 or fmt[k] not in _PLAN_SPECS:
            break
        form = fmt[j:k + 1]
        kind, allowed = _PLAN_SPECS[fmt[k]]
        if kind == "s" and len(form) != 2:
            break
        if kind in "dx" and b"." in form:  # C and Python differ on precision with '0'
            break
        try:
            if kind != "s":
                _checkformat(form, allowed, kind == "f")
        except Exception:
            break
        kinds.append(kind)
        pieces.append(form)
        i = k + 1
    if len(_PLANS) > 2048:
        _PLANS.clear()
    _PLANS[fmt] = plan
    return plan


def _fast_format(plan: tuple[bytes, str], args: tuple) -> bytes | None:
    """The formatted string, or None: an argument needs the general path (a
    conversion, a metamethod, an error, a big result)."""
    pyfmt, kinds = plan
    if len(args) < len(kinds):
        return None
    if len(kinds) == 1:  # one number: no list of values to build
        v = args[0]
        t = v.__class__
        if t is int and (kinds == "d" or kinds == "x" and v >= 0) or t is float and kinds == "f" and math.isfinite(v):
            r = pyfmt % v
            return r if len(r) < 1024 else None
    if "s" in kinds:  # %s honours __tostring, of strings and numbers too
        st = state.current
        sm = st.string_meta
        if sm is not None and sm.hash.get(b"__tostring") is not None or st.type_metas:
            return None
    vals = []
    for k, v in zip(kinds, args):
        t = type(v)
        if k == "s":
            if t is not bytes:
                if t is int or t is float:
                    v = tostr(v)
                else:
                    return None
        elif k == "f":
            if t is int:
                v = float(v)
            elif t is not float or not math.isfinite(v):
                return None
        elif t is not int or k == "x" and v < 0:
            return None
        vals.append(v)
    r = pyfmt % tuple(vals)
    return r if len(r) < 1024 else None


def str_format(fmt: Any = NOVALUE, *args: Any) -> bytes:
    """string.format(fmt, ...)."""
    if type(fmt) is bytes:
        plan = _PLANS[fmt] if fmt in _PLANS else _plan(fmt)
        if plan is not None:
            r = _fast_format(plan, args)
            if r is not None:
                return r
    fmt = check_str(fmt, 1, "format")
    top = len(args) + 1
    arg = 1
    out: list[bytes] = []
    n = len(fmt)
    big = n  # what %s and %q add; any other item is at most a few hundred bytes
    i = 0
    while i < n:
        j = fmt.find(b"%", i)
        if j < 0:
            out.append(fmt[i:])
            break
        if j > i:
            out.append(fmt[i:j])
        i = j + 1
        if i < n and fmt[i] == 0x25:
            out.append(b"%")
            i += 1
            continue
        arg += 1
        if arg > top:
            raise arg_error(arg, "format", "no value")
        # getformat
        k = i
        while k < n and fmt[k] in _SPAN:
            k += 1
        if k - i + 1 >= MAX_FORMAT - 10:
            raise rt_error("invalid format (too long)")
        conv = fmt[k] if k < n else 0
        form = b"%" + fmt[i:k] + (bytes([conv]) if k < n else b"")
        i = k + 1
        v = args[arg - 2]
        if conv == 0x63:  # c
            _checkformat(form, L_FMTFLAGSC, False)
            c = check_int(v, arg, "format")
            flags, width, _p = _parse(form)
            out.append(_pad(bytes([c & 0xFF]), flags, width))
        elif conv in b"diuoxX":
            iv = check_int(v, arg, "format")
            allowed = L_FMTFLAGSI if conv in b"di" else L_FMTFLAGSU if conv == 0x75 else L_FMTFLAGSX
            _checkformat(form, allowed, True)
            flags, width, prec = _parse(form)
            out.append(_fmt_int(iv, conv, flags, width, prec))
        elif conv == 0x61 or conv == 0x41:  # a A
            _checkformat(form, L_FMTFLAGSF, True)
            x = float(check_num(v, arg, "format"))
            flags, width, prec = _parse(form)
            out.append(fmt_hexfloat(x, conv == 0x41, flags, width, prec))
        elif conv in b"feEgG":
            x = float(check_num(v, arg, "format"))
            _checkformat(form, L_FMTFLAGSF, True)
            flags, width, _p = _parse(form)
            out.append(_fmt_float(x, conv, form, flags, width))
        elif conv == 0x70:  # p
            ptr = _pointer(v)
            _checkformat(form, L_FMTFLAGSC, False)
            flags, width, _p = _parse(form)
            out.append(_pad(ptr if ptr is not None else b"(null)", flags, width))
        elif conv == 0x71:  # q
            if len(form) > 2:
                raise rt_error("specifier '%q' cannot have modifiers")
            out.append(_addliteral(v, arg))
            big += len(out[-1])
        elif conv == 0x73:  # s
            s = tostring_meta(v)
            big += len(s)
            if len(form) == 2:
                out.append(s)
            else:
                if b"\0" in s:
                    raise arg_error(arg, "format", "string contains zeros")
                _checkformat(form, L_FMTFLAGSC, True)
                if b"." not in form and len(s) >= 100:
                    out.append(s)
                else:
                    flags, width, prec = _parse(form)
                    out.append(_fmt_str(s, flags, width, prec))
        else:
            raise rt_error(b"invalid conversion '" + _show(form) + b"' to 'format'")
    if big >= 1024:
        alloc(sum(map(len, out)))  # over the running state's string cap: refused
    return b"".join(out)

