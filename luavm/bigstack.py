"""The threads Lua runs on: a big C stack and a high recursion limit.

Concept. Lua allows about 200,000 nested calls. luavm's Lua functions are Python
functions, whose nesting Python bounds with its recursion limit and, below that,
the thread's C stack (8 MiB for an ordinary thread, which deep recursion through
builtins overflows long before 200,000 levels: the process dies). So Lua runs on
*big-stack threads*: a 1 GiB stack (address space: only the pages used are
committed) and a recursion limit of RECURSION_LIMIT, where deep recursion ends in
Lua's "stack overflow" error, as in lua5.4.

Two ways onto one:
- `run_with_big_stack(fn)` runs `fn` on a new big-stack thread and waits: for
  long-lived work that runs Lua many times (the `luavm` command, wippy's event loop);
- `on_big_stack(fn, *args)`, used by every entry of LuaRuntime (execute, call,
  Task.run, ...) and by calls of a LuaFunction: runs `fn` right there on a
  big-stack thread, else hands it to a pooled big-stack worker and waits. So an
  embedder calling from any thread gets the command's depth, doing nothing.

Invariants. `fn` runs in a copy of the caller's `contextvars` context (what an
asyncio or Temporal worker keeps there stays visible to host functions); what it
returns or raises (a Lua error, a task's suspension) comes back to the caller as
if it had run there. A caller interrupted while waiting (KeyboardInterrupt) has
the same exception raised in the worker, then waits for the worker to stop.
CPython's recursion limit is one per process: it is RECURSION_LIMIT while some
big-stack thread runs and back to the embedder's own once none does.

Costs. From a big-stack thread: one `threading.current_thread()` (~0.1 µs). From
another: a hand-off to a parked worker and back, ~20-40 µs; the pool holds one
worker per thread that ever called at the same time (daemon threads, idle ones
parked on a lock).
"""

from __future__ import annotations

import contextvars
import gc
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

RECURSION_LIMIT = 200_000  # Python frames; Lua's own limit is ~200000 C/Lua levels
STACK_SIZE = 1 << 30  # bytes of C stack for a thread that runs Lua
GC_YOUNG = 50_000  # young-generation threshold of the cyclic GC while Lua runs

T = TypeVar("T")


class BigStackThread(threading.Thread):
    """A thread with STACK_SIZE bytes of stack (the type marks it)."""


def on_a_big_stack() -> bool:
    """Whether the calling thread is a big-stack thread."""
    return isinstance(threading.current_thread(), BigStackThread)


# ------------------------------------------------------------- recursion limit

_LOCK = threading.Lock()
_DEEP = [0, 0]  # big-stack threads running; the recursion limit before the first


def _enter_deep() -> None:
    with _LOCK:
        if _DEEP[0] == 0:
            _DEEP[1] = sys.getrecursionlimit()
            if _DEEP[1] < RECURSION_LIMIT:
                sys.setrecursionlimit(RECURSION_LIMIT)
        _DEEP[0] += 1


def _leave_deep() -> None:
    with _LOCK:
        _DEEP[0] -= 1
        if _DEEP[0] == 0 and sys.getrecursionlimit() == RECURSION_LIMIT and _DEEP[1] < RECURSION_LIMIT:
            sys.setrecursionlimit(_DEEP[1])


def _start(t: threading.Thread) -> None:
    with _LOCK:
        old = threading.stack_size()
        threading.stack_size(STACK_SIZE)
        try:
            t.start()  # the stack size applies when the OS thread is created
        finally:
            threading.stack_size(old)


def relax_gc() -> tuple[int, int, int]:
    """Lua programs allocate many small tables; Python's default young-generation
    threshold (700) makes the cyclic collector run constantly (measured: half the
    time of binary-trees). Returns the thresholds to restore."""
    before = gc.get_threshold()
    if before[0] < GC_YOUNG:
        gc.set_threshold(GC_YOUNG, before[1], before[2])
    return before


# ------------------------------------------------------------- a thread per call


def run_with_big_stack(fn: Callable[[], T]) -> T:
    """Run `fn` on a new big-stack thread and return its result (or raise its
    exception): deep Lua recursion inside ends in Lua's 'stack overflow' error
    rather than crashing the interpreter. For long-lived work; a single call of
    Lua needs nothing (see on_big_stack)."""
    result: list[Any] = []
    error: list[BaseException] = []

    def target() -> None:
        _enter_deep()
        relax_gc()
        try:
            result.append(fn())
        except BaseException as e:  # noqa: BLE001 - handed to the calling thread
            error.append(e)
        finally:
            _leave_deep()

    t = BigStackThread(target=target, name="lua")
    _start(t)
    t.join()
    if error:
        try:
            raise error[0]
        finally:
            error.clear()  # (no cycle through this frame: see on_big_stack)
    return result[0] if result else None  # type: ignore[return-value]


# ------------------------------------------------------------- pooled workers


class _Worker(BigStackThread):
    """A pooled big-stack thread: runs one job at a time, parks in between."""

    def __init__(self) -> None:
        super().__init__(name="luavm-worker", daemon=True)
        self.go = threading.Lock()
        self.go.acquire()
        self.done = threading.Lock()
        self.done.acquire()
        self.job: tuple[contextvars.Context, Callable[..., Any], tuple[Any, ...]] | None = None
        self.ok = False
        self.out: Any = None

    def run(self) -> None:
        try:
            while True:
                self.go.acquire()
                self._one()
        except BaseException:  # noqa: BLE001, S110 - an interruption that came after its job ended
            pass  # the worker ends (an interrupted worker is not reused)

    def _one(self) -> None:
        job = self.job
        assert job is not None
        ctx, fn, args = job
        _enter_deep()
        try:
            try:
                self.out, self.ok = ctx.run(fn, *args), True
            except BaseException as e:  # noqa: BLE001 - handed to the calling thread
                self.out, self.ok = e, False
        finally:
            _leave_deep()
            self.job = None
            self.done.release()


_IDLE: list[_Worker] = []


def on_big_stack(fn: Callable[..., T], *args: Any) -> T:
    """`fn(*args)` on a big-stack thread: this one if it is one, else a pooled
    worker while the caller waits (see the module docstring). Returns what `fn`
    returns; raises what it raises."""
    if isinstance(threading.current_thread(), BigStackThread):
        return fn(*args)
    try:
        w = _IDLE.pop()
    except IndexError:
        w = _Worker()
        _start(w)
    w.job = (contextvars.copy_context(), fn, args)
    w.go.release()
    try:
        w.done.acquire()
    except BaseException as e:  # interrupted while Lua runs: stop it too, then go on
        _interrupt(w, type(e))
        while not w.done.acquire(timeout=0.05) and w.is_alive():
            pass
        raise
    _IDLE.append(w)
    out = w.out
    w.out = None
    if w.ok:
        return out  # type: ignore[no-any-return]
    try:
        raise out
    finally:
        # this frame, now in the traceback, must not hold the error: the cycle would
        # keep every Lua frame of the failed run (and what its locals hold) alive
        # until the cyclic collector ran
        del out


def _interrupt(w: threading.Thread, exc: type[BaseException]) -> None:
    """Raise `exc` in thread `w` at its next bytecode."""
    import ctypes  # (only here: ~10 ms of the command's start-up otherwise)

    if w.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(w.ident), ctypes.py_object(exc))


__all__ = ["BigStackThread", "RECURSION_LIMIT", "STACK_SIZE", "on_a_big_stack", "on_big_stack", "relax_gc",
           "run_with_big_stack"]
