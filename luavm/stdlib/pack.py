"""`string.pack`, `string.unpack`, `string.packsize` (lstrlib.c's PACK/UNPACK section).

The native layout is the one lua5.4 has on x86-64 Linux, which the tests compare
against: little endian, short 2, int 4, long/size_t/lua_Integer/double 8,
maximum alignment 8.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from ..runtime.args import NOVALUE, arg_error, check_int, check_num, check_str, opt_int
from ..runtime.limits import MAXSTR, alloc, too_large
from ..runtime.values import Ret, rt_error, wrap

MAXINTSIZE = 16
SZINT = 8
MAXSIZE = 0x7FFFFFFF  # INT_MAX
NATIVE_LITTLE = True
MAXALIGN = 8

# option kinds
KINT, KUINT, KFLOAT, KNUMBER, KDOUBLE, KCHAR, KSTRING, KZSTR, KPADDING, KPADDALIGN, KNOP = range(11)

_FIXED = {
    0x62: (KINT, 1), 0x42: (KUINT, 1),  # b B
    0x68: (KINT, 2), 0x48: (KUINT, 2),  # h H
    0x6C: (KINT, 8), 0x4C: (KUINT, 8),  # l L
    0x6A: (KINT, 8), 0x4A: (KUINT, 8),  # j J
    0x54: (KUINT, 8),  # T
    0x66: (KFLOAT, 4), 0x6E: (KNUMBER, 8), 0x64: (KDOUBLE, 8),  # f n d
}


class _Header:
    """Per-call parsing state: the format, where we are in it, endianness, max alignment."""

    __slots__ = ("fmt", "fname", "i", "islittle", "maxalign")

    def __init__(self, fmt: bytes, fname: str) -> None:
        self.fmt = fmt.split(b"\0", 1)[0]  # lstrlib reads the format as a C string
        self.i = 0
        self.islittle = NATIVE_LITTLE
        self.maxalign = 1
        self.fname = fname

    def more(self) -> bool:
        return self.i < len(self.fmt)

    def getnum(self, df: int) -> int:
        fmt = self.fmt
        i = self.i
        if i >= len(fmt) or not 48 <= fmt[i] <= 57:
            return df
        a = 0
        while True:
            a = a * 10 + fmt[i] - 48
            i += 1
            if not (i < len(fmt) and 48 <= fmt[i] <= 57 and a <= (MAXSIZE - 9) // 10):
                break
        self.i = i
        return a

    def getnumlimit(self, df: int) -> int:
        sz = self.getnum(df)
        if sz > MAXINTSIZE or sz <= 0:
            raise rt_error(f"integral size ({sz}) out of limits [1,{MAXINTSIZE}]")
        return sz

    def getoption(self) -> tuple[int, int]:
        """Read and classify the next option: (kind, size)."""
        opt = self.fmt[self.i]
        self.i += 1
        fixed = _FIXED.get(opt)
        if fixed is not None:
            return fixed
        if opt == 0x69:  # i
            return KINT, self.getnumlimit(4)
        if opt == 0x49:  # I
            return KUINT, self.getnumlimit(4)
        if opt == 0x73:  # s
            return KSTRING, self.getnumlimit(8)
        if opt == 0x63:  # c
            size = self.getnum(-1)
            if size == -1:
                raise rt_error("missing size for format option 'c'")
            return KCHAR, size
        if opt == 0x7A:  # z
            return KZSTR, 0
        if opt == 0x78:  # x
            return KPADDING, 1
        if opt == 0x58:  # X
            return KPADDALIGN, 0
        if opt == 0x20:  # ' '
            pass
        elif opt == 0x3C:  # <
            self.islittle = True
        elif opt == 0x3E:  # >
            self.islittle = False
        elif opt == 0x3D:  # =
            self.islittle = NATIVE_LITTLE
        elif opt == 0x21:  # !
            self.maxalign = self.getnumlimit(MAXALIGN)
        else:
            raise rt_error(b"invalid format option '" + bytes([opt]) + b"'")
        return KNOP, 0

    def getdetails(self, totalsize: int) -> tuple[int, int, int]:
        """Next option with its size and the padding its alignment needs: (kind, size, ntoalign)."""
        opt, size = self.getoption()
        align = size
        if opt == KPADDALIGN:  # 'X' takes its alignment from the next option
            if not self.more():
                raise arg_error(1, self.fname, "invalid next option for option 'X'")
            nopt, align = self.getoption()
            if nopt == KCHAR or align == 0:
                raise arg_error(1, self.fname, "invalid next option for option 'X'")
        if align <= 1 or opt == KCHAR:
            return opt, size, 0
        align = min(align, self.maxalign)
        if align & (align - 1):
            raise arg_error(1, self.fname, "format asks for alignment not power of 2")
        return opt, size, (align - (totalsize & (align - 1))) & (align - 1)


def _packint(n: int, islittle: bool, size: int, neg: bool) -> bytes:
    """n's two's-complement bytes; sign-extended past 8 bytes when negative."""
    if size <= SZINT:
        b = (n & ((1 << (8 * size)) - 1)).to_bytes(size, "little")
    elif neg:
        b = n.to_bytes(size, "little", signed=True)
    else:
        b = (n & 0xFFFFFFFFFFFFFFFF).to_bytes(size, "little")
    return b if islittle else b[::-1]


def _packfloat(x: float, code: str, islittle: bool) -> bytes:
    """C's (float)/(double) store; a float overflow gives inf as the C cast does on x86."""
    try:
        return struct.pack(("<" if islittle else ">") + code, x)
    except OverflowError:
        return struct.pack(("<" if islittle else ">") + code, math.copysign(math.inf, x))


