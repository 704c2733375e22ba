"""debug.sethook / debug.gethook (host access only): call, return and line hooks.

A Lua function runs as a Python function, so Python's tracing (sys.settrace)
sees what a hook needs: a frame of a Lua function or of a builtin starting
('call'), ending ('return'), and each Python line of a Lua function, mapped
to its Lua line ('line': when the Lua line changes, or a loop jumps back).
Tracing costs a lot, so it is on only while some coroutine has a hook; a
program without hooks runs as before.

What is not Lua's event is dropped: frames of luavm's own helpers; a frame
unwound by a suspension (a yield or a host call: for Lua it has not returned)
and the re-entry of a frame continued after one (it has not been called
again); the entry lines of a function (its header, restoring its locals).
When a coroutine continues, the builtin it was suspended in (coroutine.yield,
a host function) returns: that return is the continued innermost frame's
first event. While a hook is set, coroutines start in the plain form (not as
Python generators), whose calls and returns are all visible.

Hooks are per coroutine (lua's are per thread). While a hook runs no hook
runs (Python does not trace its own trace function). The count hook is
accepted and never called.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

from ..runtime import coroutine as C
from ..runtime import ops, state
from ..runtime.args import NOVALUE, opt_int, opt_str, type_error
from ..runtime.frames import BUILTINS, CODE_INFO
from ..runtime.values import NORET, type_name

_HOOKS: weakref.WeakKeyDictionary[Any, tuple[Any, bytes, int]] = weakref.WeakKeyDictionary()
_LAST: dict[int, Any] = {}  # id(frame) -> the Lua line of its last line event (None: resumed, not there yet)
_UNWOUND: set[int] = set()  # id(frame) of frames an exception is unwinding
_GENERATOR = 0x20  # CO_GENERATOR
_NO_LINE = frozenset({"entry", "handler"})  # ops of a function's entry and exception handlers


def db_sethook(*args: Any) -> Any:
    a = list(args)
    co = state.current.current
    if a and type(a[0]) is C.Coroutine:
        co = a.pop(0)
    hook = a[0] if a else None
    if hook is None or hook is NOVALUE:
        _HOOKS.pop(co, None)
    else:
        if type_name(hook) != "function":
            raise type_error(1, "sethook", "function", hook)
        mask = opt_str(a[1] if len(a) > 1 else NOVALUE, 2, "sethook", b"")
        count = opt_int(a[2] if len(a) > 2 else None, 3, "sethook", 0)
        if not mask and count <= 0:
            _HOOKS.pop(co, None)
        else:
            _HOOKS[co] = (hook, mask, count)
    _switch()
    return NORET


def db_gethook(*args: Any) -> Any:
    co = args[0] if args and type(args[0]) is C.Coroutine else state.current.current
    h = _HOOKS.get(co)
    if h is None:
        return None
    return (h[0], h[1], h[2])


def _switch() -> None:
    """Tracing on while some hook is set (also in the frames already running)."""
    on = len(_HOOKS) > 0
    C.NO_GEN[0] = on
    if on and sys.gettrace() is not _trace:
        sys.settrace(_trace)
        f: Any = sys._getframe(1)
        while f is not None:
            if f.f_code in CODE_INFO or f.f_code in BUILTINS:  # (sethook's own frame: it returns)
                f.f_trace = _local
                _LAST.setdefault(id(f), _lua_line(f))  # (no line event for the line it is on)
            f = f.f_back
    elif not on and sys.gettrace() is _trace:
        sys.settrace(None)
        f = sys._getframe(1)
        while f is not None:
            if f.f_trace is _local:
                f.f_trace = None
            f = f.f_back
        _LAST.clear()
        _UNWOUND.clear()


def _lua_line(f: Any) -> Any:
    ci = CODE_INFO.get(f.f_code)
    entry = ci.lines.get(f.f_lineno) if ci is not None else None
    op = entry[0] if entry else None
    return None if op is None or op.kind in _NO_LINE else op.line


def _fire(event: bytes, line: Any = None) -> None:
    h = _HOOKS.get(state.current.current)
    if h is None:
        return
    if event == b"line":
        if b"l" not in h[1]:
            return
    elif event[0:1] not in h[1]:
        return
    if line is not None:
        ops.call(h[0], event, line)
    else:
        ops.call(h[0], event)


def _trace(frame: Any, event: str, arg: Any) -> Any:
    """The global trace function: a frame starts."""
    if event != "call" or not _HOOKS:
        return None
    code = frame.f_code
    if code in CODE_INFO:
        if code.co_flags & _GENERATOR:  # a coroutine body's generator form, started before the hook
            return _local
        if code.co_varnames[:3] == ("_self", "_L", "_th"):  # continued after a suspension
            _LAST[id(frame)] = None
            th = frame.f_locals.get("_th")
            if getattr(th, "__code__", None) is C.VALUE_THUNK_CODE:
                _fire(b"return")  # the builtin it was suspended in returns
        else:
            _LAST[id(frame)] = None
            _fire(b"call")
        return _local
    if code in BUILTINS:
        _fire(b"call")
        return _local
    return None


def _local(frame: Any, event: str, arg: Any) -> Any:
    """The trace function of a Lua or builtin frame."""
    fid = id(frame)
    if event == "line":
        if frame.f_code not in CODE_INFO:
            return _local
        ci = CODE_INFO[frame.f_code]
        entry = ci.lines.get(frame.f_lineno)
        op = entry[0] if entry else None
        if op is None or op.kind in _NO_LINE:
            return _local
        last = _LAST.get(fid, 0)
        if last is None and frame.f_code.co_varnames[:3] == ("_self", "_L", "_th"):
            _LAST[fid] = op.line  # a continued frame, back on the line of its call
            return _local
        back = frame.f_lineno < _LAST.get(~fid, 0)  # a loop jumped back
        _LAST[~fid] = frame.f_lineno
        if op.line != last or back:
            _LAST[fid] = op.line
            _fire(b"line", op.line)
    elif event == "exception":
        _UNWOUND.add(fid)
    elif event == "return":
        _LAST.pop(fid, None)
        _LAST.pop(~fid, None)
        unwound = fid in _UNWOUND
        _UNWOUND.discard(fid)
        # unwound by a suspension or an error (lua calls no return hook for either):
        # an exception passed and no value comes back (a frame that handled one
        # and returns nil is taken for unwound too)
        if not (unwound and arg is None) and not frame.f_code.co_flags & _GENERATOR:
            _fire(b"return")
    return _local
