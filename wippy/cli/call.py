"""`wippy call ID [JSON args...] [--app DIR]`: call one function entry.

Concept. Each argument is a JSON value passed to the function as one Lua value
(objects become tables). The result prints on stdout as JSON (values JSON cannot
hold as their string form). A failure — a raised error, or an error as the second
return value — prints `error: Kind: message` and the Lua traceback (wippy's kernel
frames left out) on stderr.

Invariants. Exit 0 on success, 1 when the call fails, 2 for a user mistake (no
such entry, not a function, bad JSON, invalid registry). The app's workflow hosts,
if the call used any, are closed before exit.

Costs. Loading the app, one Lua state for the entry, the call.
"""

from __future__ import annotations

import argparse
from typing import Any

from . import _out


def register(sub: Any) -> None:
    p = sub.add_parser("call", help="call a function entry and print its result as JSON",
                       description="Call a function entry; each argument is a JSON value.")
    p.add_argument("id", metavar="ID", help="the function entry (namespace:name)")
    p.add_argument("args", nargs="*", metavar="JSON", help="arguments, each a JSON value ('\"text\"', 42, '{...}')")
    p.add_argument("--app", default=".", metavar="DIR", help="the app directory (default: .)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    values = _out.json_args(args.args)
    app = _out.load_app(args.app)
    e = _out.find_entry(app.registry, args.id)
    if e.kind != "function.lua":
        hint = ""
        if e.kind == "workflow.lua":
            hint = f" (start it with `wippy workflow start {e.id}` or `wippy run -x {e.id}`)"
        raise _out.UsageError(f"{e.id} is a {e.kind} entry, not a function.lua{hint}")
    o = invoke(app, e.id, values)
    if o.error is not None:
        _out.print_failure(o.error, o.traceback)
        return 1
    _out.print_json(o.value)
    return 0


def invoke(app: Any, fid: str, values: list[Any]) -> Any:
    """Run one call to completion (on the big-stack loop; SIGINT/SIGTERM abandon
    it, exit 130); its Outcome."""
    from .run import run_interruptible

    return run_interruptible(lambda: app.invoke(fid, *values), app.close)
