"""Lua 5.4 lexer feeding the Lark LALR parser (see grammar/lua.lark).

A hand-written lexer instead of Lark's regex lexers because long brackets
(`[==[ ... ]==]`) need a matching level, string escapes must be decoded to
bytes, and lexical errors must read exactly like llex.c's.  Source text is
handled as latin-1 `str` (one char per byte) so a UTF-8 "é" stays two bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import cast

from .errors import LuaSyntaxError

__all__ = [
    "KEYWORDS", "OPERATORS", "LuaSyntaxError", "Tok",
    "line_at", "near_text", "prepare", "token2str", "tokenize",
]


class Tok:
    """One token: `type` is the grammar terminal name; `pos`/`end` index the source."""

    __slots__ = ("end", "line", "pos", "type", "value")

    def __init__(self, type: str, value: object, line: int, pos: int, end: int) -> None:
        self.type = type
        self.value = value  # str for names/keywords/operators, int|float, bytes for strings
        self.line = line
        self.pos = pos
        self.end = end

    def __repr__(self) -> str:
        return f"Tok({self.type}, {self.value!r}, line={self.line})"


KEYWORDS = {
    k: k.upper()
    for k in (
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
        "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true",
        "until", "while",
    )
}
OPERATORS = {
    "+": "PLUS", "-": "MINUS", "*": "STAR", "/": "SLASH", "//": "DSLASH", "%": "PERCENT",
    "^": "CARET", "#": "HASH", "&": "AMP", "~": "TILDE", "|": "PIPE", "<<": "SHL", ">>": "SHR",
    "==": "EQ", "~=": "NE", "<=": "LE", ">=": "GE", "<": "LT", ">": "GT", "=": "ASSIGN",
    "(": "LPAR", ")": "RPAR", "{": "LBRACE", "}": "RBRACE", "[": "LSQB", "]": "RSQB",
    "::": "DBCOLON", ";": "SEMI", ":": "COLON", ",": "COMMA", ".": "DOT", "..": "CONCAT",
    "...": "DOTS",
}

# One token after optional blanks.  Groups: 1 name, 2 numeral, 3 short comment,
# 4 operator, 5 string without escapes.  Anything else ("[[", "--[[", strings
# with escapes, stray characters, end of input) takes the slow path.  The
# numeral pattern is read_numeral's loop: it swallows every hex digit, dot and
# signed exponent so that "3x" or "1..2" come out whole and are reported as
# malformed.
_Matcher = Callable[[str, int], "re.Match[str]"]


def _total(p: re.Pattern[str]) -> _Matcher:
    """`p.match`, typed as it behaves for a pattern that matches (possibly nothing)
    at every position: it never answers None."""
    return cast(_Matcher, p.match)


_TOKEN = re.compile(
    r"""[ \t\f\v\n]*(?:
      ([A-Za-z_][A-Za-z0-9_]*)
    | (\.?0[xX](?:[pP][+-]?|[0-9a-fA-F.])*[A-Za-z_]?|\.?[0-9](?:[eE][+-]?|[0-9a-fA-F.])*[A-Za-z_]?)
    | (--(?!\[=*\[)[^\n]*)
    | (\.\.\.|\.\.|==|~=|<=|>=|<<|>>|//|::|-(?!-)|\[(?![=\[])|[+*/%^\#&~|<>=(){}\];:,.])
    | ("[^"\\\n]*"|'[^'\\\n]*')
    )?""",
    re.VERBOSE,
)
_LONG_OPEN = re.compile(r"\[(=*)\[")
_STR_RUN = {'"': _total(re.compile(r'[^"\\\n]*')), "'": _total(re.compile(r"[^'\\\n]*"))}
_SPACES = _total(re.compile(r"[ \t\n\v\f\r]*"))
_EQS = _total(re.compile(r"\[=*"))
_DEC_INT = re.compile(r"[0-9]+\Z")
_HEX_INT = re.compile(r"0[xX][0-9a-fA-F]+\Z")
_HEX_FLT = re.compile(r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?\Z")
_SIMPLE_ESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
               "\\": "\\", '"': '"', "'": "'", "\n": "\n"}
_HEX = "0123456789abcdefABCDEF"


def prepare(source: bytes | str, skip_shebang: bool = True) -> str:
    """Source as latin-1 text with every newline sequence (\\r\\n, \\n\\r, \\r) made "\\n".

    Lua counts each such sequence as one line and stores it in long strings as
    "\\n", so normalizing up front changes nothing observable.  Like
    luaL_loadfile, optionally drop a UTF-8 BOM and a first line starting with
    '#' (keeping its newline so line numbers stay right).
    """
    if isinstance(source, str):  # text: Lua would see its UTF-8 bytes
        try:
            src = source.encode("utf-8", "surrogateescape").decode("latin-1")
        except UnicodeEncodeError:
            src = source.encode("utf-8", "surrogatepass").decode("latin-1")
    else:
        src = bytes(source).decode("latin-1")
    if "\r" in src:
        src = re.sub(r"\r\n|\n\r|\r", "\n", src)
    if skip_shebang:
        src = src.removeprefix("\xef\xbb\xbf")
        if src.startswith("#"):
            nl = src.find("\n")
            src = "" if nl < 0 else src[nl:]
    return src


def line_at(src: str, pos: int) -> int:
    """Line number of position `pos` (Lua's `linenumber` with the lexer standing there)."""
    return src.count("\n", 0, pos) + 1


def _quoted(text: str) -> str:
    # luaO_pushfstring("'%s'") stops at the first NUL byte of the buffer.
    return "'" + text.split("\0", 1)[0] + "'"


def token2str(key: str) -> str:
    """luaX_token2str for a token the parser expected ("'end'", "<name>", "<eof>")."""
    return {"NAME": "<name>", "$END": "<eof>", "STRING": "<string>"}.get(key, f"'{key}'")


def near_text(src: str, tok: Tok) -> str | None:
    """How Lua's txtToken shows `tok` after "near" (None: Lua omits the "near" part)."""
    t = tok.type
    if t == "NAME" or t == "NUMBER":
        return _quoted(src[tok.pos:tok.end])
    if t == "STRING":
        assert isinstance(tok.value, bytes)
        body = tok.value.decode("latin-1")
        if src[tok.pos] == "[":  # long string: Lua's buffer holds the brackets too
            opener = _LONG_OPEN.match(src, tok.pos)
            assert opener is not None
            eq = opener.group(1)
            return _quoted(f"[{eq}[{body}]{eq}]")
        return _quoted(src[tok.pos] + body + src[tok.pos])
    if t == "$END":
        return "<eof>"
    if t == "OTHER":
        c = ord(str(tok.value))
        if c == 0:
            return None
        return f"'{chr(c)}'" if 32 <= c < 127 else f"'<\\{c}>'"
    return f"'{tok.value}'"


class _Lexer:
    """Error reporting and the slow paths of the tokenizer."""

    def __init__(self, src: str, chunkname: str) -> None:
        self.src = src
        self.chunkname = chunkname

    def error(self, msg: str, pos: int, near: str | None) -> LuaSyntaxError:
        """Lua's lexerror: position is where the lexer stands, `near` as txtToken shows it."""
        full = f"{self.chunkname}:{line_at(self.src, pos)}: {msg}"
        return LuaSyntaxError(f"{full} near {near}" if near is not None else full)

    def number(self, text: str, pos: int) -> int | float:
        """luaO_str2num on a numeral: wrapping hex ints, int64 overflow to float."""
        if _DEC_INT.match(text):
            v = int(text)
            return v if v < 1 << 63 else float(text)
        if _HEX_INT.match(text):
            v = int(text, 16) & 0xFFFFFFFFFFFFFFFF
            return v - (1 << 64) if v >= 1 << 63 else v
        if text[:2] in ("0x", "0X"):
            if _HEX_FLT.match(text):
                try:
                    return float.fromhex(text)
                except OverflowError:
                    return float("inf")
        elif "_" not in text and "n" not in text and "N" not in text:
            try:
                return float(text)
            except ValueError:
                pass
        raise self.error("malformed number", pos + len(text), _quoted(text))

    def long_bracket(self, start: int, what: str) -> tuple[str, int]:
        """Read `[==[ ... ]==]` at `start`; return (contents, end position)."""
        src = self.src
        opener = _LONG_OPEN.match(src, start)
        assert opener is not None
        close = src.find("]" + opener.group(1) + "]", opener.end())
        if close < 0:
            msg = f"unfinished long {what} (starting at line {line_at(src, start)})"
            raise self.error(msg, len(src), "<eof>")
        body_start = opener.end()
        if src.startswith("\n", body_start):  # first newline is skipped
            body_start += 1
        return src[body_start:close], close + len(opener.group(1)) + 2

    def short_string(self, start: int) -> tuple[bytes, int]:
        """read_string: decode a quoted string with escapes; return (value, end position)."""
        src, n = self.src, len(self.src)
        delim = src[start]
        run = _STR_RUN[delim]
        out: list[str] = []
        i = start + 1

        def fail(msg: str, raw: str, at: int) -> LuaSyntaxError:
            # esccheck: the offending char joins the buffer unless at end of input
            cur = src[at] if at < n else ""
            return self.error(msg, at, _quoted(delim + "".join(out) + raw + cur))

        while True:
            j = run(src, i).end()
            if j > i:
                out.append(src[i:j])
                i = j
            if i >= n:
                raise self.error("unfinished string", n, "<eof>")
            c = src[i]
            if c == delim:
                return "".join(out).encode("latin-1"), i + 1
            if c == "\n":
                raise self.error("unfinished string", i, _quoted(delim + "".join(out)))
            i += 1  # the backslash
            c = src[i] if i < n else ""
            if c in _SIMPLE_ESC:
                out.append(_SIMPLE_ESC[c])
                i += 1
            elif c == "x":
                if i + 1 >= n or src[i + 1] not in _HEX:
                    raise fail("hexadecimal digit expected", "\\x", i + 1)
                if i + 2 >= n or src[i + 2] not in _HEX:
                    raise fail("hexadecimal digit expected", "\\x" + src[i + 1], i + 2)
                out.append(chr(int(src[i + 1:i + 3], 16)))
                i += 3
            elif c == "z":
                i = _SPACES(src, i + 1).end()
            elif c == "u":
                i = self._utf8_escape(i, out, fail)
            elif c == "":
                continue  # "unfinished string" on the next round
            elif "0" <= c <= "9":
                j = i
                while j < n and j - i < 3 and "0" <= src[j] <= "9":
                    j += 1
                v = int(src[i:j])
                if v > 255:
                    raise fail("decimal escape too large", "\\" + src[i:j], j)
                out.append(chr(v))
                i = j
            else:
                raise fail("invalid escape sequence", "\\", i)

    def _utf8_escape(self, i: int, out: list[str], fail: Callable[..., LuaSyntaxError]) -> int:
        """`\\u{XXX}` at src[i] == 'u': append its (extended) UTF-8 bytes, return next position."""
        src, n = self.src, len(self.src)
        if i + 1 >= n or src[i + 1] != "{":
            raise fail("missing '{'", "\\u", i + 1)
        j = i + 2
        if j >= n or src[j] not in _HEX:
            raise fail("hexadecimal digit expected", "\\u{", j)
        r = int(src[j], 16)
        j += 1
        while j < n and src[j] in _HEX:
            if r > 0x7FFFFFF:
                raise fail("UTF-8 value too large", "\\u" + src[i + 1:j], j)
            r = (r << 4) + int(src[j], 16)
            j += 1
        if j >= n or src[j] != "}":
            raise fail("missing '}'", "\\u" + src[i + 1:j], j)
        out.append(_utf8(r))
        return j + 1


def _utf8(x: int) -> str:
    """luaO_utf8esc: UTF-8 with the old 5/6-byte forms for values up to 2^31 (as latin-1 text)."""
    if x < 0x80:
        return chr(x)
    tail = []
    mfb = 0x3F
    while True:
        tail.append(0x80 | (x & 0x3F))
        x >>= 6
        mfb >>= 1
        if x <= mfb:
            break
    tail.append(((~mfb << 1) | x) & 0xFF)
    return bytes(reversed(tail)).decode("latin-1")


POLL_EVERY = 16384  # source bytes between two checks of the running state's limits


def tokenize(src: str, chunkname: str = "?", poll: Callable[[], None] | None = None) -> Iterator[Tok]:
    """Yield the tokens of `src` (from `prepare`), ending with a `$END` token.
    `poll` (a limited runtime's check of its clock and memory, which may raise
    LuaLimitError) is called every POLL_EVERY source bytes.

    Raises LuaSyntaxError for lexical errors, lazily (only when the bad token
    is reached), as Lua does.
    """
    lx = _Lexer(src, chunkname)
    n = len(src)
    match = _total(_TOKEN)  # (every group is optional: it matches everywhere)
    keywords = KEYWORDS
    operators = OPERATORS
    pos = 0
    line = 1
    nextnl = src.find("\n")
    if nextnl < 0:
        nextnl = n
    nextpoll = POLL_EVERY if poll is not None else n + 1
    while True:
        if pos > nextpoll:  # a limited runtime's clock runs while a big chunk compiles
            nextpoll = pos + POLL_EVERY
            if poll is not None:
                poll()
        m = match(src, pos)
        kind = m.lastindex
        start = m.start(kind) if kind else m.end()
        while start > nextnl:  # lines come from positions: robust across long tokens
            line += 1
            nextnl = src.find("\n", nextnl + 1)
            if nextnl < 0:
                nextnl = n
        pos = m.end()
        if kind == 1:
            text = m.group(1)
            yield Tok(keywords.get(text, "NAME"), text, line, start, pos)
        elif kind == 4:
            text = m.group(4)
            yield Tok(operators[text], text, line, start, pos)
        elif kind == 2:
            text = m.group(2)
            yield Tok("NUMBER", lx.number(text, start), line, start, pos)
        elif kind == 5:
            yield Tok("STRING", m.group(5)[1:-1].encode("latin-1"), line, start, pos)
        elif kind == 3:
            continue
        elif pos >= n:
            yield Tok("$END", "<eof>", line_at(src, n), n, n)
            return
        else:
            c = src[pos]
            if c == '"' or c == "'":
                value, pos = lx.short_string(start)
                yield Tok("STRING", value, line, start, pos)
            elif c == "[":
                if _LONG_OPEN.match(src, pos):
                    body, pos = lx.long_bracket(start, "string")
                    yield Tok("STRING", body.encode("latin-1"), line, start, pos)
                else:  # "[=" without the second bracket
                    eqs = _EQS(src, pos).group()
                    raise lx.error("invalid long string delimiter", pos + len(eqs), _quoted(eqs))
            elif c == "-":  # "--[==[": a long comment
                pos = lx.long_bracket(pos + 2, "comment")[1]
            else:
                pos += 1
                yield Tok("OTHER", c, line, start, pos)
