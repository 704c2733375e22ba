"""Run templates: a workflow type's Lua state prepared once, copied for each run.

Concept. Every run of a workflow starts from the same state: a fresh runtime, the
kernel and modules' Lua code, the entry's chunk (and its libraries') run, the
task about to call the entry function. A *template* is that state built once per
pinned code bundle (with math.random's seed 0 and no arguments) together with its
snapshot base; a new run, a restore and a replay each get a copy of it
(`luavm.SnapshotBase.instantiate`: the copy, a task on it with the run's
arguments and seed, and a base over the copy with the template's digest).

Invariants. A template is never run: only its copies are. The base of every run
of a bundle is the template's, so a run's snapshots name it by digest and any
process that has the bundle builds the same base (checkpoint.py restores onto a
copy). A run's arguments and seed are not in its base: its first checkpoint
writes them (they are in its frames by then).

Costs (bench/NOTES.md): building a template is what starting a run used to cost
(~5 ms of Lua state, ~7 ms of snapshot base for a small workflow); a copy costs
~1 µs per object (~0.5 ms). Templates are kept per code hash, the most recently
used TEMPLATES_MAX of them.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any

import luavm

from ..functions import prepare
from ..luastate import restored_state

if TYPE_CHECKING:
    from .run import WorkflowRun
    from .store import WorkflowRow

TEMPLATES_MAX = 64


class Template:
    """One code bundle's prepared, never-run Lua state and its snapshot base."""

    __slots__ = ("base",)

    def __init__(self, bundle: dict[str, Any]) -> None:
        from .code import bundle_lookup

        lookup = bundle_lookup(bundle)
        entry = lookup(bundle["__entry__"])
        st, fn = prepare(lookup, entry, seed=0)
        # W.run itself is the task's function (no chunk calling it: one frame fewer
        # for every suspension to record, every resumption to rebuild, every
        # checkpoint to write)
        run = st.W["run"].fn
        task = luavm.Task(st.runtime, run, (fn.fn if isinstance(fn, luavm.LuaFunction) else fn,))
        self.base: luavm.SnapshotBase = task.snapshot_base()

    def instantiate(self, args: tuple[Any, ...], seed: int | None) -> tuple[luavm.Task, luavm.SnapshotBase]:
        return self.base.instantiate(args, seed=seed)


_TEMPLATES: OrderedDict[str, Template] = OrderedDict()


def template(key: str, bundle: dict[str, Any]) -> Template:
    """The template of a bundle (`key`: its hash), built on first use."""
    t = _TEMPLATES.get(key)
    if t is None:
        t = _TEMPLATES[key] = Template(bundle)
        while len(_TEMPLATES) > TEMPLATES_MAX:
            _TEMPLATES.popitem(last=False)
    else:
        _TEMPLATES.move_to_end(key)
    return t


_KEYS: dict[int, tuple[dict[str, Any], str]] = {}  # id(bundle) -> (it, its hash): hashed once


def _key(bundle: dict[str, Any]) -> str:
    from .code import bundle_hash

    k = _KEYS.get(id(bundle))
    if k is None or k[0] is not bundle:
        if len(_KEYS) > 4 * TEMPLATES_MAX:
            _KEYS.clear()
        k = _KEYS[id(bundle)] = (bundle, bundle_hash(bundle))
    return k[1]


def instantiate(scheduler: Any, host: Any, row: WorkflowRow, bundle: dict[str, Any], cls: type[WorkflowRun],
                **kw: Any) -> WorkflowRun:
    """A run of `row` on a copy of its bundle's template; `run.fresh_base` is the
    copy's snapshot base (the base of the run's checkpoints)."""
    inp = row.input or {}
    task, base = template(_key(bundle), bundle).instantiate(
        tuple(inp.get("args") or ()), row.seed)
    st = restored_state(task.runtime, row.type)
    run = cls(scheduler, st, None, (), entry_id=row.type, ctx=inp.get("ctx") or {}, task=task,
              host=host, wid=row.id, run_id=row.run_id, type_id=row.type, **kw)
    run.fresh_base = base
    return run


__all__ = ["Template", "template", "instantiate", "TEMPLATES_MAX"]
