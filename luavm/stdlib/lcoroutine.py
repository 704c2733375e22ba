"""The coroutine library, on the capture/resume machinery of runtime.coroutine."""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import FunctionType
from typing import Any

from ..runtime import coroutine as C
from ..runtime import ops, state
from ..runtime.args import NOVALUE, arg_error, check_func, type_error
from ..runtime.coroutine import Coroutine, Suspend
from ..runtime.frames import runtime_position
from ..runtime.loader import register
from ..runtime.ops import C_LIMIT
from ..runtime.values import NORET, LuaError, LuaTable, Ret, lua_bytes, rt_error


def _check_co(co: Any, n: int, fname: str) -> C.Coroutine:
    if type(co) is not C.Coroutine:
        raise type_error(n, fname, "thread", co)
    return co


# What a switch into a live generator sees when the generator is running (or
# waiting on one it resumed): `send` raises ValueError, tested for only then
_RUNNING = StopIteration()


def co_create(f: Any = NOVALUE, *_: Any) -> C.Coroutine:
    if f.__class__ is not FunctionType:
        check_func(f, 1, "create")
    return C.Coroutine(f)


def co_resume(co: Any = NOVALUE, *args: Any) -> Any:
    if co.__class__ is not Coroutine:
        co = _check_co(co, 1, "resume")
    st = state.current
    gen = co.gen
    if gen is not None and st.ccalls < C_LIMIT - 1:
        value = args[0] if len(args) == 1 else args  # (none: args is NORET, the empty tuple)
    elif (gen is None and co._status == "suspended" and co.records is None and st.ccalls < C_LIMIT - 1
          and (gen := C._gen_form(co.fn, args)) is not None):
        co.gen = gen  # a first resume whose body has a generator form starts it here too
        value = None
    else:
        return _resume(co, args, st)
    # The common case, inlined (a switch is mostly call overhead): a live
    # generator, two C levels (coroutine.resume's and lua_resume's) as in _resume.
    # Its status is its generator's (runtime/coroutine.py): nothing to write.
    prev = st.current
    st.current = co
    st.ccalls += 2
    try:
        out = gen.send(value)
    except StopIteration as stop:
        out = stop
        stop.__traceback__ = None  # it held this frame, whose locals hold it: a cycle
    except (LuaError, RecursionError, MemoryError, TypeError) as e:
        return C._died(co, e, False)
    except ValueError:
        if not gen.gi_running:
            raise
        out = _RUNNING
    finally:
        st.current = prev
        st.ccalls -= 2
    c = out.__class__
    if c is Ret or c is StopIteration or c is Suspend:
        if c is StopIteration:
            if out is _RUNNING:
                return _resume(co, args, st)
            return C.gen_done(co, out.value, False)
        return C.gen_result(co, out, False)
    return (True, out)  # yielded one value


def _resume(co: C.Coroutine, args: tuple, st: state.LuaState) -> Any:
    """coroutine.resume in general: every check, any kind of coroutine."""
    if st.ccalls >= C_LIMIT:  # lua_resume's own check: the coroutine stays as it is
        return (False, b"C stack overflow")
    st.ccalls += 1
    try:
        return C.resume(co, args, False)
    finally:
        st.ccalls -= 1


def co_yield(*args: Any) -> Any:
    return C.yield_(*args)


def co_status(co: Any = NOVALUE, *_: Any) -> bytes:
    if co.__class__ is not Coroutine:
        co = _check_co(co, 1, "status")
    if co is state.current.current:
        return b"running"
    g = co.gen  # (Coroutine.status, inline)
    if g is not None:
        return b"normal" if g.gi_running else b"suspended"
    return _STATUS[co._status]  # "running" but not current: waiting on one it resumed


_STATUS = {"suspended": b"suspended", "dead": b"dead", "running": b"normal"}


def co_running(*_: Any) -> Any:
    co = state.current.current
    return (co, co.is_main)


def co_isyieldable(co: Any = NOVALUE, *_: Any) -> bool:
    c = state.current.current if co is NOVALUE else _check_co(co, 1, "isyieldable")  # nil is an error
    return not c.is_main and c.nny == 0


def co_close(co: Any = NOVALUE, *_: Any) -> Any:
    co = _check_co(co, 1, "close")
    if co.status in ("suspended", "dead"):
        if co.gen is not None:  # a live generator: take its stack as records first
            co.records = C.gen_records(co)
            co.gen = None
            co.status = "suspended"
        err = None
        if co.status == "suspended" and co.records:
            # the closing methods run in the coroutine (lua_closethread)
            st = state.current
            prev = st.current
            co.status = "running"
            prev.status = "normal"
            st.current = co
            try:
                err = close_pending(co)
            finally:
                st.current = prev
                prev.status = "running"
        elif co.status == "dead" and co.errval is not None:
            err = co.errval
        co.status = "dead"
        co.records = None
        co.errval = None
        if err is not None:
            return (False, err.value)
        return True
    raise rt_error(f"cannot close a {'running' if co is state.current.current else 'normal'} coroutine")


