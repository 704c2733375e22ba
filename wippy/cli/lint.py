"""`wippy lint [APP_DIR]`: load and validate an app without running it.

Concept. Loads the registry (every YAML problem: file, entry, field, line), then
compiles the source of every Lua entry (`function.lua`, `process.lua`,
`workflow.lua`, `library.lua`) with the Wippy dialect, as the runtime would, to
report Lua syntax errors. Problems print as `FILE: entry ID, field 'F': MESSAGE
(line N)` — for a Lua source in its own file, FILE is that file and N its line;
for inline code, the YAML file and the line in it — then warnings, then a
summary. Nothing is run.

Invariants. Exit 0 when there is no problem (warnings allowed), 1 otherwise. Lua
sources are compiled only when the registry loads (a broken registry has no
entries to compile).

Costs. One registry load; one compile per Lua entry (a disk-cache hit when the
source was compiled before).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _out

if TYPE_CHECKING:
    from ..registry import LuaEntry, Problem

_POS = re.compile(r"^(\d+): (.*)$", re.S)


def register(sub: Any) -> None:
    p = sub.add_parser("lint", help="load and validate an app (registry and Lua syntax) without running it",
                       description="Load and validate an app: registry problems and Lua syntax errors.")
    p.add_argument("app", nargs="?", default=".", metavar="APP_DIR", help="the app directory (default: .)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from ..registry import RegistryError, load_registry

    d = _out.app_dir(args.app)
    problems: list[Any] = []
    warnings: list[Any] = []
    reg = None
    try:
        reg = load_registry(d)
        warnings = list(reg.warnings)
    except RegistryError as e:
        problems = list(e.problems)
        warnings = list(e.warnings)
    lua_problems: list[Problem] = []
    compiled = 0
    if reg is not None:
        lua_problems, compiled = check_lua(reg)
    for p in problems + lua_problems:
        _out.out(str(p))
    for w in warnings:
        _out.out(f"warning: {w}")
    nw = f", {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
    if problems or lua_problems:
        parts = []
        if problems:
            parts.append(f"{len(problems)} in the registry")
        if lua_problems:
            parts.append(f"{len(lua_problems)} Lua syntax error{'s' if len(lua_problems) != 1 else ''}")
        n = len(problems) + len(lua_problems)
        _out.out(f"{n} problem{'s' if n != 1 else ''} ({', '.join(parts)}){nw}")
        return 1
    assert reg is not None
    files = len({e.file for e in reg})
    _out.out(f"ok: {len(reg)} entr{'ies' if len(reg) != 1 else 'y'} in {files} file{'s' if files != 1 else ''}, "
             f"{compiled} Lua source{'s' if compiled != 1 else ''} compiled{nw}")
    return 0


def check_lua(reg: Any) -> tuple[list[Problem], int]:
    """Compile every Lua entry's source; (problems, number compiled)."""
    import luavm

    from ..registry import LUA_KINDS, LuaEntry

    rt = luavm.LuaRuntime(typed=True)
    problems: list[Problem] = []
    n = 0
    for e in reg:
        if e.kind not in LUA_KINDS or not isinstance(e, LuaEntry):
            continue
        n += 1
        name = "@" + e.source_path
        try:
            rt.load(e.source, name)
        except luavm.LuaError as ex:
            v = ex.value
            msg = v.decode("utf-8", "replace") if isinstance(v, bytes) else str(ex)
            prefix = luavm.chunk_display_name(name) + ":"
            if msg.startswith(prefix):
                msg = msg[len(prefix):]
            m = _POS.match(msg)
            line = int(m.group(1)) if m else None
            text = m.group(2) if m else msg
            problems.append(_problem(reg.app_dir, e, text, line))
    return problems, n


def _problem(app_dir: Path, e: LuaEntry, message: str, lua_line: int | None) -> Problem:
    from ..registry import Problem

    if "#" not in e.source_path:  # a file:// source: its own file and line
        return Problem(e.source_path, e.id, "source", message, lua_line)
    line = _inline_line(app_dir / e.file, e, lua_line) if lua_line is not None else None
    return Problem(e.file, e.id, "source", message, line)


def _inline_line(path: Path, e: LuaEntry, lua_line: int) -> int | None:
    """The YAML file line of line `lua_line` of an entry's inline source."""
    import yaml

    try:
        root = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (OSError, yaml.YAMLError):
        return None
    item = root
    entries = _get(root, "entries")
    if isinstance(entries, yaml.SequenceNode):
        if not 0 <= e.index < len(entries.value):
            return None
        item = entries.value[e.index]
    src = _get(_get(item, "data"), "source") or _get(item, "source")
    if not isinstance(src, yaml.ScalarNode):
        return None
    if src.style in ("|", ">"):  # the indicator's line, then the text
        return int(src.start_mark.line) + 1 + lua_line
    return int(src.start_mark.line) + lua_line


def _get(node: Any, key: str) -> Any:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    for k, v in node.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return v
    return None
