"""`string.dump` and loading binary chunks.

luavm runs Lua functions as generated Python, so a binary chunk cannot carry
bytecode. It carries what recompiling needs: the source text of the function's
chunk, the chunk name and the function's prototype index, after a header laid
out as Lua 5.4's (signature, version, format, LUAC_DATA, sizes, LUAC_INT,
LUAC_NUM) and the number of upvalues. Loading one compiles that chunk (cached
like any other) and builds a closure of the prototype with fresh upvalues, the
first set to the environment, as lua_load does. Like any Lua source, a binary
chunk can do no more than the Lua program that loads it.

A stripped dump has no debug information: its chunk is named "=?" and reports
no lines ("?:-1:") and no variable names.
"""

from __future__ import annotations

import struct
from types import FunctionType
from typing import Any

from .frames import CODE_INFO
from .values import Box, LuaError

SIGNATURE = b"\x1bLua"
HEADER = (SIGNATURE + bytes([0x54, 0]) + b"\x19\x93\r\n\x1a\n" + bytes([4, 8, 8])
          + struct.pack("<q", 0x5678) + struct.pack("<d", 370.5))
MAGIC = b"luavm\x01"
STRIPPED = "=?\0stripped"  # chunk name of stripped functions (user names never hold a NUL)


def dump(fn: Any, strip: bool) -> bytes | None:
    """The binary chunk of a Lua function; None for a builtin (not dumpable)."""
    ci = CODE_INFO.get(fn.__code__) if fn.__class__ is FunctionType else None
    if ci is None:
        return None
    chunk = ci.chunk
    name = STRIPPED if strip else chunk.name
    out = bytearray(HEADER)
    out.append(len(ci.proto.upvalues) & 0xFF)
    out += MAGIC
    for part in (name.encode("latin-1"), chunk.source):
        out += _size(len(part)) + part
    out += _size(ci.proto.index)
    return bytes(out)


def undump(data: bytes, chunkname: str, env: Any) -> Any:
    """The function a binary chunk holds; raises LuaError with lundump's messages."""
    from ..lexer import LuaSyntaxError
    from .loader import load_chunk

    r = _Reader(data, chunkname)
    r.literal(SIGNATURE, "not a binary chunk")
    r.byte(0x54, "version mismatch")
    r.byte(0, "format mismatch")
    r.literal(HEADER[6:12], "corrupted chunk")
    for size, what in ((4, "Instruction"), (8, "lua_Integer"), (8, "lua_Number")):
        r.byte(size, f"{what} size mismatch")
    r.literal(HEADER[15:23], "integer format mismatch")
    r.literal(HEADER[23:31], "float format mismatch")
    r.take(1)  # number of upvalues
    r.literal(MAGIC, "not a luavm chunk")
    name = r.take(r.size()).decode("latin-1")
    source = r.take(r.size())
    index = r.size()
    try:
        chunk = load_chunk(source, name)
    except LuaSyntaxError:
        r.fail("corrupted chunk")
    if name == STRIPPED:
        chunk.stripped = True
    if index >= len(chunk.protos):
        r.fail("corrupted chunk")
    proto = chunk.protos[index]
    # fresh upvalues, the first one _ENV (set after the factory: it binds a
    # `local function`'s own name, which a loaded copy does not have)
    ups: list[Any] = [Box() if boxed else None for boxed in proto.upvalue_boxed]
    if ups:
        if proto.upvalue_boxed[0]:
            ups[0].v = env
        else:
            ups[0] = env
    fn = chunk.ns[f"_p{index}"](*ups)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    for py, v in zip(proto.upvalues, ups):
        if py in cells:  # (an upvalue only passed on to inner functions may be unused)
            cells[py].cell_contents = v
    return fn


def _size(n: int) -> bytes:
    """An unsigned integer, 7 bits a byte, most significant first; the last byte has bit 8."""
    groups = [n & 0x7F]
    n >>= 7
    while n:
        groups.append(n & 0x7F)
        n >>= 7
    groups.reverse()
    groups[-1] |= 0x80
    return bytes(groups)


class _Reader:
    def __init__(self, data: bytes, chunkname: str) -> None:
        self.data = data
        self.pos = 0
        if chunkname[:1] in ("@", "="):
            self.name = chunkname[1:]
        elif chunkname[:1] == "\x1b":
            self.name = "binary string"
        else:
            self.name = chunkname

    def fail(self, why: str) -> Any:
        raise LuaError(f"{self.name}: bad binary format ({why})".encode("latin-1", "replace"))

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            self.fail("truncated chunk")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def literal(self, lit: bytes, why: str) -> None:
        if self.take(len(lit)) != lit:
            self.fail(why)

    def byte(self, value: int, why: str) -> None:
        if self.take(1)[0] != value:
            self.fail(why)

    def size(self) -> int:
        n = 0
        while True:
            b = self.take(1)[0]
            n = (n << 7) | (b & 0x7F)
            if b & 0x80:
                return n
