"""Snapshot bases: what a base-relative snapshot is written against.

Concept. A `SnapshotBase` is a task's state at one point (typically before it
first runs): every object reachable from the snapshot root, numbered in the
writer's breadth-first order (its *base index*), plus a *fingerprint* of each
object's contents. `Task.snapshot(base=b)` then writes the base's objects as
`BASE` references without traversing them, except those whose contents differ
from their fingerprint, which it writes as *patches* (their full encoding);
objects not in the base are written as in any snapshot (snapshot.py documents
the format). `luavm.restore(data, base=b)` applies such bytes onto a base built
the same way in the restoring process: base references resolve to its objects,
patched objects get the patch's contents, and base objects that are neither
patched nor as the base had them (the base's runtime ran since) get their
fingerprinted contents back. So the result is the written state whatever the
base's runtime did meanwhile, and a base can be restored onto any number of
times.

Fingerprints and the change test (`changed()`), by kind:
  * table: its hash part's keys and values in order (it fixes `next`), its
    array part, its metatable;
  * box (a captured local assigned again): its value;
  * Lua closure: its upvalue cells' contents (they change only through
    debug.setupvalue/upvaluejoin or a restore, which count in
    `ldebug.CELL_WRITES`: the cells are compared again only after such a write);
  * coroutine, gmatch iterator: none, always written (a patch) — they hold
    stacks and positions that are costly to compare and change whenever run;
  * chunk, builtin, host function, coroutine.wrap function: immutable.
Every object the writer would write differently is a change; nothing else is.
The test compares each object with how it last saw it, by identity, at C speed
over all objects of a kind at once (lists of hash dicts, their sizes, their
values key by key for tables of one shape, the other tables' values flattened,
array parts, metatables; in chunks, so one change does not cost a second pass
over everything); only objects that differ from that are compared exactly with
their fingerprint (same keys in the same order, same values: same type, same
value, floats by their bits), which gives their verdict, kept until they change
again. Identity, not `==`: `==` takes 1.0 for 1, true for 1 and 0.0 for -0.0.
So the decision depends on the Lua state only, never on which Python objects
happen to hold equal values: the bytes are the same for the same state in any
process, restored or not.

Why the same dict with as many keys has the same keys in the same order: a key
leaves a hash dict only when a rebuild replaces the dict (dead keys dropped:
another dict) or when an integer key moves to the array part; tables whose
fingerprint has integer keys are therefore compared exactly at every test.

Invariants. A base holds its objects (and what the fingerprints refer to)
alive: their ids stay theirs. The base's digest is that of its canonical full
encoding (chunks named by hash), so two processes agree on it exactly when
they built the same base; a base-relative snapshot names its base's digest and
restore refuses another base. A changed base object is written even if nothing
reaches it any more (the test does not walk the graph).

Costs. Building a base is one full snapshot's work (encode + digest) plus the
fingerprints (for tables of one shape, a list of values per key instead of a
dict each). `changed()` costs ~0.1-0.2 µs per table (bench/checkpoint.py), less
per box; closures cost nothing until a cell write.
"""

from __future__ import annotations

import struct
from itertools import accumulate, chain, compress, repeat
from operator import eq, is_, is_not, ne
from typing import TYPE_CHECKING, Any

import msgpack

from . import snapshot as S
from .runtime.coroutine import Coroutine
from .runtime.values import EMPTY_HASH, NO_ARRAY, Box, LuaTable
from .stdlib.ldebug import CELL_WRITES

if TYPE_CHECKING:
    from .host import LuaRuntime, Task

_NUM = (int, float, bool)
_D = struct.Struct("<d").pack
_EMPTY = object()  # the contents of an empty cell
_GROUP_MIN = 8  # tables of one shape read key by key (fewer: with the rest)
_CHUNK = 1024  # items compared before looking for which differ
_T, _B, _F = 1, 2, 3  # kinds in SnapshotBase._where (position << 2 | kind)


def _same(a: Any, b: Any) -> bool:
    """Exactly the same Lua value (as the snapshot would write it)."""
    if a is b:
        return True
    t = type(a)
    if t is not type(b):
        return False
    if t is float:
        return _D(a) == _D(b)
    if t is int or t is bytes or t is str:
        return bool(a == b)
    if t is tuple:
        return len(a) == len(b) and all(map(_same, a, b))
    return False  # distinct tables, functions, ...: identity