def _arg(args: tuple, k: int) -> Any:
    """Argument k; a missing one reads as nil: str_pack pushes a nil mark after its arguments."""
    return args[k] if k < len(args) else None


def str_pack(fmt: Any = NOVALUE, *args: Any) -> bytes:
    """string.pack(fmt, v1, v2, ...)."""
    h = _Header(check_str(fmt, 1, "pack"), "pack")
    out: list[bytes] = []
    arg = 1
    totalsize = 0
    cap = MAXSTR[0]
    while h.more():
        opt, size, ntoalign = h.getdetails(totalsize)
        totalsize += ntoalign + size
        if totalsize > cap:  # over the running state's string cap: refused before building it
            raise too_large()
        if ntoalign:
            out.append(b"\0" * ntoalign)
        arg += 1
        v = _arg(args, arg - 2)
        if opt == KINT:
            n = check_int(v, arg, "pack")
            if size < SZINT:
                lim = 1 << (size * 8 - 1)
                if not -lim <= n < lim:
                    raise arg_error(arg, "pack", "integer overflow")
            out.append(_packint(n, h.islittle, size, n < 0))
        elif opt == KUINT:
            n = check_int(v, arg, "pack")
            if size < SZINT and (n & 0xFFFFFFFFFFFFFFFF) >= (1 << (size * 8)):
                raise arg_error(arg, "pack", "unsigned overflow")
            out.append(_packint(n, h.islittle, size, False))
        elif opt == KFLOAT:
            out.append(_packfloat(float(check_num(v, arg, "pack")), "f", h.islittle))
        elif opt == KNUMBER or opt == KDOUBLE:
            out.append(_packfloat(float(check_num(v, arg, "pack")), "d", h.islittle))
        elif opt == KCHAR:
            s = check_str(v, arg, "pack")
            if len(s) > size:
                raise arg_error(arg, "pack", "string longer than given size")
            out.append(s)
            if len(s) < size:
                out.append(b"\0" * (size - len(s)))
        elif opt == KSTRING:
            s = check_str(v, arg, "pack")
            if size < SZINT and len(s) >= (1 << (size * 8)):
                raise arg_error(arg, "pack", "string length does not fit in given size")
            out.append(_packint(len(s), h.islittle, size, False))
            out.append(s)
            totalsize += len(s)
        elif opt == KZSTR:
            s = check_str(v, arg, "pack")
            if b"\0" in s:
                raise arg_error(arg, "pack", "string contains zeros")
            out.append(s)
            out.append(b"\0")
            totalsize += len(s) + 1
        else:
            if opt == KPADDING:
                out.append(b"\0")
            arg -= 1
    alloc(totalsize)
    return b"".join(out)


