"""Leaving a speculating copy of a function for its generic copy (compiler/deopt.py).

The fast copy found a local whose value is not of the speculated type. It calls
`deopt` with its locals and the resume point that follows the same statement in
the generic copy; the generic copy's resume form runs the rest of the call, and
its result is the function's. A function that leaves too often has its switch
(`_SP{index}` in its chunk's namespace) turned off: its calls start in the
generic copy from then on.
"""

from __future__ import annotations

import sys
from typing import Any

from .coroutine import FrameRecord, rebuild_closure
from .frames import CODE_INFO

DEOPT_LIMIT = 20  # deopts of one function before its calls stop speculating


def deopt(rp: int, loc: dict, extra: dict) -> Any:
    f = sys._getframe(1)
    code = f.f_code
    fn = loc.get("_self")  # a resume form has its closure at hand
    if fn is None:
        fn = rebuild_closure(code, f.f_globals, loc)
    proto = CODE_INFO[code].proto
    counts = f.f_globals.setdefault("_DEOPTS", {})
    n = counts[proto.index] = counts.get(proto.index, 0) + 1
    if n >= DEOPT_LIMIT:
        f.f_globals[f"_SP{proto.index}"] = False
    loc.update(extra)
    del f
    return FrameRecord(fn, rp, loc).cont(_nothing)


def _nothing() -> None:
    return None
