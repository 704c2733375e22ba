"""wippy.registry: a Wippy app's YAML registry, loaded and validated.

``load_registry(app_dir)`` reads every registry file under ``APP_DIR/src`` (or
``APP_DIR``) and returns a :class:`Registry` of typed entries, or raises
:class:`RegistryError` listing every problem (file, entry, field, line). See
:mod:`wippy.registry.loader` for the loading rules, :mod:`wippy.registry.entries`
for the data model and :mod:`wippy.registry.kinds` for the field schemas.

Invariants: a returned registry is consistent (every reference names an existing
entry of the right kind, durations are int nanoseconds, workflows list only
workflow-safe modules); entries are in deterministic load order.
"""

from .entries import (
    LUA_KINDS,
    SERVICE_KINDS,
    SUPPORTED_KINDS,
    WORKFLOW_PROVIDER_KINDS,
    Entry,
    Lifecycle,
    LuaEntry,
    Problem,
    ProcessHostEntry,
    ProcessServiceEntry,
    Registry,
    RegistryError,
    RestartPolicy,
    ServiceEntry,
    TemporalClientEntry,
    TemporalWorkerEntry,
    WorkflowHostEntry,
    is_supported,
    resolve_ref,
    split_id,
)
from .kinds import KIND_SPECS, KNOWN_MODULES, WORKFLOW_MODULES
from .loader import load_registry

__all__ = [
    "load_registry",
    "Registry",
    "RegistryError",
    "Problem",
    "Entry",
    "LuaEntry",
    "ServiceEntry",
    "ProcessHostEntry",
    "ProcessServiceEntry",
    "TemporalClientEntry",
    "TemporalWorkerEntry",
    "WorkflowHostEntry",
    "Lifecycle",
    "RestartPolicy",
    "is_supported",
    "resolve_ref",
    "split_id",
    "LUA_KINDS",
    "SERVICE_KINDS",
    "SUPPORTED_KINDS",
    "WORKFLOW_PROVIDER_KINDS",
    "WORKFLOW_MODULES",
    "KNOWN_MODULES",
    "KIND_SPECS",
]