_KINDS = {"table": "table", "box": "box", "lua": "lua", "co": "always", "gmatch": "always"}  # by encoding


def _kind(o: Any, perms: dict[int, str]) -> str:
    """How the writer sees an object (snapshot._Writer.encode's cases): a table, a
    box, a Lua closure, always written (coroutine, gmatch iterator) or immutable."""
    t = type(o)
    if t is LuaTable:
        return "table"
    if t is Box:
        return "box"
    if id(o) in perms:
        return "immutable"
    if t is Coroutine:
        return "always"
    if S._lua_spec(getattr(o, "__code__", None)) is not None:
        return "lua"
    from .stdlib.lstring import GMatchIterator

    return "always" if t is GMatchIterator else "immutable"


def _arr_copy(a: Any) -> Any:
    """An array part as a fingerprint: a tuple (the shared empty one) as it is, a list copied."""
    return a if type(a) is tuple else list(a)


def _has_num(values: Any) -> bool:
    return any(type(v) in _NUM for v in values)


def _contents(cells: tuple | None) -> tuple | None:
    if cells is None:
        return None
    out = []
    for c in cells:
        try:
            out.append(c.cell_contents)
        except ValueError:  # an empty cell
            out.append(_EMPTY)
    return tuple(out)


def _differ(cur: list, seen: list, same: Any = is_, differ: Any = is_not, owner: Any = None) -> list[int]:
    """Positions (or their owners) where two equally long lists differ; chunk by
    chunk, so a few differences cost little more than one pass."""
    n = len(cur)
    out: list[int] = []
    for a in range(0, n, _CHUNK):
        c, s = cur[a:a + _CHUNK], seen[a:a + _CHUNK]
        if not all(map(same, c, s)):
            r = range(a, a + len(c)) if owner is None else owner[a:a + _CHUNK]
            out.extend(compress(r, map(differ, c, s)))
    return out