def str_packsize(fmt: Any = NOVALUE, *_: Any) -> int:
    """string.packsize(fmt): the size of a fixed-length format."""
    h = _Header(check_str(fmt, 1, "packsize"), "packsize")
    totalsize = 0
    while h.more():
        opt, size, ntoalign = h.getdetails(totalsize)
        if opt == KSTRING or opt == KZSTR:
            raise arg_error(1, "packsize", "variable-length format")
        size += ntoalign
        if totalsize > MAXSIZE - size:
            raise arg_error(1, "packsize", "format result too large")
        totalsize += size
    return totalsize


def _unpackint(data: bytes, pos: int, islittle: bool, size: int, signed: bool) -> int:
    chunk = data[pos:pos + size]
    if not islittle:
        chunk = chunk[::-1]
    limit = min(size, SZINT)
    res = int.from_bytes(chunk[:limit], "little")
    if size < SZINT:
        if signed:
            mask = 1 << (size * 8 - 1)
            res = (res ^ mask) - mask
        return res
    if size > SZINT:
        fill = 0xFF if (signed and res >= 1 << 63) else 0
        for b in chunk[limit:]:
            if b != fill:
                raise rt_error(f"{size}-byte integer does not fit into Lua Integer")
    return wrap(res)


def str_unpack(fmt: Any = NOVALUE, data: Any = NOVALUE, init: Any = None, *_: Any) -> Ret:
    """string.unpack(fmt, s [, pos]): the values, then the position after them."""
    h = _Header(check_str(fmt, 1, "unpack"), "unpack")
    data = check_str(data, 2, "unpack")
    ld = len(data)
    pos = opt_int(init, 3, "unpack", 1)
    pos = (pos if pos > 0 else 1 if pos == 0 or pos < -ld else ld + pos + 1) - 1
    if pos > ld:
        raise arg_error(3, "unpack", "initial position out of string")
    res: list[Any] = []
    while h.more():
        opt, size, ntoalign = h.getdetails(pos)
        if ntoalign + size > ld - pos:
            raise arg_error(2, "unpack", "data string too short")
        pos += ntoalign
        if opt == KINT or opt == KUINT:
            res.append(_unpackint(data, pos, h.islittle, size, opt == KINT))
        elif opt == KFLOAT:
            res.append(struct.unpack(("<" if h.islittle else ">") + "f", data[pos:pos + 4])[0])
        elif opt == KNUMBER or opt == KDOUBLE:
            res.append(struct.unpack(("<" if h.islittle else ">") + "d", data[pos:pos + 8])[0])
        elif opt == KCHAR:
            res.append(data[pos:pos + size])
        elif opt == KSTRING:
            ln = _unpackint(data, pos, h.islittle, size, False) & 0xFFFFFFFFFFFFFFFF
            if ln > ld - pos - size:
                raise arg_error(2, "unpack", "data string too short")
            res.append(data[pos + size:pos + size + ln])
            pos += ln
        elif opt == KZSTR:
            z = data.find(b"\0", pos)
            ln = (z if z >= 0 else ld) - pos
            if pos + ln >= ld:
                raise arg_error(2, "unpack", "unfinished string for format 'z'")
            res.append(data[pos:pos + ln])
            pos += ln + 1
        pos += size
    res.append(pos + 1)
    return Ret(tuple(res))
