"""Instances of a snapshot base: many tasks started from one prepared state.

Concept. An embedder that starts the same program many times (a workflow engine
starting a run per request) prepares it once: a runtime, its libraries, the
program's chunk run, its main function about to be called, as a task not started
yet, and a `SnapshotBase` of it (the *template*). `SnapshotBase.instantiate()`
then gives a new runtime whose state is a copy of the template's, object for
object, with a task on the copied main function, and a base over the copy: the
template's base with the copy's objects in place of the template's. That base
has the template's digest (the copy is the same state), so snapshots written
relative to it restore onto a base built the same way from the same code in any
process, and the copy needs no traversal, encoding or digest of its own.

What is copied and what is shared: tables, boxes (upvalues assigned again),
Lua closures (with their own closure cells: cells shared by closures stay shared
among the copies) and coroutines not started are copied; chunks, builtins and
host functions are immutable and shared by every instance, as they are by every
runtime. The copy's `LuaState` fields are the template's, mapped to the copies
(registry, type metatables), with its own main coroutine, resource-limit
counters and random state (`seed`).

Invariants. The template is never run (the instance gets the copies), so it can
be instantiated any number of times, from any thread holding no Lua state of it.
An object the template's state reaches that the base does not number (it would
not be in a snapshot either) refuses the copy with SnapshotError, as does a
template whose task has started.

Costs (bench/NOTES.md, "Wippy workflows: engine speed"): for a 460-object
workflow state whose Lua closures reach no per-state table (shared), ~0.2–0.25 ms
of CPU and ~80 KB for the copy and its base (~0.1 ms without the base), against
~5 ms to build the state again and ~7 ms for a new base. A copied closure's cells
are picked from one pool at C speed; the copy's base takes the template's index
lists, references and the fingerprints that are the same objects. What to copy is
worked out at the first copy (`_Plan`).
"""

from __future__ import annotations

from operator import itemgetter
from types import CellType, FunctionType
from typing import TYPE_CHECKING, Any

from . import convert
from . import snapshot as S
from .runtime.coroutine import Coroutine
from .runtime.limits import Limits
from .runtime.state import LuaState
from .runtime.values import EMPTY_HASH, Box, LuaTable, _TableAux

if TYPE_CHECKING:
    from .host import Task
    from .snapshot_base import SnapshotBase

_MUTABLE = (LuaTable, Box, Coroutine)


def instantiate(base: SnapshotBase, args: tuple = (), *, seed: int | None = None,
                with_base: bool = True) -> tuple[Task, SnapshotBase | None]:
    """A copy of a not-started task's state (see the module docstring): the new
    task (not started; its main function is called with the template task's
    arguments, copied, followed by `args`, converted as `LuaRuntime.task` does)
    and a snapshot base over it with the template base's digest."""
    import gc

    from .bigstack import relax_gc

    before = relax_gc()  # (a copy allocates hundreds of containers: no collection in the middle)
    try:
        return _instantiate(base, args, seed, with_base)
    finally:
        gc.set_threshold(*before)


