"""Where Lua is on the Python stack: positions, variable info, tracebacks.

Generated functions are registered here by code object; builtins by code object
too (with their Lua-visible qualified name). Everything else on the Python stack
is a helper and invisible to Lua. Error positions are computed when the error is
raised, by walking the live Python frames, so the fast path pays nothing.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from types import CodeType, FrameType, TracebackType
from typing import Any

from .values import LuaError, lua_bytes, type_name


@dataclass(eq=False)
class CodeInfo:
    """A generated Python function: which Lua proto and what each of its lines does.

    The chunk is held weakly: its live functions keep it alive (through their
    globals), and when it goes its entries leave CODE_INFO (`forget`), so a process
    that loads many chunks over time does not keep them all."""

    chunk_ref: Callable[[], Any]  # weakref to the loader.Chunk
    proto: Any  # compiler.ir.Proto
    lines: dict[int, tuple[Any, int]]  # py line -> (OpInfo | None, resume point)
    names: list[str] = field(default_factory=list)  # locals saved in a frame record
    entry_tick: int | None = None  # the line of the step at entry, once looked up (limits.entry_tick_line)

    @property
    def chunk(self) -> Any:
        return self.chunk_ref()


CODE_INFO: dict[CodeType, CodeInfo] = {}


def forget(codes: list[CodeType]) -> None:
    """Drop the entries of a chunk that is gone (a weakref.finalize callback)."""
    for c in codes:
        CODE_INFO.pop(c, None)

# Code of the wrappers that run an xpcall message handler. Lua runs the handler on
# top of the erroring stack; here that stack has unwound, but the error's Python
# traceback still holds its frames: below a handler frame (its local `err`),
# `debug.traceback` continues with them.
HANDLER_CODES: set[CodeType] = set()
BUILTINS: dict[CodeType, str] = {}  # code of a builtin -> "string.rep"
# Code of the functions that switch into a coroutine (coroutine.py fills it): the
# Lua stack of a coroutine ends there, so walks of the stack stop at one, as lua's
# tracebacks, error levels and getinfo do at the coroutine's base.
BOUNDARY_CODES: set[CodeType] = set()


def register_builtin(fn: Any, qualname: str) -> None:
    code = getattr(fn, "__code__", None)
    if code is not None and code not in BUILTINS:
        BUILTINS[code] = qualname


def chunkid(name: str) -> str:
    """luaO_chunkid: how a chunk name appears in messages (LUA_IDSIZE 60)."""
    name = name.split("\0", 1)[0]  # a C string
    size = 60
    if name.startswith("="):
        return name[1:size]
    if name.startswith("@"):
        if len(name) <= size:
            return name[1:]
        return "..." + name[len(name) - (size - 4):]  # the tail, room kept for '\0'
    nl = name.find("\n")
    room = size - len('[string "..."]') - 1
    if len(name) < room and nl < 0:
        return f'[string "{name}"]'
    src = name if nl < 0 else name[:nl]
    return f'[string "{src[:room]}..."]'


def op_at(f: FrameType, lineno: int | None = None) -> tuple[CodeInfo, Any] | None:
    ci = CODE_INFO.get(f.f_code)
    if ci is None:
        return None
    entry = ci.lines.get(lineno if lineno is not None else f.f_lineno)
    return ci, (entry[0] if entry else None)


def lua_line(ci: CodeInfo, op: Any) -> int:
    if ci.chunk.stripped:
        return -1  # loaded from a stripped binary chunk: no line information
    return op.line if op is not None and op.line else ci.proto.line


def significant_frames(start: FrameType | None, handler: list | None = None,
                       limit: int = 1 << 30) -> list[tuple[str, FrameType]]:
    """Lua and builtin frames from `start` outward, as ('lua'|'builtin', frame).

    A Lua frame that made a (plain, nested) tail call to a Lua function is left
    out: for Lua that frame was replaced by its callee. So is one running the
    `__close` of its variables because of an error: Lua has unwound it already."""
    out: list[tuple[str, FrameType]] = []
    f = start
    unwound = False  # below a __close run by an error, down to the protected call
    while f is not None and len(out) < limit:  # (limit: the first ones are enough)
        code = f.f_code
        if code in BOUNDARY_CODES and out:  # (none yet: coroutine.resume's own error)
            break
        if handler is not None and code in HANDLER_CODES:
            handler.append(f)  # the caller continues with the error's frames
            break
        ci = CODE_INFO.get(code)
        if ci is not None:
            if out:
                entry = ci.lines.get(f.f_lineno)
                op = entry[0] if entry else None
                if op is not None and op.kind == "closeerr":
                    unwound = True
                # a speculating copy that left for its generic copy (compiler/deopt.py)
                # is the same Lua call as the frame above it
                if unwound or op is not None and (op.tail and out[-1][0] == "lua" or op.kind == "deopt"):
                    f = f.f_back
                    continue
            out.append(("lua", f))
        elif code in BUILTINS:
            if unwound and BUILTINS[code] in _PROTECTED:
                unwound = False
            if not unwound:
                out.append(("builtin", f))
        f = f.f_back
    return out


_PROTECTED = ("pcall", "xpcall")  # where an error stops unwinding (and __close runs)


_MISSING = object()


def _closure_matches(g: Any, code: Any, cells: list) -> bool:
    """g is the closure whose code is `code` and whose free variables hold `cells`."""
    if getattr(g, "__code__", None) is not code:
        return False
    for c, v in zip(g.__closure__ or (), cells):
        try:
            cv = c.cell_contents
        except ValueError:
            cv = _MISSING
        if cv is not v:
            return False
    return True


def frame_function(f: FrameType, caller: FrameType | None, caller_line: int | None = None,
                   thorough: bool = True) -> Any:
    """The function object a Lua or builtin frame runs (a frame does not name it).

    A resume or generator form has it as `_self`; else the caller's call line
    names the callee's Python expression (`OpInfo.fn`); else it is a value some
    frame between here and the caller holds (a builtin's argument, a local of the
    host); else (`thorough`) any live closure of that code with the same free
    variables, else an equal closure made for the purpose."""
    code = f.f_code
    loc = f.f_locals
    cells = [loc.get(n, _MISSING) for n in code.co_freevars]
    me = loc.get("_self")
    if me is not None and _closure_matches(me, code, cells):
        return me
    if caller is not None:
        res = op_at(caller, caller_line)
        expr = res[1].fn if res is not None and res[1] is not None else None
        if expr:
            name, _, attr = expr.partition(".")
            v = caller.f_locals.get(name, _MISSING)
            if attr == "v" and type(v).__name__ == "Box":
                v = v.v
            if _closure_matches(v, code, cells):
                return v
    b: FrameType | None = f
    for _ in range(64):
        if b is None:
            break
        for v in list(b.f_locals.values()):
            if _closure_matches(v, code, cells):
                return v
        if b is caller:
            break
        b = b.f_back
    if not thorough:
        return None
    for v in gc.get_referrers(code):
        if _closure_matches(v, code, cells):
            return v
    if code in BUILTINS:
        from . import state

        reg = state.current.registry if state.current is not None else {}
        v = reg.get(BUILTINS[code])
        return v if getattr(v, "__code__", None) is code else None
    if code not in CODE_INFO:
        return None
    from .coroutine import rebuild_closure

    return rebuild_closure(code, f.f_globals, loc)  # an equal closure, at least


def position(f: FrameType, lineno: int | None = None) -> str:
    res = op_at(f, lineno)
    if res is None:
        return ""
    ci, op = res
    return f"{chunkid(ci.chunk.name)}:{lua_line(ci, op)}:"


def runtime_position(start: FrameType | None, runerror: bool = False) -> tuple[str, FrameType | None]:
    """Position for an error raised at `start`: the current line when Lua code is
    running (luaG_runerror); inside a builtin, the calling line for the builtin's
    own errors (luaL_error, level 1) and none for runerror-style ones.
    Returns (prefix, the Lua frame or None)."""
    frames = significant_frames(start, limit=2)
    if not frames:
        return "", None
    kind, f = frames[0]
    if kind == "lua":
        return position(f) + " ", f
    if not runerror and len(frames) > 1 and frames[1][0] == "lua":
        return position(frames[1][1]) + " ", frames[1][1]
    return "", None


def level_position(level: int, start: FrameType | None) -> str:
    """Position of `error(msg, level)` called from a builtin frame found from `start`."""
    if level <= 0:
        return ""
    frames = significant_frames(start, limit=level + 1)
    if level >= len(frames):
        return ""
    kind, f = frames[level]
    return position(f) + " " if kind == "lua" else ""


def varinfo(f: FrameType | None, operand: int) -> str:
    """Lua's varinfo for operand k of the operation at f's current line."""
    if f is None or operand <= 0:
        return ""
    res = op_at(f)
    if res is None or res[1] is None or res[0].chunk.stripped:
        return ""
    descs = res[1].descs
    if operand <= len(descs) and descs[operand - 1]:
        return f" ({descs[operand - 1]})"
    return ""


def position_error(e: LuaError, start: FrameType | None, runerror: bool = False) -> LuaError:
    """Give a level-1 runtime error its position prefix and variable info (which
    goes where the message has `%VAR%`, else at its end)."""
    if e.level != 1 or type(e.value) is not bytes:
        e.level = 0
        return e
    prefix, f = runtime_position(start, runerror)
    extra = lua_bytes(varinfo(f, e.operand))
    v = e.value
    if b"%VAR%" in v:
        v = v.replace(b"%VAR%", extra)
    else:
        v += extra
    e.value = lua_bytes(prefix) + v
    e.level = 0
    return e


def callee_name(start: FrameType | None) -> tuple[str | None, str | None, str]:
    """For a builtin raising an argument error: (namewhat, name, position prefix)."""
    frames = significant_frames(start, limit=2)
    if not frames or frames[0][0] != "builtin":
        return None, None, ""
    qual = BUILTINS.get(frames[0][1].f_code)
    if len(frames) > 1 and frames[1][0] == "lua":
        f = frames[1][1]
        res = op_at(f)
        pos = position(f) + " "
        if res is not None and res[1] is not None and res[1].kind == "call" and res[1].callee:
            namewhat, name = res[1].callee
            if namewhat in ("global", "local", "upvalue", "method", "field", "for iterator"):
                return namewhat, name, pos
        return None, qual, pos
    return None, qual, ""


# ------------------------------------------------------------------ tracebacks


def frame_name(f: FrameType, kind: str, caller: tuple[FrameType, int] | None = None) -> str:
    """How a traceback names the function running in f; `caller` is the next
    significant frame outward (found from f when not given) and its line."""
    if kind == "builtin":
        return f"function '{BUILTINS.get(f.f_code, '?')}'"
    ci = CODE_INFO[f.f_code]
    if ci.proto.index == 0:
        return "main chunk"
    # as luaL_traceback: a global name, else how the caller called it, else where it is
    if caller is None:
        caller = _caller(f)
    c_frame, c_line = caller or (None, None)
    fn = frame_function(f, c_frame, c_line, thorough=False)
    gname = _global_name(fn)
    if gname is not None:
        return f"function '{gname}'"
    how = _called_as(*caller) if caller is not None else None
    if how is not None:
        return how
    return f"function <{chunkid(ci.chunk.name)}:{ci.proto.line}>"


_METAMETHOD_KINDS = {"index": "index", "setindex": "newindex", "concat": "concat", "len": "len",
                     "close": "close"}  # a close while an error unwinds: no name (Lua calls it from C)


def _called_as(f: FrameType, lineno: int) -> str | None:
    """How the Lua frame f, at lineno, names the function it is calling."""
    ci = CODE_INFO.get(f.f_code)
    entry = ci.lines.get(lineno) if ci is not None else None
    op = entry[0] if entry else None
    if op is None:
        return None
    if op.kind == "call" and op.callee:
        return f"{op.callee[0]} '{op.callee[1]}'"
    mm = _METAMETHOD_KINDS.get(op.kind)
    return f"metamethod '{mm}'" if mm else None


def _global_name(fn: Any) -> str | None:
    """pushglobalfuncname: "mod.name" of a function found in package.loaded."""
    from . import state

    loaded = state.current.loaded if state.current is not None else None
    if fn is None or loaded is None:
        return None
    for mod, lib in list(loaded.hash.items()):
        if type(lib) is not type(loaded) or type(mod) is not bytes:
            continue
        for k, v in list(lib.hash.items()):
            if v is fn and type(k) is bytes:
                name = (mod + b"." + k).decode("latin-1")
                return name[3:] if name.startswith("_G.") else name
    return None


def _caller(f: FrameType) -> tuple[FrameType, int] | None:
    b = f.f_back
    while b is not None and b.f_code not in BOUNDARY_CODES:
        if b.f_code in CODE_INFO or b.f_code in BUILTINS:
            return b, b.f_lineno
        b = b.f_back
    return None


def traceback_lines(tb: TracebackType | None, origin: tuple | None = None) -> list[str]:
    """Lua-style traceback entries, innermost first, from a Python traceback and the
    frames above it. `origin` (frame, line) corrects the line of the frame that
    turned a Python exception into the Lua error."""
    frames: list[tuple[FrameType, int]] = []
    t = tb
    while t is not None:
        ln = t.tb_lineno
        if origin is not None and t.tb_frame is origin[0]:
            ln = origin[1]
        frames.append((t.tb_frame, ln))
        t = t.tb_next
    frames.reverse()
    if tb is not None:
        f = tb.tb_frame.f_back
        while f is not None:
            frames.append((f, f.f_lineno))
            f = f.f_back
    seen: set[int] = set()  # a frame the error left twice (a __close re-raised it) is listed once
    kept = []
    for f, ln in frames:
        if (f.f_code in CODE_INFO or f.f_code in BUILTINS) and id(f) not in seen and not _at_deopt(f, ln):
            seen.add(id(f))
            kept.append((f, ln))
    frames = kept
    # a __close run because of an error: Lua has unwound the frames below it down
    # to the protected call (pcall, xpcall; at the top, all of them)
    for i, (f, lineno) in enumerate(frames):
        ci = CODE_INFO.get(f.f_code)
        entry = ci.lines.get(lineno) if ci is not None else None
        if entry and entry[0] is not None and entry[0].kind == "closeerr":
            j = i
            while j < len(frames) and BUILTINS.get(frames[j][0].f_code) not in _PROTECTED:
                j += 1
            frames = frames[:i] + frames[j:]
            break
    out = []
    for i, (f, lineno) in enumerate(frames):
        code = f.f_code
        if code in CODE_INFO:
            ci = CODE_INFO[code]
            entry = ci.lines.get(lineno)
            line = lua_line(ci, entry[0] if entry else None)
            caller = frames[i + 1] if i + 1 < len(frames) else None
            out.append(f"{chunkid(ci.chunk.name)}:{line}: in {frame_name(f, 'lua', caller)}")
        else:
            out.append(f"[C]: in {frame_name(f, 'builtin')}")
    return out


def _at_deopt(f: FrameType, lineno: int) -> bool:
    """A speculating copy waiting for its generic copy (compiler/deopt.py): not a Lua frame."""
    ci = CODE_INFO.get(f.f_code)
    entry = ci.lines.get(lineno) if ci is not None else None
    return bool(entry and entry[0] is not None and entry[0].kind == "deopt")


def current_traceback(msg: str | None, level: int = 1) -> str:
    """debug.traceback: the live Lua stack (in a message handler, the erroring one)."""
    handler: list = []
    entries = []
    for kind, f in significant_frames(sys._getframe(1), handler):
        if kind == "lua":
            entries.append(f"{position(f)} in {frame_name(f, 'lua')}")
        else:
            entries.append(f"[C]: in {frame_name(f, 'builtin')}")
    if handler:
        err = handler[0].f_locals.get("err")
        if err is not None:
            entries += traceback_lines(err.__traceback__, getattr(err, "origin", None))
    from . import state

    co = state.current.current if state.current is not None else None
    # the main thread's stack starts in C (lua.c's pcall); a coroutine's in its body
    tail = ["\t[C]: in ?"] if co is None or co.is_main else []
    lines = ["stack traceback:"] + ["\t" + e for e in entries[level:]] + tail
    text = "\n".join(lines)
    return f"{msg}\n{text}" if msg is not None else text


def describe(v: Any) -> str:
    return type_name(v)