class SnapshotBase:
    """A task's state as a base for `Task.snapshot(base=)` / `luavm.restore(base=)`:
    see the module docstring. Build it with `task.snapshot_base()`."""

    EMPTY_CELL = _EMPTY  # an empty cell's contents in the closures' fingerprints (for instantiate)

    def __init__(self, task: Task) -> None:
        if task.started and not task.suspended:
            raise S.SnapshotError("a snapshot base is taken of a task not started yet or suspended")
        if task.preempted:
            raise S.SnapshotError("a preempted task cannot be a snapshot base (run it to a host suspension)")
        root = task._snapshot_root()
        self.start_fn: Any = None  # a task not started: its main function and arguments
        self.start_args: tuple = ()
        if not task.started:
            root["function"] = self.start_fn = task._fn
            root["args"] = self.start_args = tuple(task._args)
        perms = task.runtime.permanents()
        w, digest = S.enumerate_state(root, perms)
        unpack = struct.Struct(">I").unpack
        kinds = [_KINDS.get(enc[0], "immutable") for enc in w.objects]
        self._setup(task.runtime, digest, w.live, {oid: unpack(r.data)[0] for oid, r in w.refs.items()},
                    w.keep, perms, kinds)

    @classmethod
    def derive(cls, parent: SnapshotBase, data: bytes, new: list, refs: dict[int, int], keep: list,
               encodings: list | None = None) -> SnapshotBase:
        """The base that a base-relative snapshot `data` wrote: `parent`'s objects
        (indices kept) then the snapshot's new ones (`new`, in its numbering),
        fingerprinted as they are now. `refs`: id(object) -> index in the new base
        of every object the snapshot wrote or named (twins of closures included).
        Built the same way after writing the bytes (Task.rebase) and after
        restoring them (luavm.restore_derived), it is the same base on both sides,
        without another traversal of the state; its digest is derived_digest(data)."""
        self = cls.__new__(cls)
        objs = parent.objects + new
        allrefs = dict(parent.refs)
        allrefs.update(refs)
        self.start_fn, self.start_args = None, ()
        kinds = None
        if encodings is not None:  # (the kinds: the parent's, then the new objects' encodings')
            kinds = parent.kinds() + [_KINDS.get(enc[0], "immutable") for enc in encodings]
        self._setup(parent.runtime, S.derived_digest(data), objs, allrefs, parent._keep + keep,
                    parent.runtime.permanents(), kinds)
        return self

    def _setup(self, runtime: LuaRuntime, digest: bytes, objs: list, refs: dict[int, int], keep: list,
               perms: dict[int, str], kinds: list[str] | None = None, like: SnapshotBase | None = None,
               same_hash: set[int] | None = None, same_arr: set[int] | None = None,
               f_cells: list[tuple | None] | None = None) -> None:
        """`like`: a base of the same state in another runtime (instantiate): its
        tables' grouping by shape is taken instead of worked out again, and so are
        the fingerprints that are the same objects: the cells' contents of closures
        it shares, the hash parts of the tables in `same_hash` and the array parts of
        those in `same_arr` (base indices: their keys and values are objects both
        runtimes share). Fingerprints are only read. `f_cells`: the closures'
        fingerprints (their cells' contents), when the caller knows them."""
        self.runtime = runtime
        self.digest = digest
        self._plan: Any = None  # what instantiate() copies (luavm/instantiate.py), worked out once
        self.objects: list[Any] = objs
        self._keep = keep  # twins of closures (their ids are in refs)
        self.refs: dict[int, int] = refs  # id(object) -> base index
        n = len(objs)
        self._by_code: dict[int, list[int]] | None = None  # id(code) -> base closures (twin lookups)
        self._twin_keys: dict[int, Any] = {}  # base index -> its closure key (those looked up)
        self._twin_epoch = CELL_WRITES[0]
        self._ext: list[msgpack.ExtType | None] = [None] * n  # references, made on first use
        self._where: list[int] = [0] * n  # base index -> position << 2 | kind
        self.always: list[int] = []
        self.b_obj: list[Box] = []
        self.b_idx: list[int] = []
        self.b_val: list[Any] = []
        self.f_obj: list[Any] = []
        self.f_idx: list[int] = []
        self.f_cells: list[tuple | None] = []  # their cells' contents (_EMPTY: an empty cell)
        tables: list[tuple[int, LuaTable]] = []
        like_cells = like._cells_by_closure() if like is not None else {}
        todo: list[Any] = objs  # (the objects left to sort by kind)
        if like is not None and len(like.objects) == n:
            # a copy of `like`'s state (instantiate): the same kinds at the same indices,
            # so its lists of indices (read only) and its references are shared
            self._ext = like._ext
            self._where = list(like._where)
            self.always, self.b_idx, self.f_idx = like.always, like.b_idx, like.f_idx
            self.b_obj = list(map(objs.__getitem__, like.b_idx))
            self.b_val = [b.v for b in self.b_obj]
            self.f_obj = list(map(objs.__getitem__, like.f_idx))
            self.f_cells = f_cells if f_cells is not None else [
                fc if f is lf else _contents(f.__closure__)  # (a closure both share: its fingerprint)
                for f, lf, fc in zip(self.f_obj, like.f_obj, like.f_cells)]
            todo = []
        for i, o in enumerate(todo):
            kind = kinds[i] if kinds is not None else _kind(o, perms)
            if kind == "table":
                tables.append((i, o))
            elif kind == "box":
                self._where[i] = len(self.b_obj) << 2 | _B
                self.b_obj.append(o)
                self.b_idx.append(i)
                self.b_val.append(o.v)
            elif kind == "lua":
                self._where[i] = len(self.f_obj) << 2 | _F
                self.f_obj.append(o)
                self.f_idx.append(i)
                oid = id(o)
                self.f_cells.append(like_cells[oid] if oid in like_cells else _contents(o.__closure__))
            elif kind == "always":
                self.always.append(i)
        self._f_epoch = CELL_WRITES[0]
        self._f_changed: list[int] = []
        self._b_rng = range(len(self.b_obj))
        self._index_tables(tables, like, same_hash, same_arr)
        if like is not None:  # (the same closures at the same indices, of the same code)
            self._by_code = like._closures_by_code()

    def __len__(self) -> int:
        return len(self.objects)

    def _closures_by_code(self) -> dict[int, list[int]]:
        """id(code) -> base indices of the closures of that code (read only: a copy's
        base shares its template's, `like=`)."""
        by = self._by_code
        if by is None:
            by = self._by_code = {}
            for f, i in zip(self.f_obj, self.f_idx):
                by.setdefault(id(f.__code__), []).append(i)
        return by

    def _cells_by_closure(self) -> dict[int, tuple | None]:
        """id(closure) -> its fingerprinted cells' contents (for `like=`)."""
        m = self.__dict__.get("_fc_by_id")
        if m is None:
            m = self._fc_by_id = dict(zip(map(id, self.f_obj), self.f_cells))
        return m  # type: ignore[no-any-return]

    def kinds(self) -> list[str]:
        """How the change test sees each object, by base index: "table", "box",
        "lua" (a closure), "always" (compared by writing it) or "immutable"."""
        always = set(self.always)
        names = ("immutable", "table", "box", "lua")
        return ["always" if i in always else names[w & 3] for i, w in enumerate(self._where)]

    def instantiate(self, args: tuple = (), *, seed: int | None = None) -> tuple[Task, SnapshotBase]:
        """A new runtime holding a copy of this base's state (a task not started),
        a task on the copy's main function called with the template task's
        arguments (copied) followed by `args`, and a base over the
        copy with this base's digest (luavm/instantiate.py). `seed`: math.random's
        state in the copy, as `LuaRuntime(seed=)` sets it (else the template's)."""
        from .instantiate import instantiate

        task, base = instantiate(self, args, seed=seed)
        assert base is not None
        return task, base

    def instantiate_task(self, args: tuple = (), *, seed: int | None = None) -> Task:
        """`instantiate()` without the copy's base (about a third of its cost): for a
        copy never snapshotted relative to its template (a process, a function call)."""
        from .instantiate import instantiate

        return instantiate(self, args, seed=seed, with_base=False)[0]

    def ext(self, i: int) -> msgpack.ExtType:
        """The reference to base object i."""
        r = self._ext[i]
        if r is None:
            r = self._ext[i] = S._ext(S.BASE_REF, i.to_bytes(2 if i < 0x10000 else 4, "big"))
        return r

    def path(self, i: int) -> str:
        return f"<object {i} of the snapshot base>"

    # ------------------------------------------------------------ tables

    def _index_tables(self, tables: list[tuple[int, LuaTable]], like: SnapshotBase | None = None,
                      same_hash: set[int] | None = None, same_arr: set[int] | None = None) -> None:
        """Tables in an order of their own: those whose hash parts have the same keys
        (records of one shape) next to each other, so a group's values are read key
        by key at C speed (`dict.get` over a slice); the rest's values flattened."""
        ordered: list[tuple[int, LuaTable]] = []
        groups: list[tuple[int, int, tuple]] = []
        intkeyed: set[int] = set()  # (base indices)
        copy = like is not None and len(like.objects) == len(self.objects)  # (of like's state: _setup)
        if like is not None:  # the same tables, the same shapes
            objs = self.objects
            ordered = [(i, objs[i]) for i in like.t_idx] if not copy else []
            groups = [(a, b, tuple(k for k, _, _ in keys)) for a, b, keys in like._groups]
            intkeyed = {like.t_idx[j] for j in like._always_t} if not copy else intkeyed
            rs = like._rest_start
            self._rest_start: int = rs
        else:
            shapes: dict[tuple, list[tuple[int, LuaTable]]] = {}
            for it in tables:
                shapes.setdefault(tuple(it[1].hash), []).append(it)
            rest: list[tuple[int, LuaTable]] = []
            for shape, members in shapes.items():
                if any(type(k) is int for k in shape):
                    intkeyed.update(i for i, _ in members)
                    rest.extend(members)
                elif shape and len(members) >= _GROUP_MIN:
                    groups.append((len(ordered), len(ordered) + len(members), shape))
                    ordered.extend(members)
                else:
                    rest.extend(members)
            rest.sort(key=lambda x: x[0])
            rs = self._rest_start = len(ordered)
            ordered.extend(rest)
        if copy:
            assert like is not None
            self.t_idx: list[int] = like.t_idx  # (read only; _where has their positions already)
            self.t_obj: list[LuaTable] = list(map(self.objects.__getitem__, like.t_idx))
        else:
            self.t_obj = [o for _, o in ordered]
            self.t_idx = [i for i, _ in ordered]
            for j, i in enumerate(self.t_idx):
                self._where[i] = j << 2 | _T
        T = self.t_obj
        nt = len(T)
        self._t_rng = range(nt)
        # fingerprints: array parts (copies), metatables, hash parts (a group's values
        # per key; the rest's dicts copied)
        self._fa: list[Any]
        if copy and same_arr:  # (the template's where the copy's array holds the same items)
            assert like is not None
            lfa = like._fa
            self._fa = [lfa[j] if i in same_arr else _arr_copy(t.arr) for j, (i, t) in enumerate(zip(self.t_idx, T))]
        else:
            self._fa = [_arr_copy(t.arr) for t in T]
        self._fm: list[Any] = [t.meta for t in T]
        fh: list[dict | None] = [None] * rs
        if not same_hash or like is None:
            fh += [h if h is EMPTY_HASH else dict(h) for h in (t.hash for t in T[rs:])]
        else:  # (the template's own fingerprint where the copy's table holds the same keys and values)
            fh += [like._fh[j] if self.t_idx[j] in same_hash else h if h is EMPTY_HASH else dict(h)
                   for j, h in zip(range(rs, nt), (t.hash for t in T[rs:]))]
        self._fh: list[dict | None] = fh
        self._groups: list[tuple[int, int, list[tuple[Any, list, list]]]] = []
        for a, b, shape in groups:
            keys = []
            for k in shape:
                fv = list(map(dict.__getitem__, [t.hash for t in T[a:b]], repeat(k)))
                keys.append((k, fv, list(fv)))  # (key, fingerprint values, values as last seen)
            self._groups.append((a, b, keys))
        # tables compared exactly at every test: integer keys in the hash part
        self._always_t: list[int] = like._always_t if copy and like is not None else \
            [j for j in range(rs, nt) if self.t_idx[j] in intkeyed]
        # as last seen (at first, the fingerprints: lists never changed in place, replaced)
        self._seen_h: list[dict] = [t.hash for t in T]  # the dicts themselves
        self._seen_len = list(map(len, self._seen_h))
        self._seen_a: list[Any] = list(self._fa)
        self._seen_m = list(self._fm)
        self._seen_rest: list[Any] = []
        self._rest_owner: list[int] = []
        self._rest_off: list[int] = []
        self._anum: list[int] = []  # tables whose array part (as last seen) holds numbers
        self._anum_set: set[int] = set()
        self._seen_anum: list[Any] = []
        self._anum_owner: list[int] = []
        if copy and like is not None:  # (the same sizes, the same numbers in the same places)
            self._rest_owner, self._rest_off = like._rest_owner, like._rest_off
            self._seen_rest = list(chain.from_iterable(map(dict.values, self._seen_h[rs:])))
            self._anum, self._anum_set, self._anum_owner = like._anum, like._anum_set, like._anum_owner
            self._seen_anum = list(chain.from_iterable(self._seen_a[j] for j in self._anum))
        else:
            self._rebuild_rest()
            self._rebuild_anum(set(self._t_rng))
        self._verdict: set[int] = set()  # positions of tables that differ from their fingerprint
        self._force: set[int] = set()  # positions compared at the next test whatever they look like

    def _rebuild_rest(self) -> None:
        rs, nt, sh = self._rest_start, len(self.t_obj), self._seen_h
        lens = self._seen_len[rs:]
        self._seen_rest = list(chain.from_iterable(map(dict.values, sh[rs:])))
        self._rest_owner = list(chain.from_iterable(map(repeat, range(rs, nt), lens)))
        self._rest_off = [0, *accumulate(lens)]  # (by position - rest start)

    def _rebuild_anum(self, looked: set[int]) -> None:
        """The array parts holding numbers, flattened (their items compared by identity:
        `==` of lists does not tell 1 from 1.0); only tables looked at again can have
        started or stopped holding numbers."""
        sa = self._seen_a
        self._anum = sorted(j for j in {*self._anum, *looked} if sa[j] and _has_num(sa[j]))
        self._anum_set = set(self._anum)
        self._seen_anum = list(chain.from_iterable(sa[j] for j in self._anum))
        self._anum_owner = list(chain.from_iterable(map(repeat, self._anum, (len(sa[j]) for j in self._anum))))

    def _fp_hash(self, j: int) -> dict:
        """The fingerprint of table j's hash part, as a dict."""
        fh = self._fh[j]
        if fh is not None:
            return fh
        a, _, keys = next(g for g in self._groups if g[0] <= j < g[1])
        return {k: fv[j - a] for k, fv, _ in keys}

    def _tables(self) -> list[int]:
        T = self.t_obj
        if not T:
            return []
        H = [t.hash for t in T]
        sh, slen = self._seen_h, self._seen_len
        cand: set[int] = set(self._always_t)
        if self._force:
            cand.update(self._force)
            self._force.clear()
        if not all(map(is_, H, sh)):  # another dict (rebuilt): its keys may be in another order
            cand.update(_differ(H, sh))
        L = list(map(len, H))
        resized: list[int] = []
        if L != slen:
            resized = _differ(L, slen, eq, ne)
            cand.update(resized)
        get = dict.get
        for a, b, keys in self._groups:
            Hg = H[a:b]
            for k, _, sv in keys:
                cur = list(map(get, Hg, repeat(k)))
                if not all(map(is_, cur, sv)):
                    cand.update(j + a for j in _differ(cur, sv))
        self._rest(H, L, resized, cand)
        A = [t.arr for t in T]
        sa = self._seen_a
        if A != sa:
            cand.update(_differ(A, sa, eq, ne))
        if self._seen_anum:  # (the candidates as last seen: the items stay aligned)
            cur = list(chain.from_iterable(sa[j] if j in cand else A[j] for j in self._anum))
            if not all(map(is_, cur, self._seen_anum)):
                cand.update(_differ(cur, self._seen_anum, owner=self._anum_owner))
        M = [t.meta for t in T]
        if M != self._seen_m:
            cand.update(_differ(M, self._seen_m))
        if cand:
            self._look(cand, H, L, A, M)
        return [self.t_idx[j] for j in self._verdict]

    def _rest(self, H: list, L: list, resized: list[int], cand: set[int]) -> None:
        """The values of the tables of no group, flattened, against the seen ones: in
        runs of tables whose sizes did not change (the others are candidates)."""
        rs, nt = self._rest_start, len(H)
        if rs == nt:
            return
        cur = list(chain.from_iterable(map(dict.values, H[rs:])))
        sr, owner = self._seen_rest, self._rest_owner
        moved = [j for j in resized if j >= rs]
        if not moved:
            if not all(map(is_, cur, sr)):
                cand.update(_differ(cur, sr, owner=owner))
            return
        live = [0, *accumulate(L[rs:])]
        seen = self._rest_off
        prev = rs
        for j in [*moved, nt]:
            if prev < j:
                a, b, sa = live[prev - rs], live[j - rs], seen[prev - rs]
                c, s = cur[a:b], sr[sa:sa + b - a]
                if not all(map(is_, c, s)):
                    cand.update(_differ(c, s, owner=owner[sa:sa + b - a]))
            prev = j + 1

    def _look(self, cand: set[int], H: list, L: list, A: list, M: list) -> None:
        """Decide the candidates exactly, and remember them as seen now."""
        sh, slen, sa, sm = self._seen_h, self._seen_len, self._seen_a, self._seen_m
        rs, sr, off = self._rest_start, self._seen_rest, self._rest_off
        verdict = self._verdict
        rest_moved = False
        anum = False
        for j in cand:
            if self._same_table(j):
                verdict.discard(j)
            else:
                verdict.add(j)
            h = H[j]
            if j >= rs:
                if L[j] != slen[j]:
                    rest_moved = True
                elif not rest_moved:
                    sr[off[j - rs]:off[j - rs + 1]] = h.values()
            sh[j] = h
            slen[j] = L[j]
            sm[j] = M[j]
            a = A[j]
            if j in self._anum_set or a != sa[j]:
                sa[j] = a if type(a) is tuple else list(a)
                anum = True
        for a0, b, keys in self._groups:
            for j in cand:
                if a0 <= j < b:
                    h = H[j]
                    for k, _, sv in keys:
                        sv[j - a0] = h.get(k)
        if rest_moved:
            self._rebuild_rest()
        if anum:
            self._rebuild_anum(cand)

    def _same_table(self, j: int) -> bool:
        t = self.t_obj[j]
        if t.meta is not self._fm[j]:
            return False
        a, fa = t.arr, self._fa[j]
        if len(a) != len(fa) or not all(map(_same, a, fa)):
            return False
        h, fh = t.hash, self._fp_hash(j)
        if len(h) != len(fh):
            return False
        for (k, v), (k2, v2) in zip(h.items(), fh.items()):
            if not (k is k2 or _same(k, k2)) or not (v is v2 or _same(v, v2)):
                return False
        return True

    # ------------------------------------------------------------ the change test

    def changed(self) -> list[int]:
        """Base indices (ascending) of the objects whose contents are not the base's:
        coroutines and gmatch iterators always."""
        out = list(self.always)
        out.extend(self._tables())
        if self.b_obj:
            cur = [b.v for b in self.b_obj]
            if not all(map(is_, cur, self.b_val)):
                for j in compress(self._b_rng, map(is_not, cur, self.b_val)):
                    if not _same(cur[j], self.b_val[j]):
                        out.append(self.b_idx[j])
        if self.f_obj:
            if CELL_WRITES[0] != self._f_epoch:  # else no cell was replaced since the last look
                self._f_epoch = CELL_WRITES[0]
                self._f_changed = self._closures()
            out.extend(self._f_changed)
        out.sort()
        return out

    def _closures(self) -> list[int]:
        """(Only after a cell write: see CELL_WRITES.)"""
        out = []
        for f, i, fp in zip(self.f_obj, self.f_idx, self.f_cells):
            cur = _contents(f.__closure__)
            if cur is not fp and (cur is None or fp is None or len(cur) != len(fp)
                                  or not all(map(_same, cur, fp))):
                out.append(i)
        return out

    def twin(self, fn: Any, key: tuple) -> int | None:
        """The base closure a closure rebuilt from a suspended frame is a twin of
        (same prototype, same upvalues: snapshot._closure_key), if any."""
        by = self._by_code
        if by is None:
            by = self._by_code = self._closures_by_code()
        keys = self._twin_keys
        if self._twin_epoch != CELL_WRITES[0]:  # keys of closures whose cells may have changed
            keys.clear()
            self._twin_epoch = CELL_WRITES[0]
        for i in by.get(id(fn.__code__), ()):
            k = keys.get(i)
            if k is None:
                k = keys[i] = S._closure_key(self.objects[i])
            if k == key:
                return i
        return None

    # ------------------------------------------------------------ restoring

    def touched(self, indices: Any) -> None:
        """Objects of the base (by base index) written by other means than Lua code
        (a restore's patches): compared with their fingerprints at the next test."""
        for i in indices:
            w = self._where[i]
            if w & 3 == _T:
                self._force.add(w >> 2)

    def reset(self, indices: Any) -> None:
        """Give objects of the base (by base index) their fingerprinted contents back."""
        for i in indices:
            w = self._where[i]
            kind, j = w & 3, w >> 2
            if kind == _T:
                t = self.t_obj[j]
                fa, fh = self._fa[j], self._fp_hash(j)
                t.arr = NO_ARRAY if not fa else list(fa)
                cls = type(t.hash)
                if not fh:
                    t.hash = EMPTY_HASH if cls is dict else cls()
                else:
                    t.hash = dict(fh) if cls is dict else cls(fh)
                t.meta = self._fm[j]
                t.aux = None
                dead = sum(1 for x in t.hash.values() if x is None)
                if dead:
                    t._aux().dead = dead
                self._force.add(j)
            elif kind == _B:
                self.b_obj[j].v = self.b_val[j]
            elif kind == _F:
                CELL_WRITES[0] += 1
                for c, v in zip(self.f_obj[j].__closure__ or (), self.f_cells[j] or ()):
                    if v is _EMPTY:
                        try:
                            del c.cell_contents
                        except ValueError:
                            pass
                    else:
                        c.cell_contents = v


class Written:
    """A snapshot just written relative to a base (`Task.write`): its bytes, and
    the base it makes (`derive()`: the base's objects then its new ones)."""

    __slots__ = ("data", "_base", "_w")

    def __init__(self, data: bytes, base: SnapshotBase, w: Any) -> None:
        self.data = data
        self._base = base
        self._w = w

    def derive(self) -> SnapshotBase:
        base, w = self._base, self._w
        n = len(base)
        refs = {oid: (n if r.code == S.REF else 0) + int.from_bytes(r.data, "big") for oid, r in w.refs.items()}
        return SnapshotBase.derive(base, self.data, w.live, refs, w.keep, w.objects)


__all__ = ["SnapshotBase", "Written"]
