"""Helpers for tests and embedders: run a piece of Wippy Lua to completion."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

import luavm

from .luastate import new_state
from .scheduler import Outcome, Scheduler


def run_lua(source: str, *args: Any, modules: Iterable[str] = (), chunkname: str = "=test",
            entry_id: str = "test:main") -> Outcome:
    """Run `source` as the main function of an invocation (with `modules` declared)
    on a fresh scheduler; returns its Outcome."""

    async def go() -> Outcome:
        sched = Scheduler()
        st = new_state(modules, entry_id=entry_id)
        fn = st.runtime.load(source, chunkname)
        from .scheduler import Invocation

        inv = Invocation(sched, st, fn, args, entry_id=entry_id)
        return await sched.start(inv)

    return luavm.run_with_big_stack(lambda: asyncio.run(go()))


__all__ = ["run_lua"]
