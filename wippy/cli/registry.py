"""`wippy registry list [APP_DIR] [--kind K]` and `wippy registry show ID [--app DIR]`.

Concept. `list` prints every entry of the app as an aligned table (id, kind, file),
in load order (files sorted by path, then position), optionally only some kinds;
`--json` gives the same rows as a JSON array. `show` prints one entry as YAML:
id, kind, file, meta (the file-level meta merged in) and its data fields, with a
Lua `source` abbreviated to its first lines plus where it comes from (and any
other long text cut the same way).

Invariants. Read-only: nothing is run or compiled. Exit 2 for an unknown ID or an
invalid registry.

Costs. One registry load.
"""

from __future__ import annotations

import argparse
from typing import Any

from . import _out

SOURCE_LINES = 6  # lines of a source shown by `show`


def register(sub: Any) -> None:
    p = sub.add_parser("registry", help="list or show registry entries",
                       description="Inspect the app's registry.")
    rs = p.add_subparsers(dest="registry_command", metavar="COMMAND", required=True)
    ls = rs.add_parser("list", help="list the entries (id, kind, file)")
    ls.add_argument("app", nargs="?", default=".", metavar="APP_DIR", help="the app directory (default: .)")
    ls.add_argument("--kind", action="append", metavar="K", help="only entries of this kind (repeatable)")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=run_list)
    sh = rs.add_parser("show", help="show one entry as YAML")
    sh.add_argument("id", metavar="ID", help="the entry (namespace:name, or an unambiguous name)")
    sh.add_argument("--app", default=".", metavar="DIR", help="the app directory (default: .)")
    sh.add_argument("--full", action="store_true", help="do not abbreviate sources")
    sh.set_defaults(handler=run_show)


def run_list(args: argparse.Namespace) -> int:
    reg = _out.load_registry(args.app)
    entries = [e for e in reg if not args.kind or e.kind in args.kind]
    if args.json:
        _out.print_json([{"id": e.id, "kind": e.kind, "file": e.file} for e in entries])
        return 0
    if not entries:
        kinds = f" of kind {', '.join(args.kind)}" if args.kind else ""
        _out.out(f"no entries{kinds}")
        return 0
    _out.table(["id", "kind", "file"], [[e.id, e.kind, e.file] for e in entries])
    return 0


def run_show(args: argparse.Namespace) -> int:
    import yaml

    reg = _out.load_registry(args.app)
    e = _out.find_entry(reg, args.id)
    doc: dict[str, Any] = {"id": e.id, "kind": e.kind, "file": e.file}
    if e.meta:
        doc["meta"] = e.meta
    path = getattr(e, "source_path", None)
    data = dict(e.data)
    for k, v in data.items():
        if args.full:
            continue
        if k == "source" and isinstance(v, str):
            data[k] = abbreviate(v, f"from {path}" if path and "#" not in path else "inline")
        elif isinstance(v, str) and v.count("\n") > SOURCE_LINES:
            data[k] = abbreviate(v, "text")
    doc.update({k: v for k, v in data.items() if k not in doc})
    _out.out(yaml.dump(doc, Dumper=_dumper(), sort_keys=False, allow_unicode=True, default_flow_style=False,
                       width=100).rstrip())
    return 0


def abbreviate(text: str, origin: str) -> str:
    """The first lines of a text and a note of how many lines it has and where from."""
    lines = text.rstrip("\n").splitlines()
    if len(lines) <= SOURCE_LINES:
        return "\n".join(lines) + f"\n-- ({len(lines)} line{'s' if len(lines) != 1 else ''}, {origin})\n"
    shown = "\n".join(lines[:SOURCE_LINES])
    return f"{shown}\n-- … ({len(lines) - SOURCE_LINES} more lines, {len(lines)} in all, {origin})\n"


def _str_presenter(dumper: Any, data: str) -> Any:
    if "\n" in data:  # block style, as a source is written
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


def _dumper() -> Any:
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    Dumper.add_representer(str, _str_presenter)
    return Dumper
