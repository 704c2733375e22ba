"""Copies of a template state share wippy's Lua functions (issues 16 and 18).

A new process or workflow run is a copy of a prepared template state
(luavm's SnapshotBase.instantiate): closures that capture nothing mutable are
shared by the copies, the others copied with their cells. Wippy's kernel,
prelude, errors library and modules keep their per-state data in W, reached
through the `state` primitive, so every one of their functions is shared: a
function that captures a per-state table (or reads a global through the chunk's
_ENV) would be copied into every process and every workflow run.
"""

from __future__ import annotations

from typing import Any

import luavm
from wippy.luastate import new_state, restored_state
from wippy.modules import KNOWN, get_module

MODULES = [m for m in KNOWN if get_module(m) is not None]


def _functions(v: Any, path: str, out: dict[str, Any], seen: set[int]) -> None:
    """Every Lua function reachable from table view `v` (and its metatables), by path."""
    if isinstance(v, luavm.LuaFunction):
        out[path] = v.fn
        return
    if not isinstance(v, luavm.LuaTableView) or id(v.table) in seen:
        return
    seen.add(id(v.table))
    for k, x in v.items():
        _functions(x, f"{path}.{k}", out, seen)
    meta = v.table.meta
    if meta is not None:
        _functions(luavm.LuaTableView(meta, v.state), f"{path}<meta>", out, seen)


def _reachable(rt: Any, W: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    seen: set[int] = set()
    _functions(W, "W", out, seen)
    g = rt.globals()
    for name in ("process", "errors", "channel", "require", "integer", "os", "__type"):
        _functions(g[name], name, out, seen)
    loaded = g["package"]["loaded"]
    for name in MODULES:
        _functions(loaded.get(name), name, out, seen)
    _functions(g["package"]["preload"], "preload", out, seen)
    return out


def test_every_wippy_function_is_shared_by_the_copies_of_a_template():
    req = " ".join(f"local m{i} = require('{m}')" for i, m in enumerate(MODULES))
    st = new_state(MODULES, entry_id="app:x")
    rt = st.runtime
    main = rt.call(rt.load(req + " return function() return process.inbox():receive() end", "=x"))
    # (what the metatables made on first use hold, too)
    rt.execute("process.with_context({}) process.inbox() process.events() "
               "require('funcs').new() require('registry').snapshot()")
    base = rt.new_task(st.W["serve"].fn, (main.fn,)).snapshot_base()
    mine = _reachable(rt, st.W)
    assert len(mine) > 200
    task = base.instantiate_task(())
    copy = restored_state(task.runtime, "app:x")
    theirs = _reachable(task.runtime, copy.W)
    assert theirs.keys() == mine.keys()
    copied = sorted(p for p, f in theirs.items() if f is not mine[p])
    assert copied == []
