"""The registry's data model: entries, their typed views, problems, and the Registry.

An *entry* is one item of a Wippy app's YAML registry: ``name``, ``kind``, ``meta``
and ``data`` (every other key), identified by ``namespace:name``. Every entry is an
:class:`Entry`; entries of the kinds this runtime implements are instances of a
typed subclass that adds the fields with their defaults filled in:

=====================  ==============================
kind                   class
=====================  ==============================
``function.lua``,      :class:`LuaEntry`
``process.lua``,
``workflow.lua``,
``library.lua``
``process.host``       :class:`ProcessHostEntry`
``process.service``    :class:`ProcessServiceEntry`
``temporal.client``    :class:`TemporalClientEntry`
``temporal.worker``    :class:`TemporalWorkerEntry`
``workflow.host``      :class:`WorkflowHostEntry` (*ours*)
=====================  ==============================

Entries of other kinds (``http.service``, ``registry.entry`` …) are plain
:class:`Entry` objects with ``supported == False`` and their data untouched.

Invariants: every reference held by a typed view (``imports`` targets,
``process``/``host``/``client``, ``lifecycle.requires``) is a *full* ID
(``ns:name``) that names an existing entry of the right kind — the loader refuses
the app otherwise. Durations are ``int`` nanoseconds. Entries are frozen; their
``meta``/``data`` dicts are shared with the registry and must be treated as
read-only. A :class:`Registry` keeps entries in load order (files sorted by path,
then position in the file).

Costs: ``Registry.get`` by full ID is a dict lookup; by bare name, one dict lookup
in a name index; ``by_kind`` is a precomputed index; ``find`` scans all entries.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wippy.durations import SECOND

__all__ = [
    "LUA_KINDS",
    "SERVICE_KINDS",
    "SUPPORTED_KINDS",
    "WORKFLOW_PROVIDER_KINDS",
    "is_supported",
    "resolve_ref",
    "split_id",
    "Problem",
    "RegistryError",
    "Entry",
    "LuaEntry",
    "RestartPolicy",
    "Lifecycle",
    "ServiceEntry",
    "ProcessHostEntry",
    "ProcessServiceEntry",
    "TemporalClientEntry",
    "TemporalWorkerEntry",
    "WorkflowHostEntry",
    "Registry",
]

LUA_KINDS = frozenset({"function.lua", "process.lua", "workflow.lua", "library.lua"})
SERVICE_KINDS = frozenset(
    {"process.host", "process.service", "temporal.client", "temporal.worker", "workflow.host"}
)
SUPPORTED_KINDS = LUA_KINDS | SERVICE_KINDS
# Kinds a workflow or activity can be registered on (meta.temporal.*.worker).
WORKFLOW_PROVIDER_KINDS = frozenset({"temporal.worker", "workflow.host"})


def is_supported(kind: str) -> bool:
    """True for the kinds this runtime validates and runs; others load as data."""
    return kind in SUPPORTED_KINDS


def split_id(entry_id: str) -> tuple[str, str]:
    """``"app.api:charge"`` -> ``("app.api", "charge")``; ValueError without a colon."""
    ns, sep, name = entry_id.partition(":")
    if not sep or not ns or not name:
        raise ValueError(f"not a full entry ID (namespace:name): {entry_id!r}")
    return ns, name


def resolve_ref(ref: str, namespace: str) -> str:
    """The full ID a reference means in ``namespace``: a full ID (``ns:name``) is
    itself, a bare name is ``namespace:name``. Existence is not checked."""
    return ref if ":" in ref else f"{namespace}:{ref}"


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or, in ``Registry.warnings``, suspicious) in an app.

    ``file`` is relative to the app directory (POSIX separators); ``entry`` the
    entry ID, if known; ``field`` a dotted path inside the entry (``lifecycle.
    restart.max_delay``, ``modules[2]``); ``line`` and ``column`` are 1-based when known. ``str()``
    is ``FILE: entry ID, field 'F': MESSAGE (line N, column C)``, the parts not known left out."""

    file: str | None
    entry: str | None
    field: str | None
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file or "<app>"
        line = ""
        if self.line is not None:
            line = f" (line {self.line}" + (f", column {self.column})" if self.column is not None else ")")
        ctx = []
        if self.entry is not None:
            ctx.append(f"entry {self.entry}")
        if self.field is not None:
            ctx.append(f"field '{self.field}'")
        if ctx:
            return f"{where}: {', '.join(ctx)}: {self.message}{line}"
        return f"{where}: {self.message}{line}"