def close_pending(co: C.Coroutine) -> LuaError | None:
    """Run the `__close` of every to-be-closed variable still open in a suspended
    coroutine, innermost first; returns the last error raised by one of them."""
    from ..runtime.frames import CODE_INFO
    from ..runtime.loader import _close_error

    err: LuaError | None = None
    for rec in reversed(co.records or []):
        if not isinstance(rec, C.FrameRecord):
            continue
        proto = CODE_INFO[rec.fn.__code__].proto
        chain = _tries_around(proto.body, proto.resume_points[rec.rp], []) or []  # outermost first
        for tr in reversed(chain):
            if rec.locals.get(tr.flag):
                v = rec.locals.get(tr.var)
                try:
                    if err is None:
                        ops.call_noyield(ops.call_tm, ops.metafield(v, b"__close"), b"__close", v, None)
                    else:
                        _close_error(v, err)
                except LuaError as e:
                    err = e
    return err


def _tries_around(stmts: list, target: Any, path: list) -> list | None:
    """The to-be-closed blocks (IR Try nodes) enclosing `target`, outermost first."""
    from ..compiler.ir import If, Loop, Try

    for s in stmts:
        if s is target:
            return path
        found = None
        if isinstance(s, If):
            found = _tries_around(s.body, target, path)
            if found is None:
                found = _tries_around(s.orelse, target, path)
        elif isinstance(s, Loop):
            found = _tries_around(s.body, target, path)
        elif isinstance(s, Try):
            found = _tries_around(s.body, target, path + [s])
        if found is not None:
            return found
    return None


def wrap_function(co: C.Coroutine) -> Callable[..., Any]:
    """What coroutine.wrap returns: a function that resumes `co`. A closure rather
    than an object with __call__: a call is ~20 ns cheaper, and a wrap runs per value."""

    def wrapped(*args: Any) -> Any:
        gen = co.gen
        st = state.current
        try:
            if gen is not None and st.ccalls < C_LIMIT:
                value = args[0] if len(args) == 1 else args  # (none: args is NORET, the empty tuple)
            elif (gen is None and co._status == "suspended" and co.records is None and st.ccalls < C_LIMIT
                  and (gen := C._gen_form(co.fn, args)) is not None):
                co.gen = gen  # a first call starts the generator form here too
                value = None
            else:
                return C.resume(co, args, True)  # counts the C level, refuses past the limit
            # the common case, inlined as in co_resume (one C level: lua_resume's)
            prev = st.current
            st.current = co
            st.ccalls += 1
            try:
                out = gen.send(value)
            except StopIteration as stop:
                out = stop
                stop.__traceback__ = None  # it held this frame, whose locals hold it: a cycle
            except (LuaError, RecursionError, MemoryError, TypeError) as e:
                return C._died(co, e, True)
            except ValueError:
                if not gen.gi_running:
                    raise
                out = _RUNNING  # it runs (or waits on one it resumed): not resumable
            finally:
                st.current = prev
                st.ccalls -= 1
            c = out.__class__
            if c is Ret or c is StopIteration or c is Suspend:
                if c is StopIteration:
                    if out is _RUNNING:
                        return C.resume(co, args, True)
                    return C.gen_done(co, out.value, True)
                return C.gen_result(co, out, True)
            return out  # yielded one value
        except LuaError as e:
            if type(e.value) is bytes and not getattr(e, "wrapped", False):
                prefix, _ = runtime_position(sys._getframe(0))
                e.value = lua_bytes(prefix) + e.value
            raise

    return wrapped


WRAP_CODE = wrap_function(None).__code__  # type: ignore[arg-type]  # every wrap function's code
assert WRAP_CODE.co_freevars == ("co",)


def wrapped_coroutine(f: Any) -> C.Coroutine | None:
    """The coroutine a function made by coroutine.wrap resumes (None for any other value)."""
    if f.__class__ is FunctionType and f.__code__ is WRAP_CODE:
        cells: Any = f.__closure__  # (WRAP_CODE has one free variable: `co`)
        return cells[0].cell_contents
    return None


# co_resume and wrap functions switch into coroutines themselves: a frame of theirs
# is a coroutine boundary for the walks that look for the protected call in force
C.BOUNDARY_CODES.update({co_resume.__code__, WRAP_CODE})


def co_wrap(f: Any = NOVALUE, *_: Any) -> Callable[..., Any]:
    if f.__class__ is not FunctionType:  # a Python function (Lua or builtin) is a function
        check_func(f, 1, "wrap")
    return wrap_function(C.Coroutine(f))


def open(st: state.LuaState) -> LuaTable:
    t = LuaTable()
    for name, fn in (("create", co_create), ("resume", co_resume), ("yield", co_yield),
                     ("status", co_status), ("running", co_running), ("wrap", co_wrap),
                     ("isyieldable", co_isyieldable), ("close", co_close)):
        t.set(name.encode(), fn)
    return t


__all__ = ["open", "wrap_function", "wrapped_coroutine", "NORET", "arg_error"]


# generated code calls these by name (runtime/loader.py `register`)
register(_YIELD=co_yield, _CSTATUS=co_status)
