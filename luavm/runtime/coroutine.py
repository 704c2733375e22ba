"""Stack capture and resumption: coroutines and host suspensions.

A yield (or a host suspension) raises `Suspend`. Every generated function it
passes through appends a FrameRecord (closure, resume point, locals); resumable
builtins (pcall, xpcall, coroutine.resume/wrap) append their own records. The
records, outermost first, are the suspended stack as plain data. Resuming runs
them innermost-out: each record receives the value its callee produced.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import CellType, FrameType, FunctionType
from typing import Any

from . import frames, state
from .frames import CODE_INFO, chunkid, lua_line, register_builtin
from .ops import C_LIMIT, call, call_noyield, results
from .values import NORET, TAILCALL, LuaError, Ret, lua_bytes, rt_error


class Suspend(BaseException):
    """Unwinds Lua frames while they record themselves. kind: 'yield' or 'host'.

    Every frame it passes through holds it in a local (`except _Suspend as _e:
    ...; raise`), and its traceback holds those frames: a reference cycle. So
    whoever consumes a Suspend drops its traceback (`s.__traceback__ = None`):
    the unwound frames, their locals and the records' closures are then freed by
    reference counting at once, not left to the cyclic collector (~230 objects
    per process step: a young collection every ~160 message round trips, 20-25%
    of their time)."""

    def __init__(self, kind: str, values: Any) -> None:
        super().__init__(kind)
        self.kind = kind
        self.values = values
        self.records: list[Any] = []  # innermost first while unwinding

    def add(self, fn: Any, loc: dict) -> None:
        """Record the frame the suspension is passing through. fn None: the closure
        is rebuilt from the frame's code and the values of its free variables (the
        upvalues: Boxes, or values), which `locals()` includes."""
        tb = self.__traceback__
        assert tb is not None
        code = tb.tb_frame.f_code
        ci = CODE_INFO[code]
        entry = ci.lines.get(tb.tb_lineno)
        if entry and entry[0] is not None and entry[0].kind == "deopt":
            return  # this frame only waits for its generic copy's (compiler/deopt.py)
        if fn is None:
            fn = rebuild_closure(code, tb.tb_frame.f_globals, loc)
        rp = entry[1] if entry else -1
        if rp < 0:
            raise RuntimeError(f"luavm: suspension at a line that is not a resume point: {tb.tb_lineno}")
        self.records.append(FrameRecord(fn, rp, saved_locals(ci.names, loc)))


def saved_locals(names: Any, loc: dict) -> dict:
    """The locals a frame record keeps: those with a value. A nil local is left
    out as one not assigned yet is (a continued frame starts every local at nil,
    render_resume): the record, and so the snapshot, is the same whether the frame
    had suspended before or not."""
    return {n: v for n in names if (v := loc.get(n)) is not None}


def rebuild_closure(code: Any, globs: dict, loc: dict) -> Any:
    """The closure a fast-form frame runs, from its code and the values of its free
    variables (the upvalues: Boxes, or values), which `locals()` includes."""
    return FunctionType(code, globs, code.co_name, (None,) * code.co_argcount or None,
                        tuple(CellType(loc[n]) if n in loc else CellType() for n in code.co_freevars))


class FrameRecord:
    """A suspended Lua function: closure, resume point and its locals."""

    __slots__ = ("fn", "rp", "locals")

    def __init__(self, fn: Any, rp: int, loc: dict) -> None:
        self.fn = fn
        self.rp = rp
        self.locals = loc

    def cont(self, thunk: Callable[[], Any]) -> Any:
        """Re-enter the function at its resume point; it runs `thunk` (the frames it
        called, continued) first, from a line standing for its pending call
        (compiler/render.py, render_resume), and records itself again if they
        suspend."""
        fn = self.fn
        ci = CODE_INFO[fn.__code__]
        factory = ci.chunk.resume_factory(ci.proto, self.rp)
        cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
        # (an upvalue the body never reads, _ENV of a main chunk that uses no global, has no cell)
        boxes = [cells[n].cell_contents if n in cells else None for n in ci.proto.upvalues]
        try:
            return factory(*boxes)(fn, self.locals, thunk)
        except LuaError as e:
            if e.wrap_where:  # from a wrap function this frame called
                e.wrap_where = False
                e.value = lua_bytes(self.where()) + e.value
            raise

    def where(self) -> str:
        """luaL_where for this frame: the position of the call it waits on."""
        ci = CODE_INFO[self.fn.__code__]
        return f"{chunkid(ci.chunk.name)}:{lua_line(ci, ci.proto.resume_points[self.rp].op)}: "


class PcallRecord:
    """A pcall/xpcall waiting for its protected call to finish."""

    __slots__ = ("handler",)

    def __init__(self, handler: Any = None) -> None:
        self.handler = handler

    def cont(self, thunk: Callable[[], Any]) -> Any:
        return (_resumed_pcall if self.handler is None else _resumed_xpcall)(thunk, self)


# A pcall continued after a suspension runs from here, not from the builtin: these
# frames stand for it where Lua counts levels and prints tracebacks (`error(msg, 2)`
# inside the protected function names no position: level 2 is pcall, a C function)
def _resumed_pcall(thunk: Callable[[], Any], record: PcallRecord) -> Any:
    return protected(thunk, None, record)


def _resumed_xpcall(thunk: Callable[[], Any], record: PcallRecord) -> Any:
    return protected(thunk, record.handler, record)


register_builtin(_resumed_pcall, "pcall")
register_builtin(_resumed_xpcall, "xpcall")


def protected(thunk: Callable[[], Any], handler: Any, record: Any) -> Any:
    """Run thunk as pcall/xpcall does; a suspension inside keeps `record` on the stack."""
    co = state.current.current
    nny = co.nny
    try:
        vals = results(thunk())
    except Suspend as s:
        s.records.append(record)
        raise
    except LuaError as e:
        co.nny = nny
        if handler is None or e.handled:
            return (False, e.value)
        return (False,) + _handle(handler, e.value)
    except (RecursionError, MemoryError, TypeError) as e:
        co.nny = nny
        err = to_lua_error(e)
        if handler is None:
            return (False, err.value)
        return (False,) + _handle(handler, err.value)
    return (True,) + vals


def apply_pending_handler(err: LuaError) -> None:
    """Lua runs xpcall's message handler where the error is raised, before the
    to-be-closed variables on the way out are closed (their __close gets the
    handler's result). Called before such a __close: the nearest protected call
    below (not past a coroutine boundary) is found on the Python stack; if it is
    an xpcall, its handler runs now and protected() will not run it again."""
    if err.handled:
        return
    f: FrameType | None = sys._getframe(1)
    while f is not None:
        c = f.f_code
        if c is _PROTECTED_CODE:
            h = f.f_locals.get("handler")
            if h is not None:
                err.value = _handle(h, err.value)[0]
                err.handled = True
            return
        if c in BOUNDARY_CODES:
            return
        f = f.f_back
    st = state.current
    if st.msghandler is not None and st.current is st.main:
        err.value = st.msghandler(err.value)
        err.handled = True


def _handle(handler: Any, value: Any) -> tuple:
    """Run a message handler. An error inside it is handled by it again (the
    handler stays in force, as in luaG_errormsg), each time one C level deeper:
    at the limit it gets "C stack overflow", and if that fails too the result is
    "error in error handling" (LUA_ERRERR)."""
    level = state.current.ccalls
    while True:
        try:
            return results(call_noyield(handler, value))[:1] or (None,)
        except LuaError as e:
            if value == b"C stack overflow" and level >= C_LIMIT:
                return (b"error in error handling",)
            level += 1
            value = e.value if level < C_LIMIT else b"C stack overflow"
        except (RecursionError, TypeError):
            return (b"error in error handling",)


def to_lua_error(e: BaseException) -> LuaError:
    """A raw Python exception that escaped generated code, as a Lua error."""
    if isinstance(e, LuaError):
        return e
    if isinstance(e, RecursionError):
        return LuaError(b"stack overflow")
    if isinstance(e, MemoryError):
        return LuaError(b"not enough memory")
    return LuaError(f"{type(e).__name__}: {e}".encode())


class Coroutine:
    """A Lua thread. Its suspended stack is `records` (outermost first).

    While it runs as a live generator (`gen`), its status is the generator's:
    "running" (or "normal": it resumed another) while the generator executes,
    else "suspended". So a switch into it and back writes no status (the fast
    paths in stdlib/lcoroutine.py); whatever ends or unpacks the generator
    (death, a snapshot, coroutine.close) sets the status it leaves behind."""

    __slots__ = ("fn", "_status", "records", "nny", "is_main", "errval", "gen", "__weakref__")
    lua_type = "thread"

    def __init__(self, fn: Any, main: bool = False) -> None:
        self.fn = fn
        self._status = "running" if main else "suspended"
        self.records: list[Any] | None = None
        self.nny = 0
        self.is_main = main
        self.errval: Any = None  # the error a dead coroutine died of (for coroutine.close)
        self.gen: Any = None  # running as a live Python generator (its body's generator form)

    @property
    def status(self) -> str:
        g = self.gen
        if g is not None:
            return "running" if g.gi_running else "suspended"
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        self._status = value

    def __repr__(self) -> str:
        return f"<Coroutine {self.status} 0x{id(self):08x}>"


class CoResumeRecord:
    """coroutine.resume (or wrap) waiting on a coroutine suspended by the host."""

    __slots__ = ("co", "wrap")

    def __init__(self, co: Coroutine, wrap: bool) -> None:
        self.co = co
        self.wrap = wrap

    def cont(self, thunk: Callable[[], Any]) -> Any:
        rv = thunk()  # the host's answer, delivered inside the coroutine
        co = self.co
        try:
            if co.gen is not None:
                return enter_gen(co, rv, self.wrap)
            recs = co.records
            assert recs is not None
            co.records = None
            return enter(co, lambda: run_records(recs, rv), self.wrap)
        except LuaError as e:
            # a wrap function puts its caller's position in front of a string error
            # (auxwrap); that caller is the frame record waiting on this one
            if self.wrap and type(e.value) is bytes:
                e.wrap_where = True
            raise


def run_records(recs: list[Any], rv: Any, i: int = 0) -> Any:
    """Continue a captured stack; recs[i] is outermost; rv goes to the innermost."""
    rec = recs[i]
    if i == len(recs) - 1:
        return rec.cont(_value_thunk(rv))
    return rec.cont(lambda: run_records(recs, rv, i + 1))


def _value_thunk(rv: Any) -> Callable[[], Any]:
    """The innermost continued frame's thunk: the value its suspended call gives
    (debug hooks tell it by its code: that call returns there)."""
    return lambda: rv


VALUE_THUNK_CODE = _value_thunk(None).__code__
# While a debug hook is set, coroutines start in the plain form (no generator):
# a hook sees their calls, returns and lines as lua's does (stdlib/hooks.py).
NO_GEN = [False]


def inner(s: Suspend) -> Any:
    """Used by generator forms (`yield from`): hand a suspension that happened in
    frames below to the coroutine driver, then continue those frames."""
    while True:
        recs = s.records[::-1]  # noqa: F841 - read by gen_records() for snapshots
        s.__traceback__ = None  # (a cycle otherwise: Suspend)
        rv = yield (resume_value(s.values) if s.kind == "yield" else s)
        if not recs:  # suspended by a host function called right here
            return rv
        try:
            return run_records(recs, rv)
        except Suspend as again:
            s = again


def enter(co: Coroutine, body: Callable[[], Any], wrap: bool) -> Any:
    """Run `body` as coroutine `co` until it returns, yields, fails or the host suspends.

    An active coroutine has status "running"; coroutine.status tells the current
    one ("running") from those waiting on a resume they made ("normal")."""
    st = state.current
    prev = st.current
    co.status = "running"
    st.current = co
    st.ccalls += 1
    try:
        try:
            vals = results(body())
        except Suspend as s:
            co.records = s.records[::-1]
            co.status = "suspended"
            if s.kind == "yield":
                s.__traceback__ = None  # (a cycle otherwise: Suspend)
                return (True,) + s.values if not wrap else Ret(s.values)
            s.records = [CoResumeRecord(co, wrap)]
            raise
        except (LuaError, RecursionError, MemoryError, TypeError) as e:
            return _died(co, e, wrap)
        co.status = "dead"
        return Ret(vals) if wrap else (True,) + vals
    finally:
        st.current = prev
        st.ccalls -= 1


def _died(co: Coroutine, e: BaseException, wrap: bool) -> Any:
    co.gen = None
    co.status = "dead"
    err = to_lua_error(e)
    co.errval = err
    if wrap:
        if err is e:
            raise err
        raise err from None
    return (False, err.value)


def enter_gen(co: Coroutine, value: Any, wrap: bool) -> Any:
    """Resume a coroutine that runs as a live generator (send `value` into it)."""
    st = state.current
    prev = st.current
    st.current = co
    st.ccalls += 1
    fin = False
    try:
        out = co.gen.send(value)
    except StopIteration as stop:
        out = stop.value
        fin = True
    except (LuaError, RecursionError, MemoryError, TypeError) as e:
        return _died(co, e, wrap)
    finally:
        st.current = prev
        st.ccalls -= 1
    if fin:
        return gen_done(co, out, wrap)
    return gen_result(co, out, wrap)


def gen_done(co: Coroutine, r: Any, wrap: bool) -> Any:
    """What resume (or a wrap function) returns when the body's generator has
    returned r. Callers that keep the StopIteration clear its traceback first: it
    holds their frame, whose locals hold the exception (a cycle for the GC to
    collect, ~2 µs per finished coroutine)."""
    co.gen = None
    if r.__class__ is Ret:
        if r and r[0] is TAILCALL:
            return enter(co, lambda: r, wrap)  # the body ended in a tail call: run it plainly
        co._status = "dead"
        return r if wrap else (True, *r)
    co._status = "dead"  # (the status property's setter: a call)
    return r if wrap else (True, r)


def gen_result(co: Coroutine, out: Any, wrap: bool) -> Any:
    """What resume (or a wrap function) returns for `out`, the outcome of sending
    into a live generator: a yield of one value (the value itself) or of several
    (a Ret), or a host Suspend from below."""
    c = out.__class__
    co.status = "suspended"
    if c is Suspend:
        host = Suspend("host", out.values)  # a host suspension below: the task stops
        host.records = [CoResumeRecord(co, wrap)]
        raise host
    if c is Ret:
        return out if wrap else (True, *out)
    return out if wrap else (True, out)


def resume_value(args: tuple) -> Any:
    """Values as a call returns them: one as itself, else a Ret. Resume passes its
    arguments so to the yield (whose result is a call's); generator forms yield so."""
    return args[0] if len(args) == 1 else args


def gen_records(co: Coroutine) -> list[Any]:
    """The stack of a generator-mode coroutine as frame records (for snapshots,
    coroutine.close): the generator frame itself plus what waits below it."""
    g = co.gen
    f = g.gi_frame
    ci = CODE_INFO[f.f_code]
    entry = ci.lines.get(f.f_lineno)
    rp = entry[1] if entry else -1
    if rp < 0:
        raise RuntimeError("luavm: coroutine generator suspended outside a resume point")
    loc = f.f_locals
    recs: list[Any] = [FrameRecord(co.fn, rp, saved_locals(ci.names, loc))]
    below = g.gi_yieldfrom
    if below is not None:
        recs.extend(below.gi_frame.f_locals["recs"])
    return recs


def _gen_form(fn: Any, args: tuple) -> Any:
    """A fresh generator running Lua closure fn as a coroutine body, or None.

    The forms are cached in the chunk's namespace (so they go with the chunk), by
    id(code): hashing a code object hashes its bytecode and constants (~0.5 µs);
    the entry holds the code, so its id stays its own. No `*args` call for none
    or one argument: it costs ~60 ns of a ~300 ns start."""
    if NO_GEN[0]:
        return None
    try:
        forms = fn.__globals__["_GEN_FORMS"]
    except (AttributeError, KeyError):
        return None  # not a Lua function
    code = fn.__code__
    entry = forms.get(id(code))
    if entry is None:
        entry = forms[id(code)] = (code, _gen_function(code))
    gf = entry[1]
    if gf is None:
        return None
    n = len(args)
    return gf(fn, args[0]) if n == 1 else gf(fn) if n == 0 else gf(fn, *args)


def _gen_function(code: Any) -> Any:
    ci = CODE_INFO.get(code)
    if ci is None:
        return None
    # None when there is no generator form (too deep for Python): the regular form runs it
    return ci.chunk.gen_function(ci, code.co_freevars)


def resume(co: Coroutine, args: tuple, wrap: bool = False) -> Any:
    if co.status != "suspended":
        if co.status == "dead":
            msg = b"cannot resume dead coroutine"
        else:
            msg = b"cannot resume non-suspended coroutine"
        if wrap:
            raise LuaError(msg)  # coroutine.wrap adds the position (auxwrap)
        return (False, msg)
    if state.current.ccalls >= C_LIMIT:
        if wrap:
            raise LuaError(b"C stack overflow")
        return (False, b"C stack overflow")
    if co.gen is not None:
        return enter_gen(co, resume_value(args), wrap)
    recs = co.records
    if recs is None:
        fn = co.fn
        gen = _gen_form(fn, args)
        if gen is not None:
            co.gen = gen
            return enter_gen(co, None, wrap)
        return enter(co, lambda: call(fn, *args), wrap)
    co.records = None
    return enter(co, lambda: run_records(recs, resume_value(args)), wrap)


def yield_(*args: Any) -> Any:
    co = state.current.current
    # raised "inside" the C function yield: Lua gives these no position
    if co.is_main:
        raise LuaError(b"attempt to yield from outside a coroutine")
    if co.nny > 0:
        raise LuaError(b"attempt to yield across a C-call boundary")
    raise Suspend("yield", args)


def host_suspend(request: Any) -> Any:
    """Suspend the whole task: every coroutine on the way must be able to yield.
    Those are the current one and, for each switch into a coroutine on the Python
    stack (a boundary frame), the one that made it (its local `prev`)."""
    st = state.current
    cos = [st.current]
    f: FrameType | None = sys._getframe(1)
    while f is not None:
        if f.f_code in BOUNDARY_CODES:
            prev = f.f_locals.get("prev")
            if prev is not None:
                cos.append(prev)
        f = f.f_back
    del f
    if any(co.nny > 0 for co in cos):
        raise LuaError(b"attempt to yield across a C-call boundary")
    if st is None or not st.task_active:
        raise rt_error("attempt to suspend outside a task")
    raise Suspend("host", request)


__all__ = ["Coroutine", "Suspend", "FrameRecord", "PcallRecord", "NORET", "resume", "yield_"]


_PROTECTED_CODE = protected.__code__
# Code of the functions that switch into a coroutine (lcoroutine adds its inlined
# fast paths): a frame of one is a boundary for walks looking for a protected call.
BOUNDARY_CODES = frames.BOUNDARY_CODES
BOUNDARY_CODES.update({enter.__code__, enter_gen.__code__})
