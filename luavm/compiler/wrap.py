"""Long generated lines broken for a reader of `luavm --emit-python`.

A Python line of generated code is one statement; a fast path with its inline
cache or type tests can run to 200 characters. `wrap` breaks such a line inside
brackets (so it stays one statement: its bytecode, and the line-number table the
runtime maps back to Lua, are unchanged; `render.Source.add` gives every physical
line of it the same op): at the top-level `else` of a conditional expression on
the right of an assignment, and at the top-level `and`/`or` of an `if`/`elif`/
`while` condition. Lines it cannot split that way are left as they are.
"""

from __future__ import annotations

import io
import tokenize

WIDTH = 100  # lines longer than this are broken where they can be
_CONT = "    "  # extra indentation of a continuation line


def _tokens(text: str) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return None


def _top_level(toks: list[tokenize.TokenInfo], start: int) -> list[tuple[int, tokenize.TokenInfo]]:
    """(index, token) of the tokens at bracket depth 0 from `start` on."""
    depth = 0
    out = []
    for i in range(start, len(toks)):
        t = toks[i]
        if t.type == tokenize.OP and t.string in "([{":
            depth += 1
        elif t.type == tokenize.OP and t.string in ")]}":
            depth -= 1
        elif depth == 0:
            out.append((i, t))
    return out


def _split(line: str, begin: int, end: int, cuts: list[int], inner: list[int] = ()) -> list[str]:  # type: ignore[assignment]
    """line with line[begin:end] put in parentheses and broken before each cut; a
    piece still longer than WIDTH is broken again before the `inner` cuts in it."""
    pieces = []
    prev = begin
    for c in [*cuts, end]:
        piece = line[prev:c].rstrip()
        sub = [i for i in inner if prev < i < c]
        if len(piece) > WIDTH and sub:
            q = prev
            for i in sub:
                pieces.append((line[q:i].rstrip(), q != prev))
                q = i
            pieces.append((line[q:c].rstrip(), True))
        else:
            pieces.append((piece, False))
        prev = c
    out = [(_CONT + _CONT if deeper else _CONT) + p for p, deeper in pieces]
    out[0] = f"{line[:begin]}({pieces[0][0]}"
    out[-1] = f"{out[-1]}){line[end:]}"
    return out


def _end(stripped: str, toks: list[tokenize.TokenInfo]) -> int:
    """Where the statement's code ends (before a trailing comment)."""
    for t in toks:
        if t.type == tokenize.COMMENT:
            return len(stripped[:t.start[1]].rstrip())
    return len(stripped.rstrip())


def wrap(text: str) -> str:
    """text (one line of Python) broken into several where it can be; else text.
    The lines after the first are indented relative to the first (as
    `render.Source.add` takes them)."""
    stripped = text.lstrip()
    ind = text[:len(text) - len(stripped)]
    lines = _wrap(stripped)
    return text if lines is None else ind + "\n".join(lines)


def _wrap(stripped: str) -> list[str] | None:
    toks = _tokens(stripped)
    if toks is None or any(t.type == tokenize.COMMENT for t in toks):
        return None
    top = _top_level(toks, 0)
    if not top or any(t.type == tokenize.OP and t.string == ";" for _, t in top):
        return None  # (several statements: left alone)
    first = top[0][1]
    if first.type == tokenize.NAME and first.string in ("if", "elif", "while"):
        colon = next((i for i, t in top if t.type == tokenize.OP and t.string == ":"), None)
        if colon is None:
            return None
        cuts = [t.start[1] for i, t in top if 0 < i < colon and t.type == tokenize.NAME and t.string in ("and", "or")]
        at = toks[colon].start[1]
        head = stripped[:at]
        heads = _split(head, toks[0].end[1] + 1, at, cuts) if cuts and len(head) > WIDTH else [head]
        heads[-1] += ":"
        rest = stripped[toks[colon].end[1]:].strip()
        if not rest:
            return heads if cuts else None
        # `if c: x = e`: the statement after the colon on a line of its own
        body = _wrap(rest) if len(rest) > WIDTH - len(_CONT) else None
        return heads + [_CONT + b for b in (body or [rest])]
    eq = next((i for i, t in top if t.type == tokenize.OP and t.string == "="), None)
    if eq is None:
        return None
    cuts = [t.start[1] for i, t in top if i > eq and t.type == tokenize.NAME and t.string == "else"]
    if not cuts:
        return None
    inner = [t.start[1] for i, t in top if i > eq and t.type == tokenize.NAME and t.string in ("and", "or")]
    return _split(stripped, toks[eq].end[1] + 1, _end(stripped, toks), cuts, inner)
