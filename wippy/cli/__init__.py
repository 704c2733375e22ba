"""The `wippy` command: run, test, lint, inspect and operate a Wippy app.

    wippy version
    wippy lint [APP_DIR]                      load + validate the registry, compile every Lua source
    wippy call ID [JSON args...] [--app DIR]  call a function entry, print its result as JSON
    wippy test [APP_DIR] [--suite S] [--json FILE]
    wippy registry list [APP_DIR] [--kind K] | show ID [--app DIR]
    wippy run [APP_DIR] [--json-logs]         serve until SIGINT/SIGTERM, stop gracefully
    wippy run -x ID [JSON args...]            run one entry to completion, exit with its status
    wippy workflow list|show|history|stack|signal|cancel|terminate|verify|migrate|start|result

Concept. One module per command group (lint, call, test, registry, run, workflow),
each with `register(subparsers)` and a handler returning the exit status; output
helpers and the shared "load the app / find the entry" checks are in `_out`.

Invariants. A user mistake (missing app directory, bad JSON argument, unknown ID,
an invalid registry) prints one clear `error:` line — every problem for registry
errors — and exits 2; a failed call, test or workflow exits 1; success exits 0.
Python tracebacks are shown only for bugs of wippy itself.

Costs. The command modules import nothing heavy at import time; `wippy` itself
(the runtime) is imported by the package. rich is imported only to print tables
and colored output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import _out
from . import call as _call
from . import lint as _lint
from . import registry as _registry
from . import run as _run
from . import test as _test
from . import workflow as _workflow

__all__ = ["main", "build_parser"]


def _version(args: argparse.Namespace) -> int:
    import platform

    import luavm

    from .. import __version__

    _out.out(f"wippy {__version__} (luavm {luavm.__version__}, Python {platform.python_version()})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wippy", description="Run, test and operate a Wippy app.")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    v = sub.add_parser("version", help="print the version")
    v.set_defaults(handler=_version)
    _lint.register(sub)
    _call.register(sub)
    _test.register(sub)
    _registry.register(sub)
    _run.register(sub)
    _workflow.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):  # (✓/✗ and Lua text on a terminal that is not UTF-8)
        if (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(errors="replace")
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.version:
        return _version(args)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except _out.Exit as e:
        return e.status
    except _out.UsageError as e:
        _out.err(f"error: {e}")
        return 2
    except KeyboardInterrupt:
        _out.err("interrupted")
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(_devnull(), "w")  # noqa: SIM115 - silence the flush at exit
        except OSError:
            pass
        return 0
    except Exception as e:
        from ..registry import RegistryError

        if isinstance(e, RegistryError):
            print_registry_error(e)
            return 2
        raise


def print_registry_error(e: BaseException) -> None:
    """Every problem of a RegistryError, then a summary line (stderr)."""
    problems = getattr(e, "problems", [])
    for p in problems:
        _out.err(str(p))
    for w in getattr(e, "warnings", []):
        _out.err(f"warning: {w}")
    n = len(problems)
    _out.err(f"error: the app's registry is invalid ({n} problem{'s' if n != 1 else ''})")


def _devnull() -> str:
    import os

    return os.devnull
