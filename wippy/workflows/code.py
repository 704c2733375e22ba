"""The code a workflow run is pinned to.

A run starts on the entry's source and its libraries' as they are at start
(`code_bundle`), stored once per hash in the store; restore, replay (`verify`)
and `migrate` build the run's Lua state from that bundle, never from the app's
current registry, so a deployment does not change a running workflow's code.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from ..registry import LuaEntry
from .run import WorkflowRun
from .store import WorkflowRow

if TYPE_CHECKING:
    from ..app import App
    from .engine import WorkflowHost


def code_bundle(app: App, entry: LuaEntry) -> dict[str, Any]:
    """The code a run is pinned to: the entry's source and its libraries', by ID."""
    out: dict[str, Any] = {}
    todo = [entry.id]
    while todo:
        eid = todo.pop()
        if eid in out:
            continue
        e = app.registry.get(eid)
        if not isinstance(e, LuaEntry):
            continue
        out[eid] = {"id": e.id, "kind": e.kind, "source": e.source, "source_path": e.source_path,
                    "method": e.method, "modules": list(e.modules), "imports": dict(e.imports)}
        todo.extend(e.imports.values())
    out["__entry__"] = entry.id
    return out


def bundle_lookup(bundle: dict[str, Any]) -> Any:
    entries = {k: LuaEntry(id=v["id"], namespace=v["id"].split(":")[0], name=v["id"].split(":")[-1],
                           kind=v["kind"], meta={}, data={}, file="", index=0, source=v["source"],
                           source_path=v["source_path"], method=v["method"], modules=tuple(v["modules"]),
                           imports=dict(v["imports"]))
               for k, v in bundle.items() if k != "__entry__"}
    return entries.get


def new_run(scheduler: Any, host: WorkflowHost | None, row: WorkflowRow, bundle: dict[str, Any],
            cls: type[WorkflowRun] = WorkflowRun, **kw: Any) -> WorkflowRun:
    """A fresh run of a workflow from its pinned code (start; `cls` a ReplayRun for
    replay): a copy of the bundle's template (template.py)."""
    from .template import instantiate

    return instantiate(scheduler, host, row, bundle, cls, **kw)


def bundle_hash(bundle: dict[str, Any]) -> str:
    """The name a bundle is stored under."""
    return hashlib.sha256(repr(sorted(bundle.items())).encode()).hexdigest()[:32]


__all__ = ["code_bundle", "bundle_lookup", "bundle_hash", "new_run"]
