"""Resource limits for untrusted Lua: a step budget, a deadline, memory.

Code compiled for a limited runtime counts one step at every function entry and
every loop iteration (`STEPS[0] -= 1`); when the slice runs out, `refill()`
charges it to the running state's budget and checks the deadline. Code compiled
without limits contains no counting at all.
"""

from __future__ import annotations

import time
from typing import Any

from . import state
from .values import LuaError

SLICE = 1000  # steps between two checks of the budget and the clock
STEPS = [0]  # steps left in the current slice (shared; reset when the state changes)


class Limits:
    """What a runtime allows per execute/eval/task.run step; None means unlimited."""

    def __init__(self, max_instructions: int | None = None, timeout: float | None = None,
                 max_memory: int | None = None) -> None:
        self.max_instructions = max_instructions
        self.timeout = timeout
        self.max_memory = max_memory
        self.used = 0  # steps charged so far
        self.deadline: float | None = None  # set at the start of each execute/run step

    @property
    def counting(self) -> bool:
        return self.max_instructions is not None or self.timeout is not None

    def start(self) -> None:
        """A new execute/eval/task.run step begins: budget and deadline are per step."""
        self.used = 0
        self.deadline = time.monotonic() + self.timeout if self.timeout is not None else None
        STEPS[0] = 0


def refill() -> None:
    """The current slice is spent: charge it, check the limits, grant the next."""
    lim: Any = getattr(state.current, "limits", None)
    if lim is None:
        STEPS[0] = 1 << 62
        return
    lim.used += SLICE
    if lim.max_instructions is not None and lim.used > lim.max_instructions:
        STEPS[0] = SLICE  # so that error handlers can still run a little
        lim.used = lim.max_instructions + 1
        raise LuaError(b"instruction limit exceeded")
    if lim.deadline is not None and time.monotonic() > lim.deadline:
        STEPS[0] = SLICE
        raise LuaError(b"timeout: step took longer than its deadline")
    STEPS[0] = SLICE
