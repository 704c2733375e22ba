"""Wippy's Lua dialect: Luau-style type annotations, erased to plain Lua 5.4.

Concept.  `erase_types(source)` is a source-to-source pass run before the
ordinary Lua parser.  It reads the chunk with luavm's own lexer (so strings,
long strings, comments and numerals are recognised exactly as Lua does and are
never edited) and walks the token list with a small amount of context:

* annotations -- `local a: T, b: U`, function parameters `(a: T, ...: any)`,
  return types `): T` / `): (T, U?)` / `): ()` / `): T?, error?`, for-loop
  variables `for i: number, v: T in`, generic parameter lists
  `function f<T: Bound>(x: T)` -- are replaced by spaces;
* casts `e :: T` and `e as T` become `e` (the cast part is blanked), and so do
  non-nil assertions `e!`;
* declarations `type Name = T`, `export type Name<A> = T` become
  `local Name; Name = __type("Name", <descriptor>);` (see DESCRIPTORS below),
  written where the declaration started; the lines the declaration spanned
  are kept as empty lines.  Declarations at the chunk's top level are
  pre-declared (`local A, B;` inserted at the very start of the chunk) and
  assigned in place (`A = __type(...)`) so types may refer to types declared
  later (`type Req = {user: User}` before `type User = ...`).

`type`, `export` and `as` are contextual: they are plain names unless the
tokens around them make the dialect reading the only sensible one:

* `type`/`export type` starts a declaration only at the start of a statement
  (the previous token cannot be continued by an expression) and when followed
  by a name and then `=` or `<`;
* `as` is a cast only after a token that ends an expression and before a token
  that starts a type; before `(`, `{` or a string (which would also read as a
  call of a function named `as` starting the next statement) it must also be on
  the same line as the expression it follows, that expression must not end
  with `end`, and a type must read there (`f() as(1)` stays two statements);
* `::name::` is a goto label; any other `::` after an expression is a cast;
* in a cast, `<`, `|` and `&` after the type continue it only when a type
  follows (`x as number < 3` compares);
* `!` after an expression (not `!=`) is a non-nil assertion (never valid Lua).

DESCRIPTORS (Lua table constructors, built only for `type` declarations):
  {k="prim", name="number"}   number integer string boolean any nil table function
                              unknown never thread userdata; function types too
  {k="ref", name="Point", get=function() return Point end}   any other name
                              (`get` may fail or return a non-validator: the
                              validator then accepts anything); generic
                              arguments are dropped; `typeof(e)` is any;
                              a declaration's own generic parameters are any
  {k="lit", v="ok"} / {k="lit", v=true}            literal types
  {k="opt", t=D}                                   T?
  {k="union", ts={D1, D2}} / {k="inter", ts={...}} A | B / A & B
  {k="array", t=D}                                 {T} / T[]
  {k="map", key=DK, value=DV}                      {[K]: V}
  {k="record", fields={a=D, ["end"]=D}, order={"a", "end"}}   {a: T, ["end"]: U}
        plus key=DK, value=DV when a record also has an indexer;
        an optional field `b?: T` is b={k="opt", t=D}.
  Any descriptor may end with checks={{"min", 0}, {"pattern", "^.+@"}}:
  Wippy's validators `T @min(0) @pattern("^.+@")`, each {name, args...} with
  the arguments copied as written (strings re-quoted).

Invariants.  The output has exactly the source's newlines (after luavm.lexer's
newline normalisation): every kept token stays on its line and, outside
declarations, in its column, so runtime error positions are unchanged.  A
chunk without dialect constructs comes back byte-identical (modulo `\\r\\n`).
A malformed annotation raises luavm.lexer.LuaSyntaxError with a Lua-style
message `chunkname:line: message near 'token'`.  A lexical error stops the
pass: the rest of the chunk is left as is, for the Lua parser to report as
Lua would (unless an annotation being read runs into it: then it is raised).

Costs.  One extra lexing pass plus a linear walk over the tokens (type
expressions are read by recursive descent): about a third of the time the
parser then takes (measured: 125 KB of Wippy code, 28 ms vs 85 ms).  Results are cached
per (source, hook, chunkname), 64 entries, and on disk per (source, hook) (diskcache).
Not supported: Luau `type function`, compound assignment (`+=`), annotations
on non-local assignments; `read`/`write` property modifiers are skipped.
Declarations inside blocks are real locals, so a `goto` may not jump over one
into the rest of its block (a label at the block's end is fine).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import diskcache
from .errors import LuaLimitError
from .lexer import KEYWORDS, LuaSyntaxError, Tok, line_at, near_text, prepare, tokenize

__all__ = ["PRIMITIVES", "erase_types"]

PRIMITIVES = frozenset({
    "number", "integer", "string", "boolean", "any", "nil", "table", "function",
    "unknown", "never", "thread", "userdata",
})

# tokens after which an expression is complete (a cast may follow)
_EXPR_END = frozenset({"NAME", "NUMBER", "STRING", "RPAR", "RSQB", "RBRACE",
                       "NIL", "TRUE", "FALSE", "DOTS", "END"})
# tokens after which a new statement may start (`type X =` is a declaration)
_STMT_BOUNDARY = _EXPR_END | {"SEMI", "DO", "THEN", "ELSE", "REPEAT", "BREAK", "DBCOLON"}
# tokens that start a type, and those of them that after `as` could also be
# the call of a function named `as` (then `as` must be on the expression's line)
_TYPE_START = frozenset({"NAME", "LBRACE", "LPAR", "STRING", "NIL", "TRUE", "FALSE",
                         "FUNCTION", "LT"})
_CALL_ARGS = frozenset({"LPAR", "LBRACE", "STRING"})
_KEYWORD_TYPES = frozenset(KEYWORDS.values())
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_HOIST_MAX = 100  # top-level type names pre-declared at most (Lua allows 200 locals)
_CACHE: dict[tuple[str | bytes, str, str], bytes] = {}


# what a parenthesised type list that is not one type (a return pack) reads as;
# never a descriptor (those are table constructors)
_TUPLE = "(tuple)"


def _quote(value: bytes) -> str:
    """A Lua string literal (one line, latin-1 text) for `value`."""
    out = ['"']
    for b in value:
        c = chr(b)
        if c in '"\\' or not 32 <= b < 127:
            out.append(f"\\{b:03d}")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def _prim(name: str) -> str:
    return f'{{k="prim", name="{name}"}}'


def _key(name: str) -> str:
    if _IDENT.match(name) and name not in KEYWORDS:
        return name
    return f"[{_quote(name.encode('latin-1'))}]"


class _Eraser:
    def __init__(self, src: str, chunkname: str, hook: str, poll: Callable[[], None] | None = None) -> None:
        self.src = src
        self.chunkname = chunkname
        self.hook = hook
        self.lexerr: LuaSyntaxError | None = None
        toks: list[Tok] = []
        try:
            for t in tokenize(src, chunkname, poll):
                toks.append(t)
        except LuaSyntaxError as e:
            self.lexerr = e
            at = toks[-1].end if toks else 0
            toks.append(Tok("$END", "<eof>", line_at(src, at), at, at))
        self.eof = toks[-1]
        toks.extend([self.eof] * 4)  # lookahead never runs off the list
        self.toks = toks
        self.i = 0
        self.prev: Tok | None = None  # the last token kept in the output
        self.depth = 0  # block nesting (function/do/if/repeat ... end/until)
        self.generics: frozenset[str] = frozenset()
        # in a cast, `<`, `|` and `&` after a type may be the expression's operators
        # (`x as number < 3`): they continue the type only if a type follows
        self.lenient = False
        self.blanks: list[tuple[int, int]] = []
        self.decls: list[tuple[int, int, str, str, bool]] = []

    # --- helpers ---------------------------------------------------------

    def at(self, typ: str, k: int = 0) -> bool:
        return self.toks[self.i + k].type == typ

    def at_other(self, ch: str) -> bool:
        t = self.toks[self.i]
        return t.type == "OTHER" and t.value == ch

    def at_arrow(self) -> bool:
        a, b = self.toks[self.i], self.toks[self.i + 1]
        return a.type == "MINUS" and b.type == "GT" and b.pos == a.end

    def fail(self, msg: str, tok: Tok | None = None) -> LuaSyntaxError:
        tok = tok if tok is not None else self.toks[self.i]
        if tok is self.eof and self.lexerr is not None:
            return self.lexerr
        near = near_text(self.src, tok)
        full = f"{self.chunkname}:{tok.line}: {msg}"
        return LuaSyntaxError(f"{full} near {near}" if near is not None else full)

    def expect(self, typ: str, what: str, opener: Tok | None = None) -> None:
        if self.at(typ):
            self.i += 1
            return
        cur = self.toks[self.i]
        if opener is not None and opener.line != cur.line:
            raise self.fail(f"'{what}' expected (to close '{opener.value}' at line {opener.line})")
        raise self.fail(f"'{what}' expected")

    def close_angle(self, opener: Tok) -> None:
        """Consume a `>`, splitting `>>` and `>=` (`Map<K, List<V>>`, `type G<T>= ...`)."""
        t = self.toks[self.i]
        if t.type in ("SHR", "GE"):
            first = Tok("GT", ">", t.line, t.pos, t.pos + 1)
            rest = (Tok("GT", ">", t.line, t.pos + 1, t.end) if t.type == "SHR"
                    else Tok("ASSIGN", "=", t.line, t.pos + 1, t.end))
            self.toks[self.i:self.i + 1] = [first, rest]
        self.expect("GT", ">", opener)

    def erase_from(self, start: int) -> None:
        """Blank the source from `start` to the end of the last consumed token."""
        self.blanks.append((start, self.toks[self.i - 1].end))

    # --- types -----------------------------------------------------------

    def ty(self, pack_ok: bool = False) -> str:
        """A type; with `pack_ok`, a parenthesised list may come back as _TUPLE."""
        if self.at("PIPE"):
            self.i += 1
        first = self.inter(pack_ok)
        if first == _TUPLE:
            return first
        parts = [first]
        while self.at("PIPE"):
            d = self.operand(self.inter)
            if d is None:
                break
            parts.append(d)
        if len(parts) == 1:
            return first
        return f'{{k="union", ts={{{", ".join(parts)}}}}}'

    def inter(self, pack_ok: bool = False) -> str:
        if self.at("AMP"):
            self.i += 1
        first = self.postfix(pack_ok)
        if first == _TUPLE:
            return first
        parts = [first]
        while self.at("AMP"):
            d = self.operand(self.postfix)
            if d is None:
                break
            parts.append(d)
        if len(parts) == 1:
            return first
        return f'{{k="inter", ts={{{", ".join(parts)}}}}}'

    def operand(self, parse: Callable[[], str]) -> str | None:
        """After `|` or `&`: the next member (None: in a cast, not a type; nothing read)."""
        at = self.i
        self.i += 1
        if not self.lenient:
            return parse()
        try:
            return parse()
        except LuaSyntaxError:
            self.i = at
            return None

    def postfix(self, pack_ok: bool = False) -> str:
        d = self.primary(pack_ok)
        if d == _TUPLE:
            return d
        checks: list[str] = []
        while True:
            if self.at_other("?"):
                self.i += 1
                d = f'{{k="opt", t={d}}}'
            elif self.at("LSQB") and self.at("RSQB", 1):  # `string[]`: {string}
                self.i += 2
                d = f'{{k="array", t={d}}}'
            elif self.at_other("@"):
                checks.append(self.check())
            else:
                break
        if checks:  # `number @min(0) @max(9)`: the descriptor gets checks={...}
            d = f'{d[:-1]}, checks={{{", ".join(checks)}}}}}'
        return d

    def check(self) -> str:
        """At `@name(args)` after a type: `{"name", arg, ...}` (args copied as written)."""
        self.i += 1
        if not self.at("NAME"):
            raise self.fail("<name> expected")
        parts = [_quote(str(self.toks[self.i].value).encode("latin-1"))]
        self.i += 1
        if self.at("LPAR"):
            opener = self.toks[self.i]
            self.i += 1
            arg: list[str] = []
            depth = 0
            while True:
                t = self.toks[self.i]
                if t.type == "$END":
                    self.expect("RPAR", ")", opener)
                if depth == 0 and t.type in ("COMMA", "RPAR"):
                    if arg:
                        parts.append(" ".join(arg))
                    elif t.type == "COMMA":
                        raise self.fail("validator argument expected")
                    arg = []
                    self.i += 1
                    if t.type == "RPAR":
                        break
                    continue
                depth += {"LPAR": 1, "LBRACE": 1, "LSQB": 1, "RPAR": -1, "RBRACE": -1, "RSQB": -1}.get(t.type, 0)
                if t.type == "STRING":
                    assert isinstance(t.value, bytes)
                    arg.append(_quote(t.value))
                else:
                    arg.append(self.src[t.pos:t.end])
                self.i += 1
        return f"{{{', '.join(parts)}}}"

    def primary(self, pack_ok: bool = False) -> str:
        t = self.toks[self.i]
        typ = t.type
        if typ == "NAME":
            return self.named()
        if typ == "NIL":
            self.i += 1
            return _prim("nil")
        if typ in ("TRUE", "FALSE"):
            self.i += 1
            return f'{{k="lit", v={t.value}}}'
        if typ == "STRING":
            self.i += 1
            assert isinstance(t.value, bytes)
            return f'{{k="lit", v={_quote(t.value)}}}'
        if typ == "LBRACE":
            return self.table()
        if typ == "LPAR":
            return self.parens(pack_ok)
        if typ == "LT":  # generic function type <T>(T) -> T
            self.generic_params()
            if not self.at("LPAR"):
                raise self.fail("'(' expected")
            self.param_list()
            if not self.at_arrow():
                raise self.fail("'->' expected")
            self.i += 2
            self.ret_type()
            return _prim("function")
        if typ == "FUNCTION":  # `function`, or `function(a: T): R`
            self.i += 1
            if self.at("LPAR"):
                self.param_list()
                if self.at("COLON"):
                    self.i += 1
                    self.ret_type()
            return _prim("function")
        raise self.fail("type expected")

    def named(self) -> str:
        t = self.toks[self.i]
        self.i += 1
        name = str(t.value)
        if name == "typeof" and self.at("LPAR"):
            self.skip_parens()
            return _prim("any")
        while self.at("DOT") and self.at("NAME", 1):
            name += "." + str(self.toks[self.i + 1].value)
            self.i += 2
        nxt = self.toks[self.i + 1]
        if self.at("LT") and not (nxt.type == "NAME" and nxt.value in ("const", "close")
                                  and self.at("GT", 2)):  # not `local x: T <const>`
            at = self.i
            try:
                self.type_args()
            except LuaSyntaxError:
                if not self.lenient:
                    raise
                self.i = at
        if self.at("DOTS"):  # a generic pack T...
            self.i += 1
        if name in PRIMITIVES:
            return _prim(name)
        if name in self.generics:
            return _prim("any")
        return f'{{k="ref", name="{name}", get=function() return {name} end}}'

    def type_args(self) -> None:
        """`<T, U...>` after a type name (dropped)."""
        opener = self.toks[self.i]
        self.i += 1
        if not self.at("GT"):
            while True:
                self.type_arg()
                if not self.at("COMMA"):
                    break
                self.i += 1
        self.close_angle(opener)

    def type_arg(self) -> None:
        if self.at("DOTS"):
            self.i += 1
        self.ty(pack_ok=True)

    def skip_parens(self) -> None:
        opener = self.toks[self.i]
        depth = 0
        while True:
            t = self.toks[self.i]
            if t.type == "$END":
                raise self.fail("')' expected" if opener.line == t.line else
                                f"')' expected (to close '(' at line {opener.line})")
            self.i += 1
            if t.type == "LPAR":
                depth += 1
            elif t.type == "RPAR":
                depth -= 1
                if depth == 0:
                    return

    def table(self) -> str:
        opener = self.toks[self.i]
        self.i += 1
        fields: dict[str, str] = {}
        order: list[str] = []
        key = value = array = None
        while not self.at("RBRACE"):
            t, nxt = self.toks[self.i], self.toks[self.i + 1]
            if (t.type == "NAME" and t.value in ("read", "write") and nxt.type == "NAME"
                    and self.at("COLON", 2)):
                self.i += 1  # a property modifier
                t, nxt = nxt, self.toks[self.i + 1]
            name: str | None = None
            if t.type == "LSQB" and nxt.type == "STRING" and self.at("RSQB", 2) and self.at("COLON", 3):
                assert isinstance(nxt.value, bytes)
                name = nxt.value.decode("latin-1")
                self.i += 4
            optional = False
            if t.type == "NAME" or t.type in _KEYWORD_TYPES:
                if nxt.type == "COLON":
                    name = str(t.value)
                    self.i += 2
                elif nxt.type == "OTHER" and nxt.value == "?" and self.at("COLON", 2):
                    name = str(t.value)  # `timeout?: number`
                    optional = True
                    self.i += 3
            if name is not None:
                if array is not None:
                    raise self.fail("'}' expected", t)
                if name not in fields:
                    order.append(name)
                d = self.ty()
                fields[name] = f'{{k="opt", t={d}}}' if optional else d
            elif t.type == "LSQB":
                if array is not None:
                    raise self.fail("'}' expected", t)
                self.i += 1
                key = self.ty()
                self.expect("RSQB", "]", t)
                self.expect("COLON", ":")
                value = self.ty()
            else:
                if array is not None or fields or key is not None:
                    raise self.fail("'}' expected")
                array = self.ty()
            if self.at("COMMA") or self.at("SEMI"):
                self.i += 1
                continue
            break
        self.expect("RBRACE", "}", opener)
        if array is not None:
            return f'{{k="array", t={array}}}'
        if key is not None and not fields:
            return f'{{k="map", key={key}, value={value}}}'
        body = ", ".join(f"{_key(n)}={d}" for n, d in fields.items())
        names = ", ".join(_quote(n.encode("latin-1")) for n in order)
        extra = f", key={key}, value={value}" if key is not None else ""
        return f'{{k="record", fields={{{body}}}, order={{{names}}}{extra}}}'

    def param_list(self) -> tuple[list[str], bool]:
        """`( [name:] T, ...T, ... )` of a function type: the element descriptors,
        and whether all were plain types (a one-element list is then a grouping)."""
        opener = self.toks[self.i]
        self.i += 1
        descs: list[str] = []
        plain = True
        while not self.at("RPAR"):
            if self.at("NAME") and self.at("COLON", 1):
                self.i += 2
                plain = False
            if self.at("DOTS"):
                plain = False
                self.i += 1
                if self.at("COLON"):
                    self.i += 1
                descs.append(_prim("any") if self.at("COMMA") or self.at("RPAR") else self.ty())
            else:
                d = self.ty(pack_ok=True)
                plain = plain and d != _TUPLE
                descs.append(d)
            if not self.at("COMMA"):
                break
            self.i += 1
        self.expect("RPAR", ")", opener)
        return descs, plain

    def parens(self, pack_ok: bool) -> str:
        descs, plain = self.param_list()
        if self.at_arrow():
            self.i += 2
            self.ret_type()
            return _prim("function")
        if plain and len(descs) == 1:  # a parenthesised type
            return descs[0]
        if pack_ok:
            return _TUPLE
        raise self.fail("'->' expected")

    def ret_type(self) -> None:
        """A return type or pack: `T`, `(T, U?)`, `()`, `...T`."""
        if self.at("DOTS"):
            self.i += 1
            self.ty()
            return
        self.ty(pack_ok=True)

    def generic_params(self) -> set[str]:
        """`<T, U = string, V...>`: the names."""
        opener = self.toks[self.i]
        self.i += 1
        names: set[str] = set()
        while not self.at("GT") and not self.at("SHR") and not self.at("GE"):
            if not self.at("NAME"):
                raise self.fail("<name> expected")
            names.add(str(self.toks[self.i].value))
            self.i += 1
            if self.at("DOTS"):
                self.i += 1
            if self.at("COLON"):  # a constraint: <T: HasName>
                self.i += 1
                self.ty()
            if self.at("ASSIGN"):
                self.i += 1
                self.type_arg()
            if not self.at("COMMA"):
                break
            self.i += 1
        self.close_angle(opener)
        return names

    def annotation(self) -> None:
        """At `:` after a name: blank `: T`."""
        start = self.toks[self.i].pos
        self.i += 1
        self.ty()
        self.erase_from(start)

    # --- statements ------------------------------------------------------

    def run(self) -> None:
        toks = self.toks
        while True:
            t = toks[self.i]
            typ = t.type
            if typ == "$END":
                return
            if typ == "FUNCTION":
                self.depth += 1
                self.function_header()
                continue
            if typ == "LOCAL" and self.at("NAME", 1):
                self.prev = t
                self.i += 1
                self.names(attribs=True)
                continue
            if typ == "FOR":
                self.prev = t
                self.i += 1
                self.names(attribs=False)
                continue
            if typ == "NAME":
                v = t.value
                if v in ("type", "export") and self.statement_start():
                    j = self.i + (1 if v == "export" else 0)
                    if (toks[j].type == "NAME" and toks[j].value == "type"
                            and toks[j + 1].type == "NAME" and toks[j + 2].type in ("ASSIGN", "LT")):
                        self.declaration(j)
                        continue
                elif v == "as" and self.as_cast():
                    self.cast()
                    continue
            elif typ == "DBCOLON":
                if self.at("NAME", 1) and self.at("DBCOLON", 2):  # a label
                    self.prev = toks[self.i + 2]
                    self.i += 3
                    continue
                if self.prev is not None and self.prev.type in _EXPR_END:
                    self.cast()
                    continue
            elif typ == "OTHER" and t.value == "!":
                nxt = toks[self.i + 1]
                if (self.prev is not None and self.prev.type in _EXPR_END
                        and not (nxt.type == "ASSIGN" and nxt.pos == t.end)):
                    self.blanks.append((t.pos, t.end))  # `e!`: a non-nil assertion
                    self.i += 1
                    continue
            elif typ in ("DO", "IF", "REPEAT"):
                self.depth += 1
            elif typ in ("END", "UNTIL"):
                self.depth -= 1
            self.prev = t
            self.i += 1

    def statement_start(self) -> bool:
        return self.prev is None or self.prev.type in _STMT_BOUNDARY

    def as_cast(self) -> bool:
        """At `as`: is it a cast?  Before `(`, `{` or a string it could also be the
        call of a function named `as` starting the next statement: a cast then
        needs the expression on the same line, not closed by `end`, and a type
        that reads; when that type is just the bracketed group or the string,
        the group must also not be valid call arguments (`f() as("x")` and
        `f() as {}` stay calls, `x as {}?` and `x as {a: T}` are casts)."""
        prev = self.prev
        if prev is None or prev.type not in _EXPR_END:
            return False
        t, nxt = self.toks[self.i], self.toks[self.i + 1]
        if nxt.type not in _TYPE_START:
            return False
        if nxt.type not in _CALL_ARGS:
            return True
        if prev.type == "END" or line_at(self.src, prev.end) != t.line:
            return False
        at = self.i
        self.i += 1
        self.lenient = True
        try:
            self.ty()
            end = self.i
        except LuaSyntaxError:
            return False
        finally:
            self.i = at
            self.lenient = False
        group_end = self.group_end(at + 1)
        if end > group_end:
            return True
        from .parser import parse  # rare: only for `as` before a bracket on one line

        args = self.src[nxt.pos:self.toks[group_end - 1].end]
        try:
            parse("return as" + args, "=as")
        except LuaSyntaxError:
            return True
        return False

    def group_end(self, i: int) -> int:
        """Index just after the bracketed group (or the string) starting at token i."""
        toks = self.toks
        if toks[i].type == "STRING":
            return i + 1
        depth = 0
        while toks[i].type != "$END":
            typ = toks[i].type
            i += 1
            if typ in ("LPAR", "LBRACE", "LSQB"):
                depth += 1
            elif typ in ("RPAR", "RBRACE", "RSQB"):
                depth -= 1
                if depth == 0:
                    break
        return i

    def cast(self) -> None:
        """At `::` or `as` after an expression: blank the cast."""
        start = self.toks[self.i].pos
        self.i += 1
        self.lenient = True
        try:
            self.ty()
        finally:
            self.lenient = False
        self.erase_from(start)

    def names(self, attribs: bool) -> None:
        """`local a <const>: T, b: U` / `for i: T, v: U`: blank the annotations."""
        while self.at("NAME"):
            self.prev = self.toks[self.i]
            self.i += 1
            for _ in range(2):  # an attribute before or after the annotation
                if attribs and self.at("LT") and self.at("NAME", 1) and self.at("GT", 2):
                    self.prev = self.toks[self.i + 2]
                    self.i += 3
                elif self.at("COLON"):
                    self.annotation()
            if not self.at("COMMA"):
                return
            self.prev = self.toks[self.i]
            self.i += 1

    def function_header(self) -> None:
        """At `function`: blank generic parameters, parameter and return annotations."""
        toks = self.toks
        self.prev = toks[self.i]
        self.i += 1
        if self.at("NAME"):
            self.i += 1
            while self.at("DOT") and self.at("NAME", 1):
                self.i += 2
            if self.at("COLON") and self.at("NAME", 1):
                self.i += 2
            self.prev = toks[self.i - 1]
        if self.at("LT"):
            start = toks[self.i].pos
            self.generic_params()
            self.erase_from(start)
        if not self.at("LPAR"):
            return  # not Lua: the parser reports it
        self.prev = toks[self.i]
        self.i += 1
        while self.at("NAME") or self.at("DOTS"):
            self.prev = toks[self.i]
            self.i += 1
            if self.at("COLON"):
                self.annotation()
            if not self.at("COMMA"):
                break
            self.prev = toks[self.i]
            self.i += 1
        if not self.at("RPAR"):
            return
        rpar = toks[self.i]
        self.prev = Tok("DO", "do", rpar.line, rpar.pos, rpar.end)  # a body starts
        self.i += 1
        if self.at("COLON"):
            start = toks[self.i].pos
            self.i += 1
            self.ret_type()
            while self.at("COMMA"):  # `): string?, error?` (a body cannot start with ',')
                self.i += 1
                self.ret_type()
            self.erase_from(start)

    def declaration(self, j: int) -> None:
        """At `[export] type Name[<T>] = T` (`j` indexes `type`): record the rewrite."""
        start = self.toks[self.i].pos
        name = str(self.toks[j + 1].value)
        self.i = j + 2
        generics: set[str] = set()
        if self.at("LT"):
            generics = self.generic_params()
        self.expect("ASSIGN", "=")
        outer = self.generics
        self.generics = frozenset(generics)
        try:
            desc = self.ty()
        finally:
            self.generics = outer
        end = self.toks[self.i - 1]
        self.decls.append((start, end.end, name, desc, self.depth == 0))
        self.prev = Tok("SEMI", ";", end.line, end.pos, end.end)

    # --- output ----------------------------------------------------------

    def output(self) -> str:
        src = self.src
        edits: list[tuple[int, int, str]] = []
        top = list(dict.fromkeys(n for _, _, n, _, t in self.decls if t))
        hoist = 0 < len(top) <= _HOIST_MAX
        if hoist:
            edits.append((0, 0, f"local {', '.join(top)}; "))
        for start, end, name, desc, at_top in self.decls:
            head = "" if hoist and at_top else f"local {name}; "
            code = f'{head}{name} = {self.hook}("{name}", {desc});'
            edits.append((start, end, code + "\n" * src.count("\n", start, end)))
        for start, end in self.blanks:
            edits.append((start, end, re.sub(r"[^\n]", " ", src[start:end])))
        if not edits:
            return src
        edits.sort(key=lambda e: (e[0], e[1]))
        out: list[str] = []
        pos = 0
        for start, end, text in edits:
            if start < pos:  # nested in an edit already made (cannot happen; be safe)
                continue
            out.append(src[pos:start])
            out.append(text)
            pos = end
        out.append(src[pos:])
        return "".join(out)


def erase_types(source: bytes | str, type_hook: str = "__type", *, chunkname: str = "?",
                poll: Callable[[], None] | None = None) -> bytes:
    """Plain Lua 5.4 source for a chunk in Wippy's dialect (see the module docstring).

    `type_hook`: the global (or any Lua expression) called as `hook("Name",
    descriptor)` for each `type` declaration; its result becomes the local `Name`.
    `chunkname`: the name as Lua prints it in messages ("x.lua", '[string "..."]').
    `poll`: a limited runtime's check of its clock (see lexer.tokenize).  Raises
    LuaSyntaxError for malformed annotations, LuaLimitError when `poll` does."""
    key = (source, type_hook, chunkname)
    if (hit := _CACHE.get(key)) is not None:
        return hit
    out = diskcache.memo("erased", (source, type_hook), bytes, lambda: _erase(source, type_hook, chunkname, poll))
    if len(_CACHE) >= 64:
        _CACHE.clear()
    _CACHE[key] = out
    return out


def _erase(source: bytes | str, type_hook: str, chunkname: str, poll: Callable[[], None] | None) -> bytes:
    e = _Eraser(prepare(source, skip_shebang=False), chunkname, type_hook, poll)
    try:
        e.run()
    except (LuaSyntaxError, LuaLimitError):  # (a limited runtime's clock or memory ran out)
        raise
    except RecursionError:
        e.i = min(e.i, len(e.toks) - 1)
        raise e.fail("C stack overflow") from None
    except Exception as exc:  # a bug here must still look like a Lua error to the caller
        raise LuaSyntaxError(f"{chunkname}: internal dialect error: {exc!r}") from exc
    return e.output().encode("latin-1")
