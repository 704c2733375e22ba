"""Checkpoints of workflow runs: each step's snapshot, written relative to a base.

Concept. A run's *fresh base* is its Lua state before its first step (the
kernel, the modules' Lua surfaces, the entry's chunk run, the task created but
not started): the base of its code bundle's template (template.py), of which
the run is a copy; built from the pinned code alone (its seed and input are
written by its first checkpoint), so it is the same, object for object, in every
process running the same wippy (luavm/snapshot_base.py, luavm/instantiate.py).
A step's snapshot names the base's objects instead of writing them and writes
only what changed since (luavm's base-relative format), so a small waiting
workflow checkpoints in ~1 KB instead of ~23 KB.

Rebasing. What a run creates after its first step is not in the fresh base and
would be written again at every step (a workflow holding 10,000 tables wrote
~240 KB per step). So when a step's snapshot is over REBASE_MIN bytes and what
the snapshots since the current base cost (steps since it × this size) reaches
the size of the base row (0 for the fresh base: at once), the run is *rebased*
(ski rental: a state that keeps changing costs at most about twice what writing
its changes costs; one that stops changing costs one rebase). That step's
snapshot, written relative to the fresh base, is stored as the run's *base row*
too (store.snapshot_bases), and the state it wrote (the fresh base's objects,
then its new ones: `Task.rebase`, `luavm.restore_derived`) becomes the base of
the following steps' snapshots. A stored snapshot is therefore relative to the
fresh base or to the base row, never to another step's snapshot: restoring needs
the fresh base and at most one base row (no chains, no periodic full snapshots).

Determinism. Whether a step rebases depends on snapshot sizes (canonical: the
same state gives the same bytes in any process), step numbers and the base row's
size: a replay (verify.py) that takes each step's checkpoint with `take` reaches
the same bases and the same bytes, whose hashes the history records.

Costs (bench/checkpoint.py, bench/NOTES.md): building a template's base is one
full snapshot's work (~7 ms for a small workflow), once per code bundle and
process; each run (start, restore, replay) copies it in ~0.2–0.25 ms of CPU and
keeps ~80 KB (its state and fingerprints: wippy's Lua closures are shared by the
copies); a step's checkpoint of a small waiting workflow is ~0.15 ms and ~0.8 KB.

Invariants. `take` is called once per step (a second call at the same state
could write relative to the base the first call made). A run's chain is kept
with the run object (weakly: it goes with the run); a run without one (made by
other code) is checkpointed as a standalone snapshot.
"""

from __future__ import annotations

import types
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import luavm

from .. import codebook

if TYPE_CHECKING:
    from .engine import WorkflowHost
    from .run import WorkflowRun
    from .store import Store, WorkflowRow

REBASE_MIN = 16 * 1024  # bytes: a snapshot this big never rebases


@dataclass
class Chain:
    """What a run's snapshots are written relative to."""

    fresh: Any  # luavm.SnapshotBase of the run before its first step
    base: Any  # the current base: `fresh`, or the run's state at `base_step`
    base_data: bytes | None = None  # the base row: the snapshot (relative to fresh) `base` was taken at
    base_step: int = 0
    base_stored: bool = True  # the base row is in the store
    last: Checkpoint | None = None  # the latest checkpoint taken


@dataclass
class Checkpoint:
    data: bytes  # the step's snapshot
    base: bytes | None = None  # a base row the store does not have yet (the step rebased)


_CHAINS: weakref.WeakKeyDictionary[Any, Chain] = weakref.WeakKeyDictionary()


def fresh_base(run: WorkflowRun) -> Any:
    """The snapshot base of a run that has not started: its template's (a run made
    by new_run), else built from its state."""
    b = run.fresh_base
    return b if b is not None else run.task.snapshot_base()


R = TypeVar("R", bound="WorkflowRun")


def start(run: R) -> R:
    """Give a fresh run (not started) its chain: the base is its state now."""
    base = fresh_base(run)
    _CHAINS[run] = Chain(base, base)
    return run


def attach(run: WorkflowRun, chain: Chain) -> None:
    _CHAINS[run] = chain


def chain_of(run: WorkflowRun) -> Chain | None:
    return _CHAINS.get(run)


