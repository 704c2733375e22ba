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
from typing import Any

from . import state
from .values import LuaError

SLICE = 1000  # steps between two checks of the budget and the clock
MEM_EVERY = 4  # slices between two reads of the process size
NOLIMIT = 1 << 62
TOKENS: list[bool] = [False]  # the steps left in the current slice, over a False sentinel
POP = TOKENS.pop  # a step: `if not POP(): refill()`; TOKENS is never replaced, only changed
_FILL = [True] * SLICE
_UNLIMITED = [True] * 65536  # a state without limits: refilled rarely, never checked
MAXSTR = [NOLIMIT]  # the largest string the running state may build, in bytes
CHARGE_SHIFT = 8  # builtins charge one step per 2**CHARGE_SHIFT bytes they build


class LuaLimitError(LuaError):
    """A resource limit stopped the Lua code. `kind`: 'instructions', 'time' or
    'memory'. Inside Lua it is an ordinary error whose value is the message."""

    def __init__(self, value: bytes, kind: str) -> None:
        super().__init__(value)
        self.kind = kind


MESSAGES = {
    "instructions": b"instruction limit exceeded",
    "time": b"time limit exceeded",
    "memory": b"not enough memory",
}


class Limits:
    """What a runtime allows per execute/eval/call/task.run step; None means unlimited."""

    def __init__(self, max_instructions: int | None = None, timeout: float | None = None,
                 max_memory: int | None = None, max_string: int | None = None) -> None:
        for name, v in (("max_instructions", max_instructions), ("timeout", timeout),
                        ("max_memory", max_memory), ("max_string", max_string)):
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
    lim: Any = getattr(state.current, "limits", None)
    if lim is None:
        TOKENS.clear()
        TOKENS.append(False)
        TOKENS.extend(_UNLIMITED)
        return
    _settle(lim, extra)
    TOKENS.append(False)  # first: if a check raises, the very next step refills (and raises) again
    lim.check()
    g = SLICE
    if lim.max_instructions is not None and lim.max_instructions - lim.used < g:
        g = lim.max_instructions - lim.used  # so that the limit is exact
        TOKENS.extend(_FILL[:g])
    else:
        TOKENS.extend(_FILL)
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
            lim = getattr(state.current, "limits", None)
            if lim is not None:
                lim.mem_tick = 0
        charge(n)


def poll() -> None:
    """Long host-side work (compiling a chunk) checks the clock and memory now
    and then without counting steps."""
    lim: Any = getattr(state.current, "limits", None)
    if lim is not None:
        lim.check()


def switch(prev: Any, new: Any) -> None:
    """`state.activate` changes the running state: settle the slice of the
    previous one, let the next step of code refill from the new one."""
    lim = getattr(prev, "limits", None)
    if lim is not None:
        _settle(lim, 0)
    TOKENS.clear()
    TOKENS.append(False)
    lim = getattr(new, "limits", None)
    MAXSTR[0] = lim.max_string if lim is not None else NOLIMIT


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
