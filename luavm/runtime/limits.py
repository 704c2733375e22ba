"""Resource limits for untrusted Lua: a step budget, a deadline, memory.

Steps. Code compiled for a limited runtime counts one step at every entry of
a function that calls something, every loop iteration and every 32 statements
of straight-line code; builtins that do bulk work charge more (about one step
per 256 bytes they build or per element they move, per call of a Lua function
they make over and over; see `charge`/`alloc`). A step is `if not _tk(): _refill()`
where `_tk` is the `pop` of TOKENS, a list holding a `False` sentinel under the
`True`s of the current slice: one C call (~12 ns; a counter in a list cell costs
~5x that). When the sentinel comes out, `refill()` charges the slice to the
running state's budget, checks the limits and refills. Code compiled without
limits contains no counting at all.

Once a limit has tripped during a run step, it stays tripped until the host
starts the next step: every following refill raises the same error again (the
slice is then empty, so that is the very next function entry or loop
iteration). A `pcall` can catch the error and see the message, but Lua cannot
run on: `while true do pcall(function() while true do end end) end` ends, and
the host always regains control.

Preemption. `preempt_every` (steps) lets a host share one thread fairly
between tasks: once a task's run step has used that many steps, the running
Task suspends itself with the request `PREEMPT` at the next place where luavm
can continue it, and `task.run()` goes on from there. A suspension needs a
resume point: a step tick (a loop back-edge, the entry of a function that calls
something) is one in code compiled for limits (compiler/codegen.py `tick`), and
the entry of the next Lua function is another (nothing of that function has
run yet, so its caller, suspended at its call site, is continued by calling it
again with the same arguments: `CallAgain`). Everything a host suspension
requires must hold there too (no C-call boundary on the way, every Lua frame
below at a resume point); where it does not, the next steps are probed (PROBES
of them, one refill each), then the task runs 1, 2, 4 … up to MAX_BACKOFF full
slices before probing again. So `while true do end` is preempted at its
back-edge; a loop inside a builtin that calls back (table.sort's comparator)
or below a C-call boundary is not, and only `timeout`/`max_instructions` stop
it. A task stopped so holds a `CallAgain`
record, which snapshots do not support: preempted tasks are for hosts that
keep them in memory (wippy's processes). Cost: zero without `preempt_every`;
with it, one comparison per slice, plus a frame walk (~µs) per preemption.

Memory. `max_memory` bounds how much the process grows while a step runs:
the resident set size is read (one `pread` of /proc/self/statm, ~3 us) every
MEM_EVERY slices and after every large allocation, against the size at the
start of the step; over the limit, a full garbage collection runs and the size
is read again before `not enough memory` is raised. Every single string is
refused *before* it is built when larger than `max_string` (default:
`max_memory`). Caveats: the measure is process-wide (other threads count),
and memory that Lua keeps referenced across steps is part of the next step's
baseline.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from inspect import CO_GENERATOR
from types import CodeType
from typing import Any

from ..errors import LuaLimitError
from . import state
from .frames import CODE_INFO

SLICE = 1000  # steps between two checks of the budget and the clock
MEM_EVERY = 4  # slices between two reads of the process size
NOLIMIT = 1 << 62
TOKENS: list[bool] = [False]  # the steps left in the current slice, over a False sentinel
POP = TOKENS.pop  # a step: `if not POP(): refill()`; TOKENS is never replaced, only changed
_FILL = [True] * SLICE
_UNLIMITED = [True] * 65536  # a state without limits: refilled rarely, never checked
MAXSTR = [NOLIMIT]  # the largest string the running state may build, in bytes
CHARGE_SHIFT = 8  # builtins charge one step per 2**CHARGE_SHIFT bytes they build


MESSAGES = {
    "instructions": b"instruction limit exceeded",
    "time": b"time limit exceeded",
    "memory": b"not enough memory",
}


class Limits:
    """What a runtime allows per execute/eval/call/task.run step; None means unlimited."""

    def __init__(self, max_instructions: int | None = None, timeout: float | None = None,
                 max_memory: int | None = None, max_string: int | None = None,
                 preempt_every: int | None = None) -> None:
        for name, v in (("max_instructions", max_instructions), ("timeout", timeout),
                        ("max_memory", max_memory), ("max_string", max_string),
                        ("preempt_every", preempt_every)):
            if v is not None and not v > 0:
                raise ValueError(f"{name} must be positive, not {v!r}")
        self.max_instructions = int(max_instructions) if max_instructions is not None else None
        self.timeout = float(timeout) if timeout is not None else None
        self.max_memory = int(max_memory) if max_memory is not None else None
        caps = [int(c) for c in (max_string, max_memory) if c is not None]
        self.max_string = min(caps) if caps else NOLIMIT
        self.used = 0  # steps charged so far in this step
        self.grant = 0  # steps handed out at the last refill
        self.deadline: float | None = None  # set at the start of each step
        self.tripped: str | None = None  # the kind of limit that stopped this step
        self.mem_base = 0  # process size at the start of the step
        self.mem_tick = MEM_EVERY
        self.mem_collected = 0  # process size after the last emergency collection
        self.preempt_every = int(preempt_every) if preempt_every is not None else None
        self.probes = 0  # failed preemption attempts in a row (see refill)
        self.backoff = 0  # slices skipped after the last failed round of probes
        self.skip = 0  # slices still to skip before probing again
        self.preemptions = 0  # how many times tasks of this state were preempted

    @property
    def counting(self) -> bool:
        """Whether code must be compiled with step counting (always, for any limit)."""
        return True

    def start(self) -> None:
        """A new execute/eval/call/task.run step begins: budget, clock and memory
        baseline are per step, and a limit tripped in an earlier step is forgotten."""
        self.used = 0
        self.grant = 0
        self.tripped = None
        self.probes = self.backoff = self.skip = 0
        self.deadline = time.monotonic() + self.timeout if self.timeout is not None else None
        if self.max_memory is not None:
            self.mem_base = rss()
            self.mem_tick = MEM_EVERY
            self.mem_collected = 0
        TOKENS.clear()
        TOKENS.append(False)
        MAXSTR[0] = self.max_string

    def error(self) -> LuaLimitError:
        assert self.tripped is not None
        return LuaLimitError(MESSAGES[self.tripped], self.tripped)

    def trip(self, kind: str) -> LuaLimitError:
        """Stop the step: this error now comes back at every refill (the slice
        stays empty, so that is the next step)."""
        self.tripped = kind
        return self.error()

    def memory_used(self) -> int:
        return rss() - self.mem_base

    def over_memory(self) -> bool:
        """Process growth over the limit, after an emergency collection (run at most
        once per eighth of the limit the process grows by)."""
        assert self.max_memory is not None
        size = rss()
        if size - self.mem_base <= self.max_memory:
            return False
        if self.mem_collected and size - self.mem_collected < self.max_memory // 8:
            return False
        gc.collect()
        _trim()
        size = rss()
        self.mem_collected = size
        return size - self.mem_base > self.max_memory

    def check(self) -> None:
        """Check everything but the step count (raises the limit's error)."""
        if self.tripped is not None:
            raise self.error()
        if self.max_instructions is not None and self.used > self.max_instructions:
            raise self.trip("instructions")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.trip("time")
        if self.max_memory is not None:
            self.mem_tick -= 1
            if self.mem_tick <= 0:
                self.mem_tick = MEM_EVERY
                if self.over_memory():
                    raise self.trip("memory")


def _settle(lim: Any, extra: int) -> None:
    """Charge lim with what was used of its slice (plus extra); empty TOKENS."""
    n = len(TOKENS)
    lim.used += lim.grant - (n - 1 if n else -1) + extra  # n == 0: the sentinel came out too
    lim.grant = 0
    TOKENS.clear()


def refill(extra: int = 0) -> None:
    """The current slice is spent (or a builtin charged more than is left): charge
    it, check the limits, grant the next."""
    st = state.current
    lim = st.limits if st is not None else None
    if lim is None:
        TOKENS.clear()
        TOKENS.append(False)
        TOKENS.extend(_UNLIMITED)
        return
    _settle(lim, extra)
    TOKENS.append(False)  # first: if a check raises, the very next step refills (and raises) again
    lim.check()
    g = SLICE
    if lim.preempt_every is not None and lim.used >= lim.preempt_every and extra == 0:
        if lim.skip > 0:
            lim.skip -= 1  # probing failed lately: full slices for a while
        else:
            if state.current.task_active and try_preempt(lim, sys._getframe(1)):
                raise preemption(lim)
            lim.probes += 1
            if lim.probes <= PROBES:
                g = 0  # not here: the very next step refills (and tries) again
            else:  # a stretch without calls: probe again after 1, 2, 4 ... 64 full slices
                lim.probes = 0
                lim.backoff = min(lim.backoff * 2, MAX_BACKOFF) if lim.backoff else 1
                lim.skip = lim.backoff
    if lim.max_instructions is not None and lim.max_instructions - lim.used < g:
        g = lim.max_instructions - lim.used  # so that the limit is exact
    TOKENS.extend(_FILL if g == SLICE else _FILL[:g])
    lim.grant = g


def charge(n: int) -> None:
    """A builtin did n steps' worth of bulk work."""
    k = len(TOKENS) - 1  # steps left in the slice
    if 0 < n <= k:
        del TOKENS[k + 1 - n:]
    elif n > 0:
        refill(n)  # the rest of the slice is used up, and n - k more


def too_large() -> LuaLimitError:
    """The error for a string over the cap (nothing is consumed: not sticky)."""
    return LuaLimitError(b"not enough memory", "memory")


def alloc(nbytes: int) -> None:
    """A builtin is about to build a string of nbytes: refuse it over the running
    state's string cap (before anything is allocated), else charge it."""
    if nbytes > MAXSTR[0]:
        raise too_large()
    n = nbytes >> CHARGE_SHIFT
    if n:
        if n >= 4096:  # a megabyte or more: look at the process size soon
            lim = state.current.limits if state.current is not None else None
            if lim is not None:
                lim.mem_tick = 0
        charge(n)


def poll() -> None:
    """Long host-side work (compiling a chunk) checks the clock and memory now
    and then without counting steps."""
    lim = state.current.limits if state.current is not None else None
    if lim is not None:
        lim.check()


def switch(prev: Any, new: Any) -> None:
    """`state.activate` changes the running state: settle the slice of the
    previous one, let the next step of code refill from the new one."""
    lim = prev.limits if prev is not None else None
    if lim is not None:
        _settle(lim, 0)
    TOKENS.clear()
    TOKENS.append(False)
    lim = new.limits if new is not None else None
    MAXSTR[0] = lim.max_string if lim is not None else NOLIMIT


# ------------------------------------------------------------ preemption

PROBES = 8  # steps probed one by one for a place to preempt, before a full slice
MAX_BACKOFF = 64  # at most this many full slices between two rounds of probes
PREEMPT = "luavm.preempt"  # the request of a Task that suspended itself (Task.preempted)
_TICK = "if not _tk(): _refill()"


def entry_tick_line(code: CodeType) -> int:
    """The Python line of the step a function's fast form counts on entry (the
    first statement of its `try` body), or 0 when it has none (a function that
    calls nothing, a resume form, a generator form). Cached on its CodeInfo."""
    ci = CODE_INFO.get(code)
    if ci is None:
        return 0
    line = ci.entry_tick
    if line is not None:
        return line
    line = 0
    chunk = ci.chunk
    if not code.co_flags & CO_GENERATOR:
        n = code.co_firstlineno + 1
        while chunk is not None:
            text = chunk.source_lines_for(code, n)
            if text is None:
                break
            if text.strip() == "try:":
                nxt = chunk.source_lines_for(code, n + 1)
                if nxt is not None and nxt.strip() == _TICK:
                    line = n + 1
                break
            n += 1
    ci.entry_tick = line
    return line


def _at_preemptable_step(f: Any) -> bool:
    """Cheap first test: frame `f` counts a step at a function's entry or at a
    resume point."""
    code = f.f_code
    ci = CODE_INFO.get(code)
    if ci is None:
        return False  # a builtin charging bulk work
    line = f.f_lineno
    e = ci.entry_tick
    if e is None:
        e = entry_tick_line(code)
    if line == e:
        return True
    entry = ci.lines.get(line)
    return entry is not None and entry[1] >= 0


def try_preempt(lim: Any, f: Any) -> bool:
    """Whether the task can be suspended right here, frame `f` counting a step:
    `f` is at the entry of a Lua function (or at a step the compiler made a
    resume point), every Lua frame below it is at a resume point, and no
    coroutine on the way is behind a C-call boundary (as for host_suspend)."""
    from .coroutine import BOUNDARY_CODES

    if not _at_preemptable_step(f):
        return False
    st = state.current
    if st.current.nny > 0:
        return False
    host_run = _HOST_RUN[0]
    g = f.f_back
    while g is not None:
        c = g.f_code
        if c is host_run:
            break
        info = CODE_INFO.get(c)
        if info is not None and not _resumable(info, g.f_lineno):
            return False
        if c in BOUNDARY_CODES:
            prev = g.f_locals.get("prev")
            if prev is not None and prev.nny > 0:
                return False
        g = g.f_back
    del g
    return True


def _resumable(ci: Any, line: int) -> bool:
    entry = ci.lines.get(line)
    if entry is None:
        return False
    return entry[1] >= 0 or (entry[0] is not None and entry[0].kind == "deopt")


_HOST_RUN: list[Any] = [None]  # the code of LuaRuntime._run (host.py): where a walk stops


class CallAgain:
    """The innermost record of a task preempted at a function's entry: the
    function had not started, so it is called again, with the same arguments,
    and its results are what its caller's call site receives."""

    __slots__ = ("fn", "args")

    def __init__(self, fn: Any, args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args

    def cont(self, thunk: Any) -> Any:
        from .ops import call

        thunk()  # (the host's answer to a preemption: nothing)
        return call(self.fn, *self.args)


def preemption(lim: Any) -> BaseException:
    """The suspension that preempts the running task at the frame that counted
    the step (the caller of refill)."""
    from .coroutine import Suspend, rebuild_closure

    f = sys._getframe(2)
    code = f.f_code
    s = Suspend("host", PREEMPT)
    lim.preemptions += 1
    lim.probes = lim.backoff = lim.skip = 0
    if _resumable(CODE_INFO[code], f.f_lineno):
        return s  # a step the compiler made a resume point: the frame records itself
    loc = f.f_locals
    proto = CODE_INFO[code].proto
    boxed = set(proto.boxed_params)
    args = [loc[p].v if p in boxed else loc.get(p) for p in proto.params]
    if proto.is_vararg:
        args.extend(loc.get("_va", ()))
    s.records.append(CallAgain(rebuild_closure(code, f.f_globals, loc), tuple(args)))
    # the function's own handler records nothing: it is called again instead
    s.add = _skip_once.__get__(s)  # type: ignore[method-assign]
    del f, loc
    return s


def _skip_once(s: Any, fn: Any, loc: Any) -> None:
    del s.add  # the frames below record themselves as usual


# ------------------------------------------------------------ process size

_STATM: list[int] = []  # an open fd on /proc/self/statm, or -1 where there is none
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss() -> int:
    """The resident set size of this process, in bytes."""
    if not _STATM:
        try:
            _STATM.append(os.open("/proc/self/statm", os.O_RDONLY))
        except OSError:
            _STATM.append(-1)
    fd = _STATM[0]
    if fd >= 0:
        try:
            return int(os.pread(fd, 128, 0).split()[1]) * _PAGE
        except (OSError, ValueError, IndexError):
            pass
    # elsewhere: Python's own allocator, in blocks of at most 512 bytes
    return sys.getallocatedblocks() * 256


_LIBC: list[Any] = []


def _trim() -> None:
    """Give freed heap memory back to the system (glibc keeps it otherwise), so
    that the size read next reflects what is really in use."""
    if not _LIBC:
        try:
            import ctypes

            libc = ctypes.CDLL("libc.so.6")
            _LIBC.append(libc.malloc_trim)
        except (OSError, AttributeError, ImportError):
            _LIBC.append(None)
    f = _LIBC[0]
    if f is not None:
        f(0)
