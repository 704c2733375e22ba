"""Output and shared helpers of the `wippy` command.

Concept. Everything a command prints goes through here: plain lines on stderr for
errors (`error: ...`), JSON for machine output, aligned tables (rich) for people,
Lua tracebacks with wippy's kernel frames cut off. Loading the app and finding an
entry are here too, so every command reports the same user mistakes the same way
(`UsageError` → one line, exit 2).

Invariants. rich is imported only when a table or a colored line is printed (it
costs ~0.1 s of start-up); when stdout is not a terminal, tables are plain aligned
text without color and are never wrapped or cut (scripts and tests read them).

Costs. Nothing beyond the stdlib at import.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from ..app import App
    from ..registry import Entry, Registry


class UsageError(Exception):
    """A user mistake: printed as one `error:` line, exit status 2."""


class Exit(Exception):  # noqa: N818 - a control-flow signal, not an error
    """Stop the command with this exit status (its message, if any, already printed)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


# ------------------------------------------------------------------ printing


def err(msg: str = "") -> None:
    print(msg, file=sys.stderr, flush=True)


def out(msg: str = "") -> None:
    print(msg, flush=True)


def is_tty(stream: Any = None) -> bool:
    s = stream if stream is not None else sys.stdout
    try:
        return bool(s.isatty())
    except (AttributeError, ValueError):
        return False


_CONSOLES: dict[bool, Console] = {}


def console(stderr: bool = False) -> Console:
    """A rich Console on stdout (or stderr): full width and no color when not a terminal."""
    c = _CONSOLES.get(stderr)
    if c is None:
        from rich.console import Console

        stream = sys.stderr if stderr else sys.stdout
        if is_tty(stream):
            c = Console(file=stream, stderr=stderr, highlight=False)
        else:
            c = Console(file=stream, stderr=stderr, highlight=False, width=100_000, no_color=True,
                        color_system=None, soft_wrap=True)
        _CONSOLES[stderr] = c
    return c


def table(columns: Sequence[str], rows: Sequence[Sequence[Any]], *, title: str | None = None,
          header: bool = True) -> None:
    """An aligned table on stdout."""
    from rich import box
    from rich.table import Table

    t = Table(*columns, box=box.SIMPLE_HEAD if is_tty() else None, title=title, title_justify="left",
              header_style="bold", show_edge=False, pad_edge=False, show_header=header)
    for r in rows:
        t.add_row(*(_cell(x) for x in r))
    c = console()
    c.print(t)


def _cell(x: Any) -> Any:
    from rich.text import Text

    if x is None:
        return Text("")
    return x if hasattr(x, "__rich_console__") else Text(str(x))


def to_json(v: Any, indent: int | None = 2) -> str:
    """JSON text of `v`; values JSON cannot hold are written as their string form."""
    return json.dumps(v, indent=indent, ensure_ascii=False, default=_json_default)


def _json_default(v: Any) -> Any:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, set | frozenset | tuple):
        return list(v)
    return str(v)


def print_json(v: Any) -> None:
    out(to_json(v))


def fmt_time(ts: float | None) -> str:
    """A store timestamp (seconds) as local `YYYY-MM-DD HH:MM:SS`."""
    if ts is None or ts <= 0:
        return ""
    try:
        return _dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):
        return str(ts)


def fmt_ms(ms: float) -> str:
    return f"{ms:.0f} ms" if ms >= 1 else f"{ms:.1f} ms"


def error_line(error: dict[str, Any] | None) -> str:
    """`Kind: message` of error data."""
    if not error:
        return "Internal: unknown error"
    kind = error.get("kind") or ""
    msg = error.get("message") or ""
    return f"{kind}: {msg}" if kind else str(msg)


