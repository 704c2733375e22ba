"""`string.gsub` run with the pattern's compiled regex directly.

The general loop (lstring.str_gsub) goes through a matcher object per call and
`next_match`/`captures`/`call_noyield` per match: four or five Python calls
before any replacement work. Here, for a pattern `re` runs exactly (the find/match
plan cache's regex, no position captures) and a runtime without limits (nothing
to count or charge), the loop calls `search` and builds the result inline for
the three replacement kinds: a template string, a plain table, a function.

Whether to take this path is decided before the first match, never midway: a
function or `__index` may already have run by then.
"""

from __future__ import annotations

import re
from typing import Any

from ..runtime import ops, state
from ..runtime.limits import MAXSTR, NOLIMIT
from ..runtime.values import TAILCALL, LuaError, LuaTable, Ret, rt_error, tostr, type_name


def gsub_re(src: bytes, rx: re.Pattern, ncap: int, repl: Any, tr: str,
            parts: list[Any] | None) -> Ret | None:
    """gsub(src, pattern, repl) for an unanchored pattern compiled to rx with ncap
    plain captures; `parts`: a template's compiled pieces (bytes: literal text; int:
    a capture's index, -1 the whole match). None: not this path."""
    if MAXSTR[0] < NOLIMIT or state.current.limits is not None:
        return None
    if tr == "string":
        assert parts is not None
        for part in parts:
            if type(part) is int and (part == -2 or part >= ncap and part != 0 and part != -1):
                return None  # an error at the first match: the general path says which
    elif tr == "table":
        if repl.__class__ is not LuaTable or repl.meta is not None:
            return None
    elif tr != "function":
        return None
    search = rx.search
    end = len(src)
    out: list[bytes] = []
    pos = 0
    lastmatch = -1
    count = 0
    changed = False
    st_ = state.current
    co = st_.current
    if tr == "function":
        if st_.ccalls >= ops.C_LIMIT:
            raise LuaError(b"C stack overflow")
        st_.ccalls += 1
        co.nny += 1
    try:
        while pos <= end:
            m = search(src, pos)
            if m is None:
                break
            s, e = m.span()
            if e == lastmatch:  # an empty match right after the last one: move on
                p = s + 1
                while True:
                    m = search(src, p) if p <= end else None
                    if m is None or m.end() != lastmatch:
                        break
                    p = m.start() + 1
                if m is None:
                    break
                s, e = m.span()
            if s > pos:
                out.append(src[pos:s])
            count += 1
            if tr == "string":
                for part in parts:  # type: ignore[union-attr]
                    if type(part) is bytes:
                        out.append(part)
                    elif part == -1 or part >= ncap:
                        out.append(src[s:e])
                    else:
                        out.append(m.group(part + 1))
                changed = True
            else:
                if tr == "function":
                    v = repl(*m.groups()) if ncap else repl(src[s:e])
                    if type(v) is Ret:
                        if v and v[0] is TAILCALL:
                            v = ops.do_tail(v)
                            if type(v) is Ret:
                                v = v[0] if v else None
                        else:
                            v = v[0] if v else None
                else:
                    k = m.group(1) if ncap else src[s:e]
                    v = repl.hash.get(k)
                if v is None or v is False:
                    out.append(src[s:e])
                elif type(v) is bytes:
                    out.append(v)
                    changed = True
                elif type(v) is int or type(v) is float:
                    out.append(tostr(v))
                    changed = True
                else:
                    raise rt_error(f"invalid replacement value (a {type_name(v)})")
            pos = lastmatch = e
    finally:
        if tr == "function":
            st_.ccalls -= 1
            co.nny -= 1
    if not changed:
        return (src, count)
    out.append(src[pos:])
    return (b"".join(out), count)

