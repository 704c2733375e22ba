"""Field schemas of the entry kinds this runtime implements, and their typed views.

Each supported kind has a :class:`KindSpec`: the data fields it accepts, each a
:class:`FieldSpec` giving its type (``string``, ``integer``, ``number``,
``boolean``, ``duration``, ``list``, ``string_list``, ``mapping`` — closed when it
lists sub-fields, open otherwise —, ``ref``/``ref_list``/``ref_map`` for entry
references, ``any``), whether it is required, and for references the kinds it may
name. :func:`check_entry` validates one entry's data against its spec and returns
the *clean* values (durations as int nanoseconds, references as full IDs);
:func:`build_entry` turns them into the typed view with Wippy's defaults.

Invariants: validation never stops at the first problem — each is appended to the
:class:`Checker` and the field is left out of the clean values (the builders then
use defaults, so building never fails; the loader refuses the app anyway).
References are only *recorded* here (``Checker.refs``); whether their targets exist
and have the right kind is decided by the loader once every file is read. Data of
unsupported kinds is not looked at.

Cost: one pass over each entry's data; no I/O.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from wippy.durations import DURATION_HINT, parse_duration

from .entries import (
    LUA_KINDS,
    SUPPORTED_KINDS,
    WORKFLOW_PROVIDER_KINDS,
    Entry,
    Lifecycle,
    LuaEntry,
    Problem,
    ProcessHostEntry,
    ProcessServiceEntry,
    RestartPolicy,
    TemporalClientEntry,
    TemporalWorkerEntry,
    WorkflowHostEntry,
    is_supported,
    resolve_ref,
)

__all__ = [
    "WORKFLOW_MODULES",
    "KNOWN_MODULES",
    "FieldSpec",
    "KindSpec",
    "KIND_SPECS",
    "Ref",
    "Checker",
    "is_supported",
    "check_entry",
    "check_meta",
    "build_entry",
]

# Modules a workflow.lua entry may list: deterministic, or intercepted by the engine.
WORKFLOW_MODULES = frozenset(
    {
        "time", "os", "uuid", "funcs", "process", "workflow", "ctx", "json", "yaml",
        "base64", "hash", "text", "errors", "channel", "logger",
    }
)  # fmt: skip
# Every module name Wippy documents; another name in `modules` is a warning.
KNOWN_MODULES = WORKFLOW_MODULES | frozenset(
    {
        "env", "registry", "http_client", "sql", "fs", "exec", "store", "events", "security",
        "crypto", "excel", "templates", "websocket", "cloudstorage", "system", "contract",
        "http", "stream", "eval", "base32", "expr", "jq", "net", "tcp", "udp",
        "queue", "compress", "archive", "payload", "html", "metrics", "io", "tty", "treesitter",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FieldSpec:
    """One data field. ``ref_kinds`` (for ``ref*`` types): the kinds the target may
    have, empty for any. ``fields``: the sub-fields of a closed ``mapping``."""

    type: str
    required: bool = False
    ref_kinds: tuple[str, ...] = ()
    fields: Mapping[str, FieldSpec] | None = None
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class KindSpec:
    kind: str
    fields: Mapping[str, FieldSpec]


_DURATION = FieldSpec("duration", minimum=0)

RESTART = FieldSpec(
    "mapping",
    fields={
        "initial_delay": _DURATION,
        "max_delay": _DURATION,
        "backoff_factor": FieldSpec("number", minimum=1.0),
        "jitter": FieldSpec("number", minimum=0.0, maximum=1.0),
        "max_attempts": FieldSpec("integer", minimum=0),
    },
)
LIFECYCLE = FieldSpec(
    "mapping",
    fields={
        "auto_start": FieldSpec("boolean"),
        "start_timeout": _DURATION,
        "stop_timeout": _DURATION,
        "stable_threshold": _DURATION,
        "requires": FieldSpec("ref_list"),
        "depends_on": FieldSpec("ref_list"),
        "restart": RESTART,
        "security": FieldSpec("mapping"),
    },
)

_LUA_COMMON: dict[str, FieldSpec] = {
    "source": FieldSpec("string", required=True),
    "method": FieldSpec("string"),
    "modules": FieldSpec("string_list"),
    "imports": FieldSpec("ref_map", ref_kinds=("library.lua",)),
}

KIND_SPECS: dict[str, KindSpec] = {
    "function.lua": KindSpec(
        "function.lua",
        {
            **_LUA_COMMON,
            "pool": FieldSpec("mapping"),
            "input_schema": FieldSpec("any"),
            "output_schema": FieldSpec("any"),
        },
    ),
    "process.lua": KindSpec("process.lua", dict(_LUA_COMMON)),
    "workflow.lua": KindSpec("workflow.lua", dict(_LUA_COMMON)),
    "library.lua": KindSpec("library.lua", dict(_LUA_COMMON)),
    "process.host": KindSpec(
        "process.host",
        {
            "host": FieldSpec(
                "mapping",
                fields={
                    "workers": FieldSpec("integer", minimum=1),
                    "queue_size": FieldSpec("integer", minimum=0),
                    "local_queue_size": FieldSpec("integer", minimum=0),
                },
            ),
            "lifecycle": LIFECYCLE,
        },
    ),
    "process.service": KindSpec(
        "process.service",
        {
            "process": FieldSpec("ref", required=True, ref_kinds=("process.lua",)),
            "host": FieldSpec("ref", required=True, ref_kinds=("process.host",)),
            "input": FieldSpec("list"),
            "input_context": FieldSpec("mapping"),
            "lifecycle": LIFECYCLE,
        },
    ),
    "temporal.client": KindSpec(
        "temporal.client",
        {
            "address": FieldSpec("string", required=True),
            "namespace": FieldSpec("string"),
            "tls": FieldSpec("mapping"),
            "auth": FieldSpec("mapping"),
            "lifecycle": LIFECYCLE,
        },
    ),
    "temporal.worker": KindSpec(
        "temporal.worker",
        {
            "client": FieldSpec("ref", required=True, ref_kinds=("temporal.client",)),
            "task_queue": FieldSpec("string", required=True),
            "worker_options": FieldSpec("mapping"),
            "lifecycle": LIFECYCLE,
        },
    ),
    "workflow.host": KindSpec(
        "workflow.host",
        {
            "store": FieldSpec("string"),
            "clock": FieldSpec("string", choices=("real", "virtual")),
            "task_queue": FieldSpec("string"),
            "worker": FieldSpec("mapping"),
            "worker_options": FieldSpec("mapping"),
            "lifecycle": LIFECYCLE,
        },
    ),
}
assert set(KIND_SPECS) == SUPPORTED_KINDS


@dataclass(frozen=True)
class Ref:
    """A reference found in an entry, to be checked once all entries are known."""

    field: str
    raw: str
    target: str  # full ID
    kinds: tuple[str, ...]  # acceptable target kinds; empty: any


@dataclass
class Checker:
    """Collects the problems, warnings and references of one entry's validation."""

    file: str
    entry: str | None
    namespace: str
    problems: list[Problem]
    warnings: list[Problem]
    refs: list[Ref] = field(default_factory=list)

    def problem(self, fld: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, self.entry, fld, message))

    def warn(self, fld: str | None, message: str) -> None:
        self.warnings.append(Problem(self.file, self.entry, fld, message))