class RegistryError(Exception):
    """The app's registry is invalid. ``problems`` lists every problem found (not just
    the first); ``str()`` gives one line per problem. ``warnings`` are the non-fatal
    findings of the same load."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None) -> None:
        self.problems = list(problems)
        self.warnings = list(warnings or [])
        super().__init__("\n".join(str(p) for p in self.problems))


# --------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """One registry entry. ``file`` is the YAML file it came from, relative to the app
    directory; ``index`` its position in that file's ``entries`` list (0 for a
    single-entry file). ``meta`` includes the file-level ``meta`` merged in."""

    id: str
    namespace: str
    name: str
    kind: str
    meta: dict[str, Any]
    data: dict[str, Any]
    file: str
    index: int

    def __hash__(self) -> int:
        return hash((self.id, self.kind, self.file, self.index))

    @property
    def supported(self) -> bool:
        """False for kinds this runtime only carries as data."""
        return is_supported(self.kind)

    def meta_get(self, dotted: str, default: Any = None) -> Any:
        """A meta value by dotted path (``"temporal.workflow.worker"``)."""
        return _dotted_get(self.meta, dotted, default)


_MISSING = object()


def _dotted_get(mapping: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    if dotted in mapping:
        return mapping[dotted]
    cur: Any = mapping
    for part in dotted.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return default
        cur = cur[part]
    return cur


@dataclass(frozen=True, kw_only=True)
class LuaEntry(Entry):
    """A ``function.lua``, ``process.lua``, ``workflow.lua`` or ``library.lua`` entry.

    ``source`` is the Lua code (a ``file://`` reference already read);
    ``source_path`` names it in Lua error messages: the Lua file relative to the app
    directory (``src/app/api.lua``), or ``<yaml file>#<entry name>`` for inline code.
    ``method`` is the entry point in the table the chunk returns (``main`` by default
    for workflows, else None: the chunk returns the function). ``imports`` maps a
    ``require`` alias to the full ID of a ``library.lua`` entry."""

    source: str
    source_path: str
    method: str | None = None
    modules: tuple[str, ...] = ()
    imports: dict[str, str] = field(default_factory=dict)

    def __hash__(self) -> int:
        return Entry.__hash__(self)

    @property
    def is_workflow(self) -> bool:
        return self.kind == "workflow.lua"


@dataclass(frozen=True)
class RestartPolicy:
    """How a supervisor restarts a failed service: the delay starts at
    ``initial_delay`` and is multiplied by ``backoff_factor`` per attempt up to
    ``max_delay``, each randomized by ±``jitter`` (a fraction); ``max_attempts`` 0
    means unlimited. Delays are nanoseconds."""

    initial_delay: int = 1 * SECOND
    max_delay: int = 90 * SECOND
    backoff_factor: float = 2.0
    jitter: float = 0.1
    max_attempts: int = 0


@dataclass(frozen=True)
class Lifecycle:
    """A service's ``lifecycle`` block with Wippy's defaults. ``requires`` merges
    ``requires`` and its alias ``depends_on`` (full IDs, in order, no repeats);
    ``stable_threshold`` is how long a service must run for its restart counter to
    reset. Durations are nanoseconds."""

    auto_start: bool = False
    start_timeout: int = 10 * SECOND
    stop_timeout: int = 10 * SECOND
    stable_threshold: int = 5 * SECOND
    requires: tuple[str, ...] = ()
    restart: RestartPolicy = field(default_factory=RestartPolicy)
    security: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class ServiceEntry(Entry):
    """An entry the supervisor starts and stops: it has a ``lifecycle``."""

    lifecycle: Lifecycle = field(default_factory=Lifecycle)

    def __hash__(self) -> int:
        return Entry.__hash__(self)


@dataclass(frozen=True, kw_only=True)
class ProcessHostEntry(ServiceEntry):
    """``process.host``: where processes run. ``workers`` defaults to the CPU count,
    ``queue_size`` to 1024, ``local_queue_size`` to 256 (*ours*: Wippy's Go
    scheduler knobs, kept as limits)."""

    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    queue_size: int = 1024
    local_queue_size: int = 256

    def __hash__(self) -> int:
        return Entry.__hash__(self)


@dataclass(frozen=True, kw_only=True)
class ProcessServiceEntry(ServiceEntry):
    """``process.service``: a supervised ``process.lua`` (``process``, full ID) run on
    a ``process.host`` (``host``, full ID) with arguments ``input``."""

    process: str
    host: str
    input: tuple[Any, ...] = ()
    input_context: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return Entry.__hash__(self)


@dataclass(frozen=True, kw_only=True)
class TemporalClientEntry(ServiceEntry):
    """``temporal.client``: a connection to a Temporal cluster. ``temporal_namespace``
    is the YAML ``namespace`` field (renamed: ``namespace`` is the entry's own)."""

    address: str
    temporal_namespace: str = "default"
    tls: dict[str, Any] | None = None
    auth: dict[str, Any] | None = None

    def __hash__(self) -> int:
        return Entry.__hash__(self)


@dataclass(frozen=True, kw_only=True)
class TemporalWorkerEntry(ServiceEntry):
    """``temporal.worker``: polls ``task_queue`` through ``client`` (full ID of a
    ``temporal.client``)."""

    client: str
    task_queue: str
    worker_options: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return Entry.__hash__(self)


@dataclass(frozen=True, kw_only=True)
class WorkflowHostEntry(ServiceEntry):
    """*ours* — ``workflow.host``: the embedded durable workflow provider.

    ``store`` is a SQLite path (relative paths are relative to the app directory:
    see :meth:`store_location`) or ``":memory:"``; ``clock`` is ``"real"`` or
    ``"virtual"`` (timers fire as soon as nothing else can run: for tests);
    ``task_queue`` an optional queue name that also addresses this host; ``worker``
    the worker options (``worker_options`` is accepted as an alias)."""

    store: str = ":memory:"
    clock: str = "real"
    task_queue: str | None = None
    worker: dict[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return Entry.__hash__(self)

    def store_location(self, app_dir: str | Path) -> str:
        """``":memory:"`` or the absolute path of the store file."""
        if self.store == ":memory:":
            return self.store
        p = Path(self.store).expanduser()
        return str(p if p.is_absolute() else Path(app_dir) / p)


# --------------------------------------------------------------------------- registry


class Registry:
    """A loaded, validated app: its entries by full ID, in load order.

    ``root`` is the directory the YAML tree was read from (``app_dir/src`` when it
    exists); ``warnings`` the non-fatal findings of the load (unknown module names,
    YAML files that look like registry files but are not)."""

    def __init__(
        self,
        entries: Mapping[str, Entry] | Iterable[Entry],
        *,
        root: str | Path,
        app_dir: str | Path,
        warnings: Iterable[Problem] = (),
    ) -> None:
        if isinstance(entries, Mapping):
            self.entries: dict[str, Entry] = dict(entries)
        else:
            self.entries = {e.id: e for e in entries}
        self.root = Path(root)
        self.app_dir = Path(app_dir)
        self.warnings: list[Problem] = list(warnings)
        self._by_kind: dict[str, list[Entry]] = {}
        self._by_name: dict[str, list[Entry]] = {}
        for e in self.entries.values():
            self._by_kind.setdefault(e.kind, []).append(e)
            self._by_name.setdefault(e.name, []).append(e)

    def __repr__(self) -> str:
        return f"<Registry {self.app_dir} ({len(self.entries)} entries)>"

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.entries.values())

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def __getitem__(self, entry_id: str) -> Entry:
        """The entry with this full ID; KeyError if none."""
        return self.entries[entry_id]

    @staticmethod
    def resolve(ref: str, namespace: str) -> str:
        """The full ID ``ref`` means from ``namespace`` (see :func:`resolve_ref`)."""
        return resolve_ref(ref, namespace)

    def get(self, id_or_name: str, namespace: str | None = None) -> Entry | None:
        """Look an entry up by full ID, or by bare name: in ``namespace`` when given,
        else across the app — None if no entry has that name, ``LookupError``
        (naming the candidates) if several do."""
        if ":" in id_or_name:
            return self.entries.get(id_or_name)
        if namespace is not None:
            return self.entries.get(f"{namespace}:{id_or_name}")
        found = self._by_name.get(id_or_name, [])
        if len(found) > 1:
            ids = ", ".join(e.id for e in found)
            raise LookupError(f"entry name {id_or_name!r} is ambiguous: {ids}")
        return found[0] if found else None

    def by_kind(self, *kinds: str) -> list[Entry]:
        """Entries of any of these kinds, in load order."""
        if len(kinds) == 1:
            return list(self._by_kind.get(kinds[0], ()))
        wanted = set(kinds)
        return [e for e in self.entries.values() if e.kind in wanted]

    def find(self, **meta_criteria: Any) -> list[Entry]:
        """Entries whose ``meta`` has all these values (equality). Keys may be
        dotted paths into nested meta: ``find(**{"temporal.workflow.worker": id})``."""
        out = []
        for e in self.entries.values():
            for key, want in meta_criteria.items():
                got = _dotted_get(e.meta, key, _MISSING)
                # bool is not int here: meta `order: 1` must not match True
                if got is _MISSING or got != want or isinstance(got, bool) != isinstance(want, bool):
                    break
            else:
                out.append(e)
        return out

    def namespaces(self) -> list[str]:
        """The namespaces of the app, sorted."""
        return sorted({e.namespace for e in self.entries.values()})
