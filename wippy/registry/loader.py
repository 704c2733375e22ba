"""Loading a Wippy app: the YAML tree under ``APP_DIR/src`` (or ``APP_DIR``) into a
validated :class:`~wippy.registry.entries.Registry`.

Concept. The registry is every ``*.yaml``/``*.yml`` file of the tree (hidden
directories skipped) that is a mapping with ``namespace:`` and either ``entries:``
(a list) or one top-level entry (``name`` + ``kind``). For each entry: the file's
``meta`` is merged under the entry's (entry keys win; nested mappings merged one
level deep); every key but ``name``/``kind``/``meta`` is data (an explicit ``data:``
mapping replaces them); every string in the data that begins ``file://`` is replaced
by that file's text (path relative to the YAML file, never outside the root); the
entries of supported kinds are checked against :mod:`~wippy.registry.kinds` and
turned into typed views; then the references between entries are checked (they
must exist and have the right kind) and ``lifecycle.requires`` / library
``imports`` must not form cycles.

Invariants. Loading is deterministic: files are read in sorted path order, entries
in file order, so ``Registry.entries`` and the problem list are the same on every
run. The load either returns a registry in which every reference holds, or raises
``RegistryError`` listing *all* problems found (each with file, entry, field and,
where the YAML can be found again, a line number). Nothing outside the root is ever
read through ``file://``.

Costs. One read and one C-accelerated YAML parse (``CSafeLoader`` when available)
per file, unless the file's parsed document is in the disk cache
(:mod:`~wippy.registry.cache`, by the file's bytes): an app whose files are all
cached never imports PyYAML (~25 ms) nor parses (~10 ms per 50 entries); each ``file://`` target is read once however often it is referenced; one
pass per entry for validation and one over the references. Line numbers are only
computed when there are problems (the files concerned are composed again).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeGuard

from . import cache
from .entries import (
    Entry,
    LuaEntry,
    Problem,
    Registry,
    RegistryError,
    ServiceEntry,
    is_supported,
)
from .kinds import Checker, Ref, build_entry, check_entry, check_meta, describe

if TYPE_CHECKING:
    import yaml

__all__ = ["load_registry", "yaml_loader"]


def yaml_loader() -> type:
    """PyYAML's safe loader, the C one when available (imports PyYAML: not at start-up,
    where every file may come from the cache)."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(raw: bytes) -> Any:
    """A registry file's document: from the cache when these bytes were parsed before,
    else parsed (and cached). Raises yaml.YAMLError."""
    k = cache.key(raw, cache.parser_id()) if cache.enabled() else ""
    if k:
        hit, doc = cache.get(k)
        if hit:
            return doc
    import yaml

    doc = yaml.load(raw, Loader=yaml_loader())  # noqa: S506 - a safe loader
    if k:
        cache.put(k, doc)
    return doc

_FILE_PREFIX = "file://"
_ENTRY_KEYS = frozenset({"name", "kind", "meta"})
_SINGLE_FILE_KEYS = frozenset({"namespace", "version", "name", "kind", "meta"})
_FIELD_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def load_registry(app_dir: str | Path) -> Registry:
    """Load and validate the app in ``app_dir``; raise ``RegistryError`` listing every
    problem if it is not valid."""
    return _Loader(Path(app_dir)).load()


@dataclass
class _RefSite:
    ref: Ref
    file: str
    entry: str
    index: int


class _FileError(Exception):
    """A ``file://`` reference that cannot be read."""


