"""The kernel's primitives: the one suspension (wait for external events) and the
clock. See wippy/lua/kernel.lua."""

from __future__ import annotations

import time
from typing import Any

import luavm

from ._spec import current

DEADLOCK = "all threads are blocked (deadlock): nothing can wake them"


def wait(pending: bool) -> Any:
    """Suspend the invocation until the host has events for it; returns a list of
    {id, value} pairs (the host resumes the task with it). `pending`: something
    external is awaited (a timer, a call, a subscription); with nothing pending and
    no way to receive messages, every thread is blocked for ever."""
    if not pending and not current().can_receive():
        raise luavm.LuaError(DEADLOCK.encode())
    return luavm.suspend(["wait"])


def now_ns() -> int:
    return current().now_ns()


def clock() -> float:
    inv = current()
    if inv.in_workflow:
        return 0.0
    return time.process_time()


PRIMITIVES = {"wait": wait, "now_ns": now_ns, "clock": clock}