def _instantiate(base: SnapshotBase, args: tuple, seed: int | None,
                 with_base: bool) -> tuple[Task, SnapshotBase | None]:
    plan = base._plan
    if plan is None:
        plan = base._plan = _Plan(base)
    objs = base.objects
    new = list(objs)  # (shared objects stay; the copied ones are replaced below)
    m: dict[int, Any] = {}  # id(template object) -> its copy
    c: Any
    for i in plan.tables:
        c = new[i] = LuaTable.__new__(LuaTable)
        m[id(objs[i])] = c
    for i in plan.boxes:
        c = new[i] = Box()
        m[id(objs[i])] = c
    for i in plan.coroutines:
        o = objs[i]
        c = new[i] = Coroutine(None, main=o.is_main)
        m[id(o)] = c
    # closures: their cells first (one per template cell: cells shared stay shared),
    # made with their contents where those exist already (not other closures)
    empty = plan.empty
    vals = [v if how == _PLAIN else new[v] if how == _SOME else empty for how, v in plan.cell_init]
    cells = [CellType() if v is empty else CellType(v) for v in vals]
    pool = plan.shared_cells + cells  # (each closure's cells: picked from it at C speed)
    twins: list[Any] = []
    for slot, o, pick in plan.clos:
        f = FunctionType(o.__code__, o.__globals__, o.__name__, o.__defaults__,
                         o.__closure__ if pick is None else pick(pool))
        f.__qualname__ = o.__qualname__
        if o.__kwdefaults__:
            f.__kwdefaults__ = dict(o.__kwdefaults__)
        if o.__dict__:
            f.__dict__.update(o.__dict__)
        if slot >= 0:
            new[slot] = f
        else:
            twins.append(f)
        m[id(o)] = f
    for k, how, v in plan.cell_late:  # (cells holding closures)
        cells[k].cell_contents = vals[k] = new[v] if how == _SOME else twins[v]

    get = m.get

    def val(v: Any) -> Any:
        return get(id(v), v)

    for i, amap, hmode, hkeys, auxmode in plan.fill:
        o, c = objs[i], new[i]
        a = o.arr
        if amap is None:
            c.arr = a if type(a) is tuple else list(a)
        else:
            c.arr = a = list(a)
            for j in amap:
                a[j] = val(a[j])
        h = o.hash
        if hmode == _PLAIN:
            c.hash = h if h is EMPTY_HASH else dict(h)
        elif hmode == _SOME:
            c.hash = h = dict(h)
            for k in hkeys:
                h[k] = val(h[k])
        else:  # object keys
            c.hash = {val(k): val(v) for k, v in h.items()}
        c.meta = val(o.meta)
        aux = o.aux
        if aux is None:
            c.aux = None
        else:
            x = c.aux = _TableAux()
            if auxmode == _PLAIN:
                x.keys = None if aux.keys is None else list(aux.keys)
                x.kidx = None if aux.kidx is None else dict(aux.kidx)
            else:
                x.keys = None if aux.keys is None else [val(k) for k in aux.keys]
                x.kidx = None if aux.kidx is None else {val(k): n for k, n in aux.kidx.items()}
            x.dead, x.hw = aux.dead, aux.hw
    for i in plan.boxes:
        new[i].v = val(objs[i].v)
    if plan.weak:  # (collectgarbage sweeps the weak tables it knows: stdlib/weak.py)
        from .stdlib import weak

        weak.adopt([new[i] for i in plan.weak])
    for i in plan.coroutines:
        o, c = objs[i], new[i]
        c.fn = val(o.fn)
        c.status = o._status
        c.nny = o.nny
        c.errval = o.errval

    src_rt = base.runtime
    sst = src_rt.state
    st = LuaState()
    st.globals = val(sst.globals)
    st.string_meta = val(sst.string_meta)
    st.type_metas = {k: val(v) for k, v in sst.type_metas.items()}
    st.main = st.current = get(id(sst.main), st.main)
    st.random = list(sst.random) if sst.random is not None else None
    reg = st.registry = dict(sst.registry)
    for k in plan.registry:
        reg[k] = val(reg[k])
    st.host_access = sst.host_access
    st.loaded = val(sst.loaded)
    st.stdout = sst.stdout
    st.package = val(sst.package)
    st.msghandler = sst.msghandler
    st.io_stdin, st.io_stdout, st.io_stderr = sst.io_stdin, sst.io_stdout, sst.io_stderr
    st.io_input, st.io_output, st.io_meta = val(sst.io_input), val(sst.io_output), val(sst.io_meta)
    st.warn_mode, st.warn_stream = sst.warn_mode, sst.warn_stream
    st.clock, st.cpu_clock = sst.clock, sst.cpu_clock
    lim = sst.limits
    if lim is not None:
        st.limits = Limits(lim.max_instructions, lim.timeout, lim.max_memory, lim.max_string, lim.preempt_every)
    if seed is not None:
        r = plan.seeded.get(seed)
        if r is None:  # (math.randomseed(seed)'s state, worked out once: processes all spawn with seed 0)
            from .stdlib.lmath import setseed

            setseed(st, seed, 0)
            if len(plan.seeded) < 4:
                plan.seeded[seed] = list(st.random or ())
        else:
            st.random = list(r)
    rt = type(src_rt).__new__(type(src_rt))  # (the host layer's classes, not imported: host imports this)
    rt.state = st
    rt.typed = src_rt.typed
    if "_perms" in src_rt.__dict__:  # (the same builtins: the same names)
        rt._perms = src_rt._perms
    start_args = tuple(val(a) for a in base.start_args)
    task = rt.new_task(val(base.start_fn), (*start_args, *(convert.to_lua(a) for a in args)))
    if not with_base:
        return task, None
    refs = dict(base.refs)  # (shared objects: the same ids at the same indices)
    copied = plan.copied
    refs.update(zip(map(id, map(new.__getitem__, copied)), copied))
    keep: list[Any] = twins
    for c, twin in zip(twins, plan.twins):
        refs[id(c)] = base.refs[id(twin)]
    copy = type(base).__new__(type(base))  # (snapshot_base imports this module)
    # the copied closures' fingerprints: their cells' contents, picked as the cells were
    f_cells = list(base.f_cells)
    vpool = plan.shared_vals + vals
    for pos, pick in plan.f_picks:
        f_cells[pos] = pick(vpool)
    copy._setup(rt, base.digest, new, refs, keep, rt.permanents(), plan.kinds, like=base,
                same_hash=plan.same_hash, same_arr=plan.same_arr, f_cells=f_cells)
    copy.start_fn, copy.start_args = task._fn, start_args
    return task, copy