class _Loader:
    def __init__(self, app_dir: Path) -> None:
        self.app_dir = Path(os.path.abspath(app_dir))
        self.app_prefix = os.path.join(str(self.app_dir), "")
        src = self.app_dir / "src"
        self.root = src if src.is_dir() else self.app_dir
        self.root_real = os.path.realpath(self.root)
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.entries: dict[str, Entry] = {}
        self.where: dict[str, tuple[str, int]] = {}  # id -> (file, index) of first definition
        self.ref_sites: list[_RefSite] = []
        self.file_cache: dict[str, str | _FileError] = {}  # real path -> text
        self.ref_cache: dict[str, tuple[str | _FileError, str]] = {}  # joined path -> (text, rel)
        self.dir_real: dict[str, str] = {}  # a directory as joined -> its real path
        self.texts: dict[str, bytes] = {}  # rel yaml path -> bytes (for line numbers)
        self.layout: dict[str, bool] = {}  # rel yaml path -> single-entry file?
        self.data_key: set[tuple[str, int]] = set()  # entries whose data is under `data:`
        self.problem_index: dict[int, int] = {}  # id(problem) -> entry index in its file

    # ------------------------------------------------------------------ driver

    def load(self) -> Registry:
        if not self.app_dir.is_dir():
            raise RegistryError([Problem(str(self.app_dir), None, None, "app directory not found")])
        files = self._yaml_files()
        for path, rel in files:
            self._load_file(path, rel)
        if not self.entries and not self.problems:
            self.warnings.append(
                Problem(self._rel(str(self.root)) or ".", None, None, "no registry entries found")
            )
        self._check_refs()
        self._check_cycles()
        self._add_lines()
        if self.problems:
            # grouped by file, in line order; stable, so one entry's problems keep their order
            problems = sorted(self.problems, key=lambda p: (p.file or "", p.line or 0))
            raise RegistryError(problems, self.warnings)
        return Registry(self.entries, root=self.root, app_dir=self.app_dir, warnings=self.warnings)

    def _rel(self, path: str) -> str:
        if path.startswith(self.app_prefix) and os.sep + ".." not in path and os.sep + "." + os.sep not in path:
            return path[len(self.app_prefix):].replace(os.sep, "/")  # (relpath's answer, without its work)
        rel = os.path.relpath(path, self.app_dir)
        return "" if rel == "." else rel.replace(os.sep, "/")

    def _yaml_files(self) -> list[tuple[str, str]]:
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for fn in filenames:
                if fn.endswith((".yaml", ".yml")) and not fn.startswith("."):
                    path = os.path.join(dirpath, fn)
                    found.append((path, self._rel(path)))
        found.sort(key=lambda pr: pr[1])
        return found

    # ------------------------------------------------------------------ files

    def _load_file(self, path: str, rel: str) -> None:
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError as e:
            self.problems.append(Problem(rel, None, None, f"cannot read: {e.strerror}"))
            return
        try:
            doc = parse_yaml(raw)
        except Exception as e:  # noqa: BLE001 - yaml.YAMLError (PyYAML may not be imported yet)
            if not _is_yaml_error(e):
                raise
            self.problems.append(_yaml_problem(rel, e))
            return
        if not isinstance(doc, dict) or "namespace" not in doc:
            if isinstance(doc, dict) and "entries" in doc:
                self.warnings.append(Problem(rel, None, None, "has 'entries' but no 'namespace': ignored"))
            return
        single = "entries" not in doc and ("name" in doc or "kind" in doc)
        if "entries" not in doc and not single:
            return  # a namespace-level file without entries (e.g. an _index.yaml stub)
        self.texts[rel] = raw
        self.layout[rel] = single
        namespace = doc["namespace"]
        if not isinstance(namespace, str) or not namespace or ":" in namespace:
            self.problems.append(
                Problem(rel, None, "namespace", f"must be a non-empty string without ':', got {describe(namespace)}")
            )
            return
        file_meta: Any = {} if single else doc.get("meta")
        if file_meta is None:
            file_meta = {}
        if not isinstance(file_meta, dict):
            self.problems.append(Problem(rel, None, "meta", f"must be a mapping, got {describe(file_meta)}"))
            file_meta = {}
        yaml_dir = os.path.dirname(path)
        if single:
            item = {k: v for k, v in doc.items() if k != "namespace" and k != "version"}
            self._load_entry(item, namespace, file_meta, rel, yaml_dir, 0, _SINGLE_FILE_KEYS)
            return
        items = doc["entries"]
        if items is None:
            return
        if not isinstance(items, list):
            self.problems.append(Problem(rel, None, "entries", f"must be a list, got {describe(items)}"))
            return
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                self._problem(Problem(rel, None, f"entries[{index}]", f"must be a mapping, got {describe(item)}"), index)
                continue
            self._load_entry(item, namespace, file_meta, rel, yaml_dir, index, _ENTRY_KEYS)

    def _problem(self, p: Problem, index: int | None) -> None:
        self.problems.append(p)
        if index is not None:
            self.problem_index[id(p)] = index

    # ------------------------------------------------------------------ entries

    def _load_entry(
        self,
        item: dict[Any, Any],
        namespace: str,
        file_meta: dict[str, Any],
        rel: str,
        yaml_dir: str,
        index: int,
        reserved: frozenset[str],
    ) -> None:
        p0, w0 = len(self.problems), len(self.warnings)
        name, kind = item.get("name"), item.get("kind")
        label = f"entries[{index}]" if not self.layout[rel] else "the entry"
        ok = True
        if not isinstance(name, str) or not name or ":" in name:
            if name is None:
                msg = f"missing in {label}"
            else:
                msg = f"must be a non-empty string without ':', got {describe(name)} (in {label})"
            self.problems.append(Problem(rel, None, "name", msg))
            ok = False
        if not isinstance(kind, str) or not kind:
            eid = f"{namespace}:{name}" if ok else None
            msg = "missing" if kind is None else f"must be a non-empty string, got {describe(kind)}"
            if eid is None:
                msg += f" in {label}"
            self.problems.append(Problem(rel, eid, "kind", msg))
            ok = False
        if not ok:
            self._tag(p0, w0, index)
            return
        assert isinstance(name, str) and isinstance(kind, str)
        eid = f"{namespace}:{name}"
        ck = Checker(rel, eid, namespace, self.problems, self.warnings)
        supported = is_supported(kind)

        first = self.where.get(eid)
        if first is not None:
            other = first[0] if first[0] != rel else f"entries[{first[1]}] of the same file"
            ck.problem(None, f"duplicate ID {eid} (also defined in {other})")

        meta = _merge_meta(file_meta, item.get("meta"), ck)
        check_meta(ck, meta)

        if "data" in item:
            data = item["data"]
            if data is None:
                data = {}
            elif not isinstance(data, dict):
                ck.problem("data", f"must be a mapping, got {describe(data)}")
                data = {}
            for key in item:
                if key not in reserved and key != "data":
                    msg = f"unknown field for {kind} (the data is given by 'data:')"
                    (ck.problem if supported else ck.warn)(str(key), msg)
            self.data_key.add((rel, index))
        else:
            data = {k: v for k, v in item.items() if k not in reserved}

        file_fields: dict[str, str] = {}
        data = self._substitute(data, yaml_dir, ck, "", file_fields)

        base = Entry(eid, namespace, name, kind, meta, data, rel, index)
        entry: Entry = base
        if supported:
            clean = check_entry(ck, kind, data)
            source_path = file_fields.get("source") or f"{rel}#{name}"
            entry = build_entry(base, clean, source_path)
        for ref in ck.refs:
            self.ref_sites.append(_RefSite(ref, rel, eid, index))
        if first is None:
            self.entries[eid] = entry
            self.where[eid] = (rel, index)
        self._tag(p0, w0, index)

    def _tag(self, p0: int, w0: int, index: int) -> None:
        for p in self.problems[p0:]:
            self.problem_index[id(p)] = index
        for w in self.warnings[w0:]:
            self.problem_index[id(w)] = index

    def _substitute(self, value: Any, yaml_dir: str, ck: Checker, path: str, found: dict[str, str]) -> Any:
        """``value`` with every ``file://`` string replaced by the file's text."""
        if isinstance(value, str):
            if not value.startswith(_FILE_PREFIX):
                return value
            try:
                text, rel = self._read_ref(value[len(_FILE_PREFIX) :], yaml_dir)
            except _FileError as e:
                ck.problem(path or None, str(e))
                return value
            found[path] = rel
            return text
        if isinstance(value, dict):
            return {k: self._substitute(v, yaml_dir, ck, _join(path, k), found) for k, v in value.items()}
        if isinstance(value, list):
            return [self._substitute(v, yaml_dir, ck, f"{path}[{i}]", found) for i, v in enumerate(value)]
        return value

    def _read_ref(self, target: str, yaml_dir: str) -> tuple[str, str]:
        if not target:
            raise _FileError("empty file:// reference")
        joined = os.path.join(yaml_dir, target)
        known = self.ref_cache.get(joined)
        if known is None:
            full = self._realpath(joined)
            cached = self.file_cache.get(full)
            if cached is None:
                cached = self._read_file(full)
                self.file_cache[full] = cached
            known = self.ref_cache[joined] = (cached, self._rel(full))
        content, rel = known
        if isinstance(content, _FileError):
            raise _FileError(f'file "{target}" {content}')
        return content, rel

    def _realpath(self, joined: str) -> str:
        """os.path.realpath(joined), resolving each directory once per load (realpath
        lstats every component of every path: ~6 system calls a file). The last
        component still resolves through realpath when it is a link (or . / ..)."""
        d, base = os.path.split(joined)
        if not d or base in ("", ".", ".."):
            return os.path.realpath(joined)
        real_dir = self.dir_real.get(d)
        if real_dir is None:
            real_dir = self.dir_real[d] = os.path.realpath(d)
        full = os.path.join(real_dir, base)
        return os.path.realpath(full) if os.path.islink(full) else full

    def _read_file(self, full: str) -> str | _FileError:
        """The text of ``full``, or why it cannot be had (the reason, without the name)."""
        root = self.root_real
        if full != root and not full.startswith(root + os.sep):
            where = self._rel(str(self.root)) or "the app directory"
            return _FileError(f"is outside the app root ({where}): refused")
        try:
            with open(full, "rb") as fh:
                raw = fh.read()
        except FileNotFoundError:
            return _FileError(f"not found (looked for {self._rel(full)})")
        except IsADirectoryError:
            return _FileError(f"is a directory ({self._rel(full)})")
        except OSError as e:
            return _FileError(f"cannot be read: {e.strerror}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return _FileError(f"is not UTF-8 text (byte {e.start})")

    # ------------------------------------------------------------------ references

    def _check_refs(self) -> None:
        for site in self.ref_sites:
            ref = site.ref
            target = self.entries.get(ref.target)
            if target is None:
                shown = f'"{ref.target}"' + (f' (from "{ref.raw}")' if ref.raw != ref.target else "")
                close = difflib.get_close_matches(ref.target, list(self.entries), n=1, cutoff=0.75)
                hint = f"; did you mean {close[0]}?" if close else ""
                msg = f"no entry {shown}{hint}"
            elif ref.kinds and target.kind not in ref.kinds:
                msg = f"{target.id} is a {target.kind}, expected {' or '.join(ref.kinds)}"
            else:
                continue
            self._problem(Problem(site.file, site.entry, ref.field, msg), site.index)

    def _check_cycles(self) -> None:
        requires = {
            e.id: list(e.lifecycle.requires) for e in self.entries.values() if isinstance(e, ServiceEntry)
        }
        self._cycles(requires, "lifecycle.requires", "dependency cycle")
        imports = {
            e.id: list(e.imports.values())
            for e in self.entries.values()
            if isinstance(e, LuaEntry) and e.kind == "library.lua"  # only libraries can be imported
        }
        self._cycles(imports, "imports", "import cycle")

    def _cycles(self, graph: Mapping[str, list[str]], fld: str, what: str) -> None:
        """Report each cycle of ``graph`` once (iterative DFS, colours)."""
        state: dict[str, int] = {}  # 1 on stack, 2 done
        for start in graph:
            if state.get(start):
                continue
            stack: list[tuple[str, int]] = [(start, 0)]
            path: list[str] = [start]
            state[start] = 1
            while stack:
                node, i = stack[-1]
                succ = graph.get(node, [])
                if i < len(succ):
                    stack[-1] = (node, i + 1)
                    nxt = succ[i]
                    st = state.get(nxt, 0)
                    if st == 1:
                        cycle = path[path.index(nxt) :] + [nxt]
                        e = self.entries[nxt]
                        self._problem(
                            Problem(e.file, e.id, fld, f"{what}: {' -> '.join(cycle)}"), e.index
                        )
                    elif st == 0 and nxt in graph:
                        state[nxt] = 1
                        stack.append((nxt, 0))
                        path.append(nxt)
                else:
                    state[node] = 2
                    stack.pop()
                    path.pop()

    # ------------------------------------------------------------------ line numbers

    def _add_lines(self) -> None:
        """Give each problem/warning about an entry the line of the YAML it names."""
        wanted = {p.file for p in (*self.problems, *self.warnings) if p.line is None and id(p) in self.problem_index}
        if not wanted:
            return
        import yaml

        trees: dict[str, Any] = {}
        for rel in wanted:
            if rel is None or rel not in self.texts:
                continue
            try:
                trees[rel] = yaml.compose(self.texts[rel], Loader=yaml_loader())
            except yaml.YAMLError:
                continue

        def locate(p: Problem) -> Problem:
            index = self.problem_index.get(id(p))
            tree = trees.get(p.file or "")
            if p.line is not None or index is None or tree is None:
                return p
            line = _find_line(tree, self.layout[p.file or ""], index, (p.file, index) in self.data_key, p.field)
            return replace(p, line=line) if line is not None else p

        self.problems = [locate(p) for p in self.problems]
        self.warnings = [locate(w) for w in self.warnings]


# ---------------------------------------------------------------------- helpers


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _merge_meta(file_meta: dict[str, Any], entry_meta: Any, ck: Checker) -> dict[str, Any]:
    if entry_meta is None:
        entry_meta = {}
    elif not isinstance(entry_meta, dict):
        ck.problem("meta", f"must be a mapping, got {describe(entry_meta)}")
        entry_meta = {}
    if not file_meta:
        return dict(entry_meta)
    # nested mappings copied too: entries must not share (and so alias) them
    out = {k: dict(v) if isinstance(v, dict) else v for k, v in file_meta.items()}
    for key, value in entry_meta.items():
        under = out.get(key)
        out[key] = {**under, **value} if isinstance(under, dict) and isinstance(value, dict) else value
    return out


def _is_yaml_error(e: Exception) -> TypeGuard[yaml.YAMLError]:
    import yaml

    return isinstance(e, yaml.YAMLError)


def _yaml_problem(rel: str, e: yaml.YAMLError) -> Problem:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None)
    context = getattr(e, "context", None)
    if problem:
        msg = f"bad YAML: {problem}" + (f" ({context})" if context else "")
    else:
        msg = f"bad YAML: {str(e).splitlines()[0]}"
    if mark is None:
        return Problem(rel, None, None, msg)
    return Problem(rel, None, None, msg, line=mark.line + 1, column=mark.column + 1)


def _map_get(node: Any, key: str) -> tuple[Any, Any] | None:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _find_line(tree: Any, single: bool, index: int, data_key: bool, fld: str | None) -> int | None:
    import yaml

    node = tree
    if not single:
        found = _map_get(tree, "entries")
        if found is None or not isinstance(found[1], yaml.SequenceNode) or index >= len(found[1].value):
            return None
        node = found[1].value[index]
    line: int = node.start_mark.line + 1
    if fld is None:
        return line
    parts = [m.group(1) if m.group(1) is not None else int(m.group(2)) for m in _FIELD_PART.finditer(fld)]
    if parts and parts[0] == "entries":
        return line
    if data_key and parts and parts[0] not in ("meta", "name", "kind", "data"):
        sub = _map_get(node, "data")
        if sub is not None:
            node = sub[1]
    for part in parts:
        if isinstance(part, int):
            if not isinstance(node, yaml.SequenceNode) or part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            found = _map_get(node, part)
            if found is None:
                break
            line = found[0].start_mark.line + 1
            node = found[1]
    return line