_TYPE_WORDS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "duration": "a duration",
    "list": "a list",
    "string_list": "a list of strings",
    "mapping": "a mapping",
    "ref": "an entry reference (namespace:name or name)",
    "ref_list": "a list of entry references",
    "ref_map": "a mapping of alias: entry reference",
}


def describe(value: Any) -> str:
    """How a YAML value looks to the user: ``integer 5``, ``a list``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"string {shown!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _unknown_field(ck: Checker, owner: str, key: Any, path: str, known: Mapping[str, Any]) -> None:
    close = difflib.get_close_matches(str(key), list(known), n=1) if isinstance(key, str) else []
    hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(sorted(known))
    where = f"in '{path}' of {owner}" if path else f"for {owner}"
    ck.problem(_join(path, str(key)), f"unknown field {where} ({hint})")


def check_fields(
    ck: Checker, owner: str, fields: Mapping[str, FieldSpec], data: Mapping[Any, Any], path: str = ""
) -> dict[str, Any]:
    """Validate a closed mapping; return its clean values (bad fields left out)."""
    clean: dict[str, Any] = {}
    for key, value in data.items():
        spec = fields.get(key) if isinstance(key, str) else None
        if spec is None:
            _unknown_field(ck, owner, key, path, fields)
            continue
        ok, out = check_value(ck, owner, spec, value, _join(path, key))
        if ok:
            clean[key] = out
    for key, spec in fields.items():
        if spec.required and key not in data:
            ck.problem(_join(path, key), f"missing (required for {owner})")
    return clean


def check_value(ck: Checker, owner: str, spec: FieldSpec, value: Any, path: str) -> tuple[bool, Any]:
    """Validate one value; ``(True, clean value)`` or ``(False, None)`` after
    recording the problem."""
    t = spec.type
    want = _TYPE_WORDS.get(t, t)
    if t == "any":
        return True, value
    if t == "duration":
        try:
            ns = parse_duration(value)
        except ValueError:
            ck.problem(path, f"bad duration {_show(value)} ({DURATION_HINT})")
            return False, None
        if spec.minimum is not None and ns < spec.minimum:
            ck.problem(path, f"duration must not be negative, got {_show(value)}")
            return False, None
        return True, ns
    if t == "string":
        if not isinstance(value, str):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        if spec.choices and value not in spec.choices:
            opts = ", ".join(repr(c) for c in spec.choices)
            ck.problem(path, f"must be one of {opts}, got {value!r}")
            return False, None
        return True, value
    if t in ("integer", "number"):
        if not (_is_int(value) if t == "integer" else _is_num(value)):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        if spec.minimum is not None and value < spec.minimum:
            ck.problem(path, f"must be at least {_num(spec.minimum)}, got {value}")
            return False, None
        if spec.maximum is not None and value > spec.maximum:
            ck.problem(path, f"must be at most {_num(spec.maximum)}, got {value}")
            return False, None
        return True, value
    if t == "boolean":
        if not isinstance(value, bool):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        return True, value
    if t == "list":
        if not isinstance(value, list):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        return True, value
    if t == "string_list":
        if not isinstance(value, list):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        bad = [i for i, v in enumerate(value) if not isinstance(v, str)]
        for i in bad:
            ck.problem(f"{path}[{i}]", f"must be a string, got {describe(value[i])}")
        return (not bad), value
    if t == "mapping":
        if not isinstance(value, dict):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        if spec.fields is None:
            return True, value
        return True, check_fields(ck, owner, spec.fields, value, path)
    if t == "ref":
        return _check_ref(ck, spec, value, path)
    if t == "ref_list":
        if not isinstance(value, list):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        out = []
        good = True
        for i, v in enumerate(value):
            ok, target = _check_ref(ck, spec, v, f"{path}[{i}]")
            good = good and ok
            out.append(target)
        return good, out
    if t == "ref_map":
        if not isinstance(value, dict):
            ck.problem(path, f"must be {want}, got {describe(value)}")
            return False, None
        clean: dict[str, str] = {}
        good = True
        for alias, v in value.items():
            if not isinstance(alias, str) or not alias:
                ck.problem(path, f"alias must be a non-empty string, got {describe(alias)}")
                good = False
                continue
            ok, target = _check_ref(ck, spec, v, f"{path}.{alias}")
            good = good and ok
            if ok:
                clean[alias] = target
        return good, clean
    raise AssertionError(f"unknown field type {t!r}")  # a bug in KIND_SPECS


def _check_ref(ck: Checker, spec: FieldSpec, value: Any, path: str) -> tuple[bool, Any]:
    if not isinstance(value, str) or not value or value.startswith(":") or value.endswith(":"):
        ck.problem(path, f"must be an entry reference (namespace:name or name), got {describe(value)}")
        return False, None
    target = resolve_ref(value, ck.namespace)
    ck.refs.append(Ref(path, value, target, spec.ref_kinds))
    return True, target


def _show(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    return describe(value)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


# --------------------------------------------------------------------------- entry checks


def check_entry(ck: Checker, kind: str, data: Mapping[Any, Any]) -> dict[str, Any]:
    """Validate the data of an entry of a supported kind; return its clean values."""
    spec = KIND_SPECS[kind]
    clean = check_fields(ck, kind, spec.fields, data)
    if kind in LUA_KINDS:
        _check_modules(ck, kind, clean.get("modules", ()))
    return clean


def _check_modules(ck: Checker, kind: str, modules: Any) -> None:
    workflow = kind == "workflow.lua"
    seen: set[str] = set()
    for i, mod in enumerate(modules):
        path = f"modules[{i}]"
        if mod in seen:
            ck.warn(path, f"module {mod!r} listed twice")
        seen.add(mod)
        if workflow and mod not in WORKFLOW_MODULES:
            what = "an I/O module" if mod in KNOWN_MODULES else "an unknown module"
            ck.problem(
                path,
                f"module {mod!r} is not allowed in workflows ({what}; allowed: "
                + ", ".join(sorted(WORKFLOW_MODULES))
                + ") - call it from an activity (a function.lua) instead",
            )
        elif mod not in KNOWN_MODULES:
            close = difflib.get_close_matches(mod, list(KNOWN_MODULES), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            ck.warn(path, f"unknown module {mod!r}{hint}")


def check_meta(ck: Checker, meta: Mapping[str, Any]) -> None:
    """Record the references in ``meta.temporal.{workflow,activity}.worker`` (any kind)."""
    temporal = meta.get("temporal")
    if temporal is None:
        return
    if not isinstance(temporal, dict):
        ck.problem("meta.temporal", f"must be a mapping, got {describe(temporal)}")
        return
    for role in ("workflow", "activity"):
        sub = temporal.get(role)
        if sub is None:
            continue
        path = f"meta.temporal.{role}"
        if not isinstance(sub, dict):
            ck.problem(path, f"must be a mapping, got {describe(sub)}")
            continue
        if "worker" in sub:
            spec = FieldSpec("ref", ref_kinds=tuple(sorted(WORKFLOW_PROVIDER_KINDS)))
            _check_ref(ck, spec, sub["worker"], f"{path}.worker")


# --------------------------------------------------------------------------- typed views


def build_lifecycle(clean: Mapping[str, Any] | None) -> Lifecycle:
    if not clean:
        return Lifecycle()
    r = dict(clean.get("restart", {}))
    for k in ("backoff_factor", "jitter"):
        if k in r:
            r[k] = float(r[k])
    restart = RestartPolicy(**r)
    requires: list[str] = []
    for target in [*clean.get("requires", ()), *clean.get("depends_on", ())]:
        if target not in requires:
            requires.append(target)
    kw = {k: clean[k] for k in ("auto_start", "start_timeout", "stop_timeout", "stable_threshold") if k in clean}
    return Lifecycle(**kw, requires=tuple(requires), restart=restart, security=clean.get("security"))


def build_entry(base: Entry, clean: Mapping[str, Any], source_path: str) -> Entry:
    """The typed view of ``base`` (an entry of a supported kind) from its clean data.
    ``source_path`` is used by Lua kinds (see :class:`LuaEntry`)."""
    common: dict[str, Any] = {
        "id": base.id,
        "namespace": base.namespace,
        "name": base.name,
        "kind": base.kind,
        "meta": base.meta,
        "data": base.data,
        "file": base.file,
        "index": base.index,
    }
    kind = base.kind
    if kind in LUA_KINDS:
        method = clean.get("method")
        if method is None and kind == "workflow.lua":
            method = "main"
        return LuaEntry(
            **common,
            source=clean.get("source", ""),
            source_path=source_path,
            method=method,
            modules=tuple(clean.get("modules", ())),
            imports=dict(clean.get("imports", {})),
        )
    lifecycle = build_lifecycle(clean.get("lifecycle"))
    if kind == "process.host":
        return ProcessHostEntry(**common, lifecycle=lifecycle, **clean.get("host", {}))
    if kind == "process.service":
        return ProcessServiceEntry(
            **common,
            lifecycle=lifecycle,
            process=clean.get("process", ""),
            host=clean.get("host", ""),
            input=tuple(clean.get("input", ())),
            input_context=dict(clean.get("input_context", {})),
        )
    if kind == "temporal.client":
        return TemporalClientEntry(
            **common,
            lifecycle=lifecycle,
            address=clean.get("address", ""),
            temporal_namespace=clean.get("namespace", "default"),
            tls=clean.get("tls"),
            auth=clean.get("auth"),
        )
    if kind == "temporal.worker":
        return TemporalWorkerEntry(
            **common,
            lifecycle=lifecycle,
            client=clean.get("client", ""),
            task_queue=clean.get("task_queue", ""),
            worker_options=dict(clean.get("worker_options", {})),
        )
    if kind == "workflow.host":
        return WorkflowHostEntry(
            **common,
            lifecycle=lifecycle,
            store=clean.get("store", ":memory:"),
            clock=clean.get("clock", "real"),
            task_queue=clean.get("task_queue"),
            worker={**clean.get("worker_options", {}), **clean.get("worker", {})},
        )
    raise AssertionError(f"no typed view for {kind!r}")