def take(run: WorkflowRun, step_no: int) -> Checkpoint:
    """The checkpoint of a run after step `step_no` (rebasing it when due)."""
    code = codebook.book()
    ch = _CHAINS.get(run)
    if ch is None:
        return Checkpoint(run.task.snapshot(code=code))
    task = run.task
    written = task.write(code=code, base=ch.base)
    data = written.data
    if len(data) > REBASE_MIN and (step_no - ch.base_step) * len(data) >= len(ch.base_data or b""):
        if ch.base is ch.fresh:
            ch.base = written.derive()
        else:  # (written again, relative to the fresh base)
            data, ch.base = task.rebase(ch.fresh, code=code)
        ch.base_data = data
        ch.base_step = step_no
        ch.base_stored = False
    cp = Checkpoint(data)
    if not ch.base_stored:
        cp.base = ch.base_data
        ch.base_stored = True  # written with this step's commit
    ch.last = cp
    return cp


def restore(host: WorkflowHost, row: WorkflowRow, data: bytes) -> tuple[luavm.Task, Chain | None]:
    """Rebuild a run's task from its stored snapshot: onto its fresh base (built
    from the pinned code), through its base row when it was rebased. A snapshot
    that stands alone (written before base-relative snapshots) restores as such."""
    from .code import new_run

    bundle = host.store.code(row.code_hash or "")
    if bundle is None:
        raise luavm.SnapshotError(f"the run's code {row.code_hash} is not in the store")
    _register(bundle)
    allowed = host._allowed
    digest = luavm.snapshot_base_digest(data)
    if digest is None:
        return luavm.restore(data, functions=allowed, code=codebook.book()), None
    run = new_run(host.app.scheduler, None, row, bundle)
    return _onto(run, host.store, row, data, digest, allowed)


def _onto(run: WorkflowRun, store: Store, row: WorkflowRow, data: bytes, digest: bytes,
          allowed: Any) -> tuple[luavm.Task, Chain]:
    fresh = fresh_base(run)
    ch = Chain(fresh, fresh)
    book = codebook.book()
    b = store.snapshot_base(row.id)
    if digest == fresh.digest and (b is None or b[1] != data):  # the run was never rebased
        return luavm.restore(data, functions=allowed, code=book, base=fresh), ch
    if b is None:
        raise luavm.SnapshotError(
            "the snapshot was written against another base of the run's code than this process builds "
            f"({digest.hex()[:12]} vs {fresh.digest.hex()[:12]}: wippy's or luavm's own Lua changed since?) "
            "and the store has no base row for it")
    step, base_data = b
    task, base = luavm.restore_derived(base_data, functions=allowed, code=book, base=fresh)
    if data != base_data:  # (else: the run was rebased at this step: the snapshot is the base row)
        if base.digest != digest:
            raise luavm.SnapshotError("the snapshot is relative to another base than the stored base row")
        task = luavm.restore(data, functions=allowed, code=book, base=base)
    ch.base, ch.base_data, ch.base_step = base, base_data, step
    return task, ch


def standalone(store: Store, row: WorkflowRow, data: bytes) -> bytes:
    """The run's stored snapshot as one that stands alone (for readers such as
    `luavm.inspect_snapshot`): restored onto its bases, written again without one."""
    if luavm.snapshot_base_digest(data) is None:
        return data
    from ..luastate import primitives
    from .code import new_run

    bundle = store.code(row.code_hash or "")
    if bundle is None:
        raise luavm.SnapshotError(f"the run's code {row.code_hash} is not in the store")
    _register(bundle)
    run = new_run(types.SimpleNamespace(node="inspect"), None, row, bundle)
    task, _ = _onto(run, store, row, data, luavm.snapshot_base_digest(data) or b"", primitives())
    return task.snapshot(code=codebook.book())


def _register(bundle: dict[str, Any]) -> None:
    for k, v in bundle.items():
        if k != "__entry__":
            codebook.add(v["source"])


__all__ = ["Chain", "Checkpoint", "REBASE_MIN", "attach", "chain_of", "fresh_base",
           "restore", "standalone", "start", "take"]