_PLAIN, _SOME, _ALL = 0, 1, 2


class _Plan:
    """What instantiating a base copies, worked out once per base: which objects,
    and per table which parts hold objects that are copied (the rest are copied
    at C speed: a library table's functions are all shared)."""

    def __init__(self, base: SnapshotBase) -> None:
        if base.start_fn is None:
            raise S.SnapshotError("only the base of a task not started yet can be instantiated")
        objs = base.objects
        self.kinds = kinds = base.kinds()
        self.tables: list[int] = []
        self.boxes: list[int] = []
        self.closures: list[int] = []
        self.coroutines: list[int] = []
        for i, o in enumerate(objs):
            t = type(o)
            if t is LuaTable:
                self.tables.append(i)
            elif t is Box:
                self.boxes.append(i)
            elif kinds[i] == "lua" and t is FunctionType:
                self.closures.append(i)
            elif t is Coroutine:
                if o.records is not None or o.gen is not None:
                    raise S.SnapshotError("cannot instantiate a state holding a started coroutine")
                self.coroutines.append(i)
            elif kinds[i] != "immutable":
                raise S.SnapshotError(f"cannot instantiate a state holding {S._describe(o)}")
        copied = {id(objs[i]) for i in (*self.tables, *self.boxes, *self.closures, *self.coroutines)}
        self.twins: list[Any] = []  # closures written as one of the base's
        for o in base._keep:
            n = base.refs.get(id(o))
            if n is not None and objs[n] is o:
                continue
            if n is None or type(o) is not FunctionType:
                raise S.SnapshotError(f"cannot instantiate: the base keeps {S._describe(o)} it does not number")
            self.twins.append(o)
            copied.add(id(o))
        for i in self.closures:  # what their cells hold must be copied with them, or be immutable
            for cell in objs[i].__closure__ or ():
                try:
                    v = cell.cell_contents
                except ValueError:
                    continue
                if isinstance(v, _MUTABLE) and id(v) not in copied:
                    raise S.SnapshotError(f"cannot instantiate: a closure holds {S._describe(v)} "
                                          "the base does not number")
        if not base.runtime.state.host_access:
            self._share_closures(objs, copied)
        self.fill: list[tuple[int, list[int] | None, int, list[Any], int]] = []
        for i in self.tables:
            o = objs[i]
            a = o.arr
            amap = [j for j, x in enumerate(a) if id(x) in copied] or None
            h = o.hash
            if any(id(k) in copied for k in h):
                hmode, hkeys = _ALL, []
            else:
                hkeys = [k for k, v in h.items() if id(v) in copied]
                hmode = _SOME if hkeys else _PLAIN
            aux = o.aux
            auxmode = _ALL if aux is not None and aux.keys and any(id(k) in copied for k in aux.keys) else _PLAIN
            self.fill.append((i, amap, hmode, hkeys, auxmode))
        self.weak = [i for i in self.tables if objs[i].meta is not None
                     and objs[i].meta.hash.get(b"__mode") is not None]  # weak tables (`__mode`)
        # tables whose hash parts hold only shared keys and values: their fingerprints
        # are the same dicts in every copy
        self.same_hash = {i for i, _, hmode, _, _ in self.fill if hmode == _PLAIN}
        self.same_arr = {i for i, amap, _, _, _ in self.fill if amap is None}  # (likewise their array parts)
        self.seeded: dict[int, list[int]] = {}  # seed -> math.random's state after it (a few)
        reg = base.runtime.state.registry
        self.registry = [k for k, v in reg.items() if id(v) in copied]
        # the closures to copy (slot: base index, or ~n for the n-th twin) and the cells
        # they need of their own: those holding a copied object (or empty: it may be
        # filled later); a cell holding an immutable value is never written in a
        # sandbox (see _share_closures) and stays shared with the template
        where = {id(objs[i]): i for i in (*self.tables, *self.boxes, *self.closures, *self.coroutines)}
        twin_no = {id(t): n for n, t in enumerate(self.twins)}
        sandbox = not base.runtime.state.host_access
        index: dict[int, int] = {}  # id(template cell) -> the number of its copy
        # how each copied cell is made: (_PLAIN, value) / (_SOME, base index of a table,
        # box or coroutine) with its contents, else empty (_ALL)
        self.cell_init: list[tuple[int, Any]] = []
        self.cell_late: list[tuple[int, int, Any]] = []  # (cell, _SOME base index of a closure | _ALL twin no.)
        # the closures to copy: (slot, template closure, picker of its cells from
        # shared_cells + the copied cells: an itemgetter, or None when it keeps its own)
        self.clos: list[tuple[int, FunctionType, Any]] = []
        self.shared_cells: list[Any] = []
        shared_at: dict[int, int] = {}  # id(template cell kept as it is) -> its position in shared_cells
        made_first = {id(objs[i]) for i in (*self.tables, *self.boxes, *self.coroutines)}
        copied_cells: list[tuple[int, int, Any]] = []  # (position, how, x) in number order
        for slot, o in [*((i, objs[i]) for i in self.closures), *((~n, t) for n, t in enumerate(self.twins))]:
            picks: list[Any] = []  # per cell of the closure: ("s", shared position) | ("c", copy number)
            own = False
            for cell in o.__closure__ or ():
                try:
                    v = cell.cell_contents
                    how, x = (_SOME, where[id(v)]) if id(v) in where else \
                        (_ALL, twin_no[id(v)]) if id(v) in twin_no else (_PLAIN, v)
                except ValueError:
                    how, x = _ALL + 1, None  # empty
                if how == _PLAIN and sandbox:
                    n = shared_at.get(id(cell))
                    if n is None:
                        n = shared_at[id(cell)] = len(self.shared_cells)
                        self.shared_cells.append(cell)
                    picks.append(("s", n))
                    continue
                own = True
                k = index.get(id(cell))
                if k is None:
                    k = index[id(cell)] = len(index)
                    copied_cells.append((k, how, x))
                picks.append(("c", k))
            self.clos.append((slot, o, picks if own else None))
        for k, how, x in copied_cells:
            if how == _PLAIN or (how == _SOME and id(objs[x]) in made_first):
                self.cell_init.append((how, x))
            else:
                self.cell_init.append((_ALL, None))
                if how != _ALL + 1:
                    self.cell_late.append((k, how, x))
        ns = len(self.shared_cells)
        self.clos = [(slot, o, None if picks is None else
                      _picker([n if kind == "s" else ns + n for kind, n in picks]))
                     for slot, o, picks in self.clos]
        self.ncells = len(index)
        # base indices of the objects each copy has its own of (the rest keep their refs)
        self.copied = sorted([*self.tables, *self.boxes, *self.coroutines, *(slot for slot, _, _ in self.clos if slot >= 0)])
        # the base's fingerprint of a copied closure's cells: its copy's, picked the same way
        self.empty = type(base).EMPTY_CELL
        self.shared_vals = [_content(c, self.empty) for c in self.shared_cells]
        fpos = {i: p for p, i in enumerate(base.f_idx)}
        # (a copy keeping all its template's cells has its template's fingerprint)
        self.f_picks = [(fpos[slot], pick) for slot, o, pick in self.clos
                        if slot >= 0 and slot in fpos and pick is not None]

    def _share_closures(self, objs: list[Any], copied: set[int]) -> None:
        """Closures that reach nothing mutable (their cells hold builtins, strings,
        numbers, other such closures) are shared by the instances instead of copied:
        their cells are never written where the debug library cannot set upvalues
        (a runtime without host access), so no instance can tell."""
        mine = {id(objs[i]): i for i in self.closures}
        deps: dict[int, list[int]] = {}
        unshared: set[int] = set()
        for i in self.closures:
            for cell in objs[i].__closure__ or ():
                try:
                    v = cell.cell_contents
                except ValueError:
                    continue
                j = mine.get(id(v))
                if j is not None:
                    deps.setdefault(j, []).append(i)  # i is shared only if j is
                elif isinstance(v, _MUTABLE) or id(v) in copied:
                    unshared.add(i)
        todo = list(unshared)
        while todo:
            j = todo.pop()
            for i in deps.get(j, ()):
                if i not in unshared:
                    unshared.add(i)
                    todo.append(i)
        shared = [i for i in self.closures if i not in unshared]
        self.closures = [i for i in self.closures if i in unshared]
        copied.difference_update(id(objs[i]) for i in shared)


def _content(cell: Any, empty: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:
        return empty


def _picker(positions: list[int]) -> Any:
    """A function picking the items at `positions` of a list, as a tuple (in C)."""
    if len(positions) == 1:
        get = itemgetter(positions[0])
        return lambda pool: (get(pool),)
    return itemgetter(*positions)


__all__ = ["instantiate"]