def lua_traceback(tb: str, *, all_frames: bool = False) -> str:
    """The `stack traceback:` part of a Lua traceback, without the frames of wippy's
    kernel (those from `[wippy ...]` chunks and the `[C]` calls just above them)."""
    lines = tb.splitlines()
    if "stack traceback:" not in lines:
        return ""
    lines = lines[lines.index("stack traceback:"):]
    if all_frames:
        return "\n".join(lines)
    keep = [lines[0]]
    for ln in lines[1:]:
        if ln.strip().startswith("[wippy"):
            break
        keep.append(ln)
    while len(keep) > 1 and keep[-1].strip().startswith("[C]"):
        keep.pop()
    return "\n".join(keep) if len(keep) > 1 else ""


def print_failure(error: dict[str, Any] | None, traceback: str = "", indent: str = "") -> None:
    """`error: Kind: message` and the Lua traceback, on stderr."""
    err(f"{indent}error: {error_line(error)}")
    tb = lua_traceback(traceback)
    if tb:
        for ln in tb.splitlines():
            err(indent + ln.replace("\t", "  "))


# ------------------------------------------------------------------ arguments


def json_args(values: Sequence[str]) -> list[Any]:
    """Command-line arguments, each a JSON value."""
    out_: list[Any] = []
    for i, v in enumerate(values, 1):
        try:
            out_.append(json.loads(v))
        except json.JSONDecodeError as e:
            raise UsageError(f"argument {i} is not valid JSON: {v!r} ({e.msg}); "
                             f"write a string as '\"{v}\"'") from None
    return out_


def json_arg(value: str | None, what: str) -> Any:
    if value is None:
        return None
    try:
        return json.loads(value)
    except json.JSONDecodeError as e:
        raise UsageError(f"{what} is not valid JSON: {value!r} ({e.msg}); write a string as '\"{value}\"'") from None


# ------------------------------------------------------------------ the app


def app_dir(path: str | None) -> Path:
    p = Path(path or ".")
    if not p.exists():
        raise UsageError(f"app directory {p} not found")
    if not p.is_dir():
        raise UsageError(f"{p} is not a directory (give the app directory)")
    return p


def load_registry(path: str | None) -> Registry:
    """The app's registry (RegistryError propagates: the caller prints every problem)."""
    from ..registry import load_registry as _load

    return _load(app_dir(path))


def load_app(path: str | None) -> App:
    """The app, with the directories of its workflow stores created (SQLite makes
    the file, not its directory)."""
    from ..app import App, default_env

    reg = load_registry(path)
    for e in reg.by_kind("workflow.host"):
        loc = e.store_location(reg.app_dir)  # type: ignore[attr-defined]
        if loc != ":memory:":
            try:
                Path(loc).parent.mkdir(parents=True, exist_ok=True)
            except OSError as ex:
                raise UsageError(f"cannot create the directory of {e.id}'s store {loc}: {ex.strerror or ex}") from None
    return App(reg, env=default_env())


def find_entry(reg: Registry, ref: str, kinds: Sequence[str] = ()) -> Entry:
    """The entry `ref` names (full ID or unambiguous bare name), of one of `kinds`."""
    try:
        e = reg.get(ref)
    except LookupError as ex:
        raise UsageError(str(ex)) from None
    if e is None:
        ids = [x.id for x in reg if not kinds or x.kind in kinds]
        close = difflib.get_close_matches(ref, ids, n=3, cutoff=0.5)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        where = os.path.relpath(reg.app_dir) if reg.app_dir else "the app"
        raise UsageError(f"no entry {ref} in the app at {where}{hint}")
    if kinds and e.kind not in kinds:
        raise UsageError(f"{e.id} is a {e.kind} entry, not {' or '.join(kinds)}")
    return e


__all__ = [
    "UsageError", "Exit", "err", "out", "is_tty", "console", "table", "to_json", "print_json", "fmt_time",
    "fmt_ms", "error_line", "lua_traceback", "print_failure", "json_args", "json_arg", "app_dir",
    "load_registry", "load_app", "find_entry",
]
