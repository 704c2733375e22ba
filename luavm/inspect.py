"""Reading a snapshot without running it: the suspended Lua call stacks, with
positions and locals, for debuggers and `wippy workflow stack`.

Concept. `inspect_snapshot(data, code)` decodes `Task.snapshot()` bytes (see
snapshot.py for the format; `code` supplies the sources of chunks the snapshot
names by hash) and returns one `FrameInfo` per suspended call:
first the task's main stack (thread 0), then every coroutine that has a
suspended stack (threads 1, 2, ... in the snapshot's object order, which is
deterministic). Within a thread, frames are innermost first, as in a Lua
traceback. A frame record holds its closure, its resume point and its saved
Python locals; the Lua line is that of the resume point's operation
(`proto.resume_points[rp].op.line`), Lua local names come from the prototype's
`local_lua_names`, and `pcall`/`xpcall`/`coroutine.resume` records appear as
`[C]` frames.

Invariants. Read-only and side-effect free: nothing in the snapshot is run,
restored into a runtime or resolved by name (host functions and builtins are
only named), so it is safe on untrusted bytes beyond compiling the Lua source
they carry (which luavm's compiler treats as data). Values are shown as short
Lua-style strings (`{amount = 42}`, `"text"`, `function main <src/x.lua:10>`),
never as live objects; tables nest at most two levels, and long strings and
tables are cut with `…`.

Costs. One msgpack decode of the snapshot plus one compile per distinct chunk
that a frame or a shown function refers to (a disk-cache hit, ~ms, when that
source was compiled before). Nothing is imported until the first call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FrameInfo", "inspect_snapshot"]

_MAX_STR = 40  # characters of a string value shown
_MAX_ITEMS = 4  # entries of a table shown
_MAX_DEPTH = 2  # table nesting shown
_MAX_LEN = 120  # characters of one value's repr


@dataclass(frozen=True)
class FrameInfo:
    """One suspended call.

    `thread` is 0 for the task's main stack, 1.. for coroutines; `status` the
    thread's status (`running` for the main stack, `suspended` or `normal` for a
    coroutine); `level` 0 is the innermost frame of its thread. `chunkname` is the
    raw chunk name (`@src/order.lua`, `=[wippy kernel]`, `=[C]` for a builtin) and
    `source` how Lua shows it (`src/order.lua`, `[wippy kernel]`, `[C]`). `line` is
    the Lua line the call waits at (-1 when unknown), `defined` the line its
    function starts at (0 for a main chunk). `function` is the function's name
    when known (`main`, `wait_approval`, `main chunk`, `pcall`), else None.
    `locals` maps Lua local names to short reprs, in declaration order."""

    thread: int
    status: str
    level: int
    chunkname: str
    source: str
    line: int
    function: str | None
    defined: int = 0
    locals: dict[str, str] = field(default_factory=dict)

    @property
    def is_builtin(self) -> bool:
        return self.chunkname == "=[C]"

    @property
    def where(self) -> str:
        """`src/order.lua:12` (or `[C]`)."""
        if self.is_builtin or self.line < 0:
            return self.source
        return f"{self.source}:{self.line}"

    @property
    def title(self) -> str:
        """How a Lua traceback names the call: `function 'main'`, `main chunk`,
        `function <src/order.lua:13>`."""
        if self.function == "main chunk":
            return "main chunk"
        if self.function:
            return f"function '{self.function}'"
        return f"function <{self.source}:{self.defined}>"


def inspect_snapshot(data: bytes, code: Mapping[str, bytes | str] | None = None) -> list[FrameInfo]:
    """The suspended frames of every thread in snapshot `data` (see the module
    docstring for the order). `code` maps `code_hash(source)` to source for the
    chunks a snapshot names by hash (`Task.snapshot(code=...)`); a frame in a
    chunk whose source is neither in the snapshot nor in `code` has line -1 and
    no names. Raises luavm.SnapshotError for bytes that are not a valid snapshot
    of this luavm version."""
    from . import snapshot as S

    root, objects, _request = S.read(data)
    insp = _Inspector(objects, code)
    try:
        out = insp.thread(0, "running", root.get("records"))
        n = 0
        for o in objects:
            if isinstance(o, list) and o and o[0] == "co" and not o[2] and o[5]:
                n += 1
                out += insp.thread(n, str(o[1]), o[5])
    except S.SnapshotError:
        raise
    except Exception as e:  # noqa: BLE001 - malformed structures of any kind
        raise S.SnapshotError(f"corrupted snapshot: {type(e).__name__}: {e}") from None
    return out


class _Inspector:
    def __init__(self, objects: list[Any], code: Mapping[str, bytes | str] | None) -> None:
        self.objects = objects
        self.code = code or {}
        self.chunks: dict[int, Any] = {}  # object index of a chunk -> Chunk | None

    # -------------------------------------------------------------- structure

    def deref(self, v: Any) -> tuple[int, list[Any]] | None:
        import msgpack  # type: ignore[import-untyped]

        if isinstance(v, msgpack.ExtType) and v.code == 1 and len(v.data) == 4:
            i = int.from_bytes(v.data, "big")
            if i < len(self.objects):
                return i, self.objects[i]
        return None

    def chunk(self, ref: Any) -> tuple[str, Any]:
        """(chunk name, compiled Chunk or None) of a chunk reference."""
        d = self.deref(ref)
        if d is None or d[1][0] not in ("chunk", "chunkref"):
            return "?", None
        i, o = d
        name = str(o[1])
        if i not in self.chunks:
            from .runtime.loader import load_chunk

            src: Any = o[2]
            if o[0] == "chunkref":  # named by the hash of its source
                src = self.code.get(str(o[2]))
            try:
                self.chunks[i] = None if src is None else load_chunk(
                    src.encode() if isinstance(src, str) else bytes(src), name, False)
            except Exception:  # noqa: BLE001 - a source that does not compile: no line info
                self.chunks[i] = None
        return name, self.chunks[i]

    def proto(self, fn_ref: Any) -> tuple[str, Any]:
        """(chunk name, Proto or None) of a Lua closure reference."""
        d = self.deref(fn_ref)
        if d is None or d[1][0] != "lua":
            return "?", None
        o = d[1]
        name, chunk = self.chunk(o[1])
        if chunk is None or not 0 <= o[2] < len(chunk.protos):
            return name, None
        return name, chunk.protos[o[2]]

    def thread(self, n: int, status: str, records: list[Any] | None) -> list[FrameInfo]:
        frames: list[FrameInfo] = []
        for level, r in enumerate(reversed(records or [])):
            frames.append(self.frame(n, status, level, r))
        return frames

    def frame(self, n: int, status: str, level: int, r: list[Any]) -> FrameInfo:
        from .runtime.frames import chunkid

        kind = r[0]
        if kind == "pcall":
            return FrameInfo(n, status, level, "=[C]", "[C]", -1, "xpcall" if r[1] is not None else "pcall")
        if kind == "resume":
            return FrameInfo(n, status, level, "=[C]", "[C]", -1, "coroutine.wrap" if r[2] else "coroutine.resume")
        name, proto = self.proto(r[1])
        if proto is None:
            return FrameInfo(n, status, level, name, chunkid(name), -1, None)
        line = -1
        if 0 <= r[2] < len(proto.resume_points):
            op = proto.resume_points[r[2]].op
            line = op.line if op is not None and op.line else proto.line
        fn_name = None if proto.lua_name in ("?", "") or proto.lua_name.startswith("<anon@") else str(proto.lua_name)
        return FrameInfo(n, status, level, name, chunkid(name), line, fn_name, int(proto.line),
                         self.local_values(proto, r[3]))

    def local_values(self, proto: Any, saved: dict[str, Any]) -> dict[str, str]:
        out: dict[str, str] = {}
        seen: set[str] = set()
        for py in proto.locals:
            if py in seen or py not in saved:
                continue
            seen.add(py)
            lua = proto.local_lua_names.get(py)
            if lua is None or lua.startswith("("):
                continue
            out[lua] = self.value(saved[py], 0)
        va = saved.get("_va")
        if proto.is_vararg and isinstance(va, list) and va and va[0] == "ret" and va[1]:
            out["..."] = ", ".join(self.value(x, 1) for x in va[1])
        return out

    # -------------------------------------------------------------- values

    def value(self, v: Any, depth: int) -> str:
        s = self._value(v, depth)
        return s if len(s) <= _MAX_LEN else s[:_MAX_LEN - 1] + "…"

    def _value(self, v: Any, depth: int) -> str:
        if v is None:
            return "nil"
        if v is True:
            return "true"
        if v is False:
            return "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            from .runtime.values import fmt_float

            return fmt_float(v).decode()
        if isinstance(v, bytes | str):
            return _quote(v)
        if isinstance(v, list) and v:
            if v[0] == "ret":
                return ", ".join(self._value(x, depth + 1) for x in v[1]) or "(no values)"
            if v[0] == "bigint":
                return str(v[1])
            if v[0] == "tailcall":
                return "(tail call)"
            return "?"
        d = self.deref(v)
        if d is None:
            return "?"
        return self.obj(d[1], depth)

    def obj(self, o: list[Any], depth: int) -> str:
        kind = o[0]
        if kind == "box":  # a captured local: its value
            return self._value(o[1], depth)
        if kind == "table":
            return self.table(o, depth)
        if kind == "lua":
            name, chunk = self.chunk(o[1])
            from .runtime.frames import chunkid

            if chunk is None or not 0 <= o[2] < len(chunk.protos):
                return f"function <{chunkid(name)}>"
            p = chunk.protos[o[2]]
            label = "" if p.lua_name in ("?", "", "main chunk") or p.lua_name.startswith("<anon@") else f" {p.lua_name}"
            return f"function{label} <{chunkid(name)}:{p.line}>"
        if kind == "perm":
            return f"builtin {o[1]}"
        if kind == "host":
            return f"host function {o[1]}"
        if kind == "co":
            return f"thread ({o[1]})"
        if kind in ("wrap", "gmatch"):
            return f"function <{'coroutine.wrap' if kind == 'wrap' else 'string.gmatch'}>"
        return kind

    def table(self, o: list[Any], depth: int) -> str:
        arr, hashpart, meta = o[1], o[2], o[3]
        prefix = ""
        md = self.deref(meta)
        if md is not None and md[1][0] == "table":
            mh = md[1][2]
            for j in range(0, len(mh), 2):
                if mh[j] == b"__name" and isinstance(mh[j + 1], bytes):
                    prefix = mh[j + 1].decode("utf-8", "replace") + " "
        items: list[str] = []
        total = 0
        for x in arr or []:
            total += 1
            if len(items) < _MAX_ITEMS:
                items.append(self._value(x, depth + 1) if depth < _MAX_DEPTH else "")
        for j in range(0, len(hashpart or []), 2):
            k, x = hashpart[j], hashpart[j + 1]
            if x is None:
                continue  # a tombstone
            total += 1
            if len(items) < _MAX_ITEMS:
                items.append(f"{_key(k, self, depth)} = {self._value(x, depth + 1)}" if depth < _MAX_DEPTH else "")
        if total == 0:
            return prefix + "{}"
        if depth >= _MAX_DEPTH:
            return prefix + "{…}"
        more = ", …" if total > len(items) else ""
        return prefix + "{" + ", ".join(items) + more + "}"


def _key(k: Any, insp: _Inspector, depth: int) -> str:
    if isinstance(k, bytes):
        s = k.decode("utf-8", "replace")
        if s.isidentifier() and s.isascii():
            return s
    return f"[{insp._value(k, depth + 1)}]"


def _quote(v: bytes | str) -> str:
    s = v.decode("utf-8", "replace") if isinstance(v, bytes) else v
    cut = len(s) > _MAX_STR
    s = s[:_MAX_STR]
    s = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{s}…"' if cut else f'"{s}"'
