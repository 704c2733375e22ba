"""Lua 5.4 parser: source -> luavm.ast.Chunk.

The fast path is Lark's LALR(1) parser over grammar/lua.lark, fed by
luavm.lexer, building the AST directly in the rule callbacks (no parse tree).
When that path rejects a chunk, `_Checker` (a syntax-only port of lparser.c's
recursive descent) re-reads it to produce the error Lua would report: Lua's
messages ("'end' expected (to close 'function' at line 3) near <eof>") follow
from the shape of its LL(1) parser, which an LALR automaton does not have.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from lark import Lark
from lark.lexer import Lexer, Token
from lark.parsers.lalr_analysis import Shift

from . import ast, lexer
from .lexer import LuaSyntaxError, Tok, near_text, prepare, token2str, tokenize

__all__ = ["LuaSyntaxError", "parse"]

_C_BASE = 2  # C levels Lua has used before parsing (a load() called from Lua code)
_C_LIMIT = 200  # LUAI_MAXCCALLS
_DEEP_STACK = 150  # LALR stack height beyond which the C-level limit is checked


def parse(source: bytes | str, chunkname: str = "?", *, skip_shebang: bool = True) -> ast.Chunk:
    """Parse a Lua chunk; raise LuaSyntaxError with Lua's exact message on error.

    `chunkname` is the name as Lua prints it ("x.lua", '[string "..."]').
    `skip_shebang` drops a BOM and a first line starting with '#', as
    luaL_loadfile does for files; pass False for load() of a string.
    """
    gc_was_on = gc.isenabled()
    gc.disable()  # ~10% faster: the AST is many small acyclic objects
    try:
        src = prepare(source, skip_shebang)
        with _lock:
            return _parse(src, chunkname)
    except LuaSyntaxError:
        raise
    except RecursionError:
        raise LuaSyntaxError("C stack overflow") from None
    except Exception as exc:  # a bug here must still look like a Lua error to the caller
        raise LuaSyntaxError(f"{chunkname}: internal parser error: {exc!r}") from exc
    finally:
        if gc_was_on:
            gc.enable()


# --------------------------------------------------------------- fast path

_lock = threading.Lock()  # the callbacks keep per-parse state (vararg nesting)
_cache: dict[str, Any] = {}


class _Reject(Exception):
    """Raised by a callback for what the grammar accepts but Lua does not."""


def _grammar_text() -> str:
    """The grammar, shipped inside the package (wheel) or at the top of the repo."""
    here = Path(__file__).parent
    for path in (here / "grammar" / "lua.lark", here.parent / "grammar" / "lua.lark"):
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise LuaSyntaxError("?: internal parser error: grammar/lua.lark not found")


class _LarkLexer(Lexer):
    """Adapter so that plain `Lark.parse(text)` also works (debugging, other tools).

    `parse()` does not use it: it drives the table itself (see `_run`).
    """

    def __init__(self, lexer_conf: Any) -> None:
        pass

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]  # Lark's interface 0
        for t in tokenize(prepare(data), "?"):
            if t.type != "$END":
                yield Token(t.type, t.value, t.pos, t.line, 0, t.line, 0, t.end)


class _Tables(NamedTuple):
    """Lark's LALR table, recompiled for `_run`: per state, a token type maps to
    the next state (shift, an int) or to (size, callback or None, nonterminal)
    (reduce; no callback means a `?rule` with one child: the value stays)."""

    actions: dict[int, dict[str, Any]]
    gotos: dict[int, dict[str, int]]
    start: int
    end: int
    builder: _Builder
    lark: Lark
    chains: dict[tuple[int, int, str], int]  # memo for _unit_chain


def _tables() -> _Tables:
    """Build the parser once (about 0.1 s); later calls reuse it."""
    if "t" not in _cache:
        builder = _Builder()
        lark = Lark(_grammar_text(), parser="lalr", lexer=_LarkLexer, transformer=builder,
                    maybe_placeholders=False, keep_all_tokens=True)
        missing = set(lexer.KEYWORDS.values()) | set(lexer.OPERATORS.values())
        missing -= {t.name for t in lark.terminals}
        assert not missing, f"grammar lacks terminals {missing}"
        conf = lark.parse_interactive().parser_state.parse_conf
        actions: dict[int, dict[str, Any]] = {}
        gotos: dict[int, dict[str, int]] = {}
        for state, row in conf.states.items():
            actions[state], gotos[state] = {}, {}
            for name, (action, arg) in row.items():
                sym = str(name)  # Lark's names are Token objects: slow to hash
                if not (sym.isupper() or sym == "$END"):
                    gotos[state][sym] = arg
                elif action is Shift:
                    actions[state][sym] = arg
                else:
                    size = len(arg.expansion)
                    if arg.options.expand1 and not arg.alias and size == 1:
                        fn = None
                    else:
                        fn = getattr(builder, arg.alias or arg.origin.name)
                    actions[state][sym] = (size, fn, str(arg.origin.name))
        _cache["t"] = _Tables(actions, gotos, conf.start_state, conf.end_state, builder, lark, {})
    return _cache["t"]


def _parse(src: str, chunkname: str) -> ast.Chunk:
    try:
        return _run(tokenize(src, chunkname), _tables(), src, chunkname)
    except LuaSyntaxError as exc:
        failure: Exception = exc
    except _Reject as exc:
        failure = exc
    _Checker(src, chunkname).run()  # raises Lua's message for the rejected chunk
    if isinstance(failure, LuaSyntaxError):  # the checker should have found it too
        raise failure
    # Only reached if the grammar and the checker disagree.
    raise LuaSyntaxError(f"{chunkname}:{failure.args[1]}: {failure.args[0]}")


def _run(tokens: Iterator[Tok], tables: _Tables, src: str, chunkname: str) -> ast.Chunk:
    """The LALR driver (Lark's feed_token loop, minus its per-reduction overhead)."""
    actions, gotos, end, chains = tables.actions, tables.gotos, tables.end, tables.chains
    builder = tables.builder
    builder.varargs = [True]  # the main chunk is a vararg function
    builder.long_varlist = False
    states = [tables.start]
    values: list[Any] = []
    checked = False
    tok = Tok("$END", "<eof>", 1, 0, 0)
    try:
        for tok in tokens:
            t = tok.type
            while True:
                act = actions[states[-1]].get(t)
                if type(act) is int:
                    states.append(act)
                    values.append(tok)
                    if len(states) > _DEEP_STACK and not checked:
                        _Checker(src, chunkname).run()  # "C stack overflow" if Lua says so
                        checked = True
                    break
                if act is None:
                    raise _Reject(f"syntax error near {near_text(src, tok)}")
                size, fn, origin = act
                if fn is None:  # a chain of `?rule` unit reductions: one cached jump
                    key = (states[-2], states[-1], t)
                    top = chains.get(key)
                    if top is None:
                        top = chains[key] = _unit_chain(tables, states[-2], states[-1], t)
                    states[-1] = top
                    continue
                if size:
                    args = values[-size:]
                    del values[-size:]
                    del states[-size:]
                else:
                    args = []
                values.append(fn(args))
                states.append(gotos[states[-1]][origin])
                if states[-1] == end and t == "$END":
                    if builder.long_varlist and not checked:  # Lua recurses per target
                        _Checker(src, chunkname).run()
                    return ast.Chunk(line=0, body=_close(values[-1], tok), chunkname=chunkname)
    except _Reject as exc:  # note where, for the fallback message
        raise _Reject(exc.args[0], tok.line) from None
    raise _Reject("unexpected end of the token stream", tok.line)


def _unit_chain(tables: _Tables, below: int, top: int, t: str) -> int:
    """The state after every pass-through reduction that `t` triggers on `top`."""
    while True:
        act = tables.actions[top].get(t)
        if type(act) is not tuple or act[1] is not None:
            return top
        top = tables.gotos[below][act[2]]


def _close(block: ast.Block, tok: Tok) -> ast.Block:
    """Record the token that ends `block` (an empty block takes its line too)."""
    block.end_line = tok.line
    if not block.stmts:
        block.line = tok.line
    return block


def _first(e: ast.Expr) -> int:
    """Line of an expression's first token (Lua's line for calls and statements)."""
    while True:
        line = e.__dict__.get("_paren_line")
        if line is not None:
            return line
        if type(e) is ast.Index:
            e = e.obj
        elif type(e) is ast.BinOp:
            e = e.left
        else:
            return e.line


_MULTI = (ast.Call, ast.MethodCall, ast.Vararg)


class _Builder:
    """Rule callbacks for Lark's LALR parser: each gets its rule's children
    (Tok for terminals, AST nodes / lists for rules) and returns the AST."""

    varargs: list[bool]  # is each enclosing function vararg?
    long_varlist: bool  # an assignment with enough targets to hit Lua's C-level limit

    # ---- blocks and statements
    def start(self, c: list) -> ast.Block:
        return c[0]

    def block(self, c: list) -> ast.Block:
        stmts = c[0]
        if len(c) == 2:
            stmts.append(c[1])
        return ast.Block(line=stmts[0].line if stmts else 0, stmts=stmts)

    def stats(self, c: list) -> list:
        if not c:
            return []
        if c[1] is not None:
            c[0].append(c[1])
        return c[0]

    def retstat(self, c: list) -> ast.Return:
        exprs = c[1] if len(c) > 1 and isinstance(c[1], list) else []
        return ast.Return(line=c[0].line, exprs=exprs)

    def s_empty(self, c: list) -> None:
        return None

    def s_assign(self, c: list) -> ast.Assign:
        return ast.Assign(line=_first(c[0][0]), targets=c[0], exprs=c[2])

    def s_call(self, c: list) -> ast.CallStat:
        return ast.CallStat(line=c[0].line, call=c[0])

    def s_label(self, c: list) -> ast.Label:
        return ast.Label(line=c[0].line, name=c[1].value)

    def s_break(self, c: list) -> ast.Break:
        return ast.Break(line=c[0].line)

    def s_goto(self, c: list) -> ast.Goto:
        return ast.Goto(line=c[0].line, label=c[1].value)

    def s_do(self, c: list) -> ast.Do:
        return ast.Do(line=c[0].line, body=_close(c[1], c[2]))

    def s_while(self, c: list) -> ast.While:
        return ast.While(line=c[0].line, cond=c[1], body=_close(c[3], c[4]))

    def s_repeat(self, c: list) -> ast.Repeat:
        return ast.Repeat(line=c[0].line, body=_close(c[1], c[2]), cond=c[3])

    def s_if(self, c: list) -> ast.If:
        # IF exp THEN block elseifs [ELSE block] END
        clauses = [(c[1], c[3]), *((e, b) for _, e, b in c[4])]
        closers = [tok for tok, _, _ in c[4]] + [c[5]]
        for (_, blk), tok in zip(clauses, closers):
            _close(blk, tok)
        orelse = _close(c[6], c[7]) if len(c) == 8 else None
        return ast.If(line=c[0].line, tests=clauses, orelse=orelse)

    def elseifs(self, c: list) -> list:
        if not c:
            return []
        c[0].append((c[1], c[2], c[4]))
        return c[0]

    def s_numfor(self, c: list) -> ast.NumFor:
        step = c[7] if len(c) == 11 else None
        return ast.NumFor(line=c[0].line, var=c[1].value, start=c[3], stop=c[5], step=step,
                          body=_close(c[-2], c[-1]))

    def s_genfor(self, c: list) -> ast.GenFor:
        return ast.GenFor(line=c[0].line, names=c[1], exprs=c[3], body=_close(c[5], c[6]))

    def s_function(self, c: list) -> ast.FunctionStat:
        target, name, is_method = c[1]
        func: ast.Function = c[2]
        func.line = c[0].line
        func.name = name
        if is_method:
            func.params.insert(0, "self")
            func.is_method = True
        return ast.FunctionStat(line=c[0].line, target=target, func=func)

    def s_localfunction(self, c: list) -> ast.LocalFunction:
        func: ast.Function = c[3]
        func.name = c[2].value
        return ast.LocalFunction(line=c[0].line, name=c[2].value, func=func)

    def s_local(self, c: list) -> ast.Local:
        names = [n for n, _ in c[1]]
        attribs = [a for _, a in c[1]]
        if attribs.count("close") > 1:
            raise _Reject("multiple to-be-closed variables in local list")
        exprs = c[3] if len(c) == 4 else []
        return ast.Local(line=c[0].line, names=names, attribs=attribs, exprs=exprs)

    def attname(self, c: list) -> tuple[str, str | None]:
        if len(c) == 1:
            return c[0].value, None
        attrib = c[2].value
        if attrib != "const" and attrib != "close":
            raise _Reject(f"unknown attribute '{attrib}'")
        return c[0].value, attrib

    # ---- lists: `x` or `list SEP x`
    def _list(self, c: list) -> list:
        if len(c) == 1:
            return [c[0]]
        c[0].append(c[2])
        return c[0]

    explist = attnamelist = fieldlist = _list

    def varlist(self, c: list) -> list:
        if len(c) == 3 and len(c[0]) > 50:
            self.long_varlist = True
        return self._list(c)

    def namelist(self, c: list) -> list[str]:
        if len(c) == 1:
            return [c[0].value]
        c[0].append(c[2].value)
        return c[0]

    # ---- functions
    def funcname(self, c: list) -> tuple[ast.Expr, str, bool]:
        target, name = c[0]
        if len(c) == 1:
            return target, name, False
        key = ast.String(line=c[2].line, value=c[2].value.encode())
        return ast.Index(line=c[1].line, obj=target, key=key), f"{name}:{c[2].value}", True

    def funcpath(self, c: list) -> tuple[ast.Expr, str]:
        if len(c) == 1:
            return ast.Name(line=c[0].line, name=c[0].value), c[0].value
        target, name = c[0]
        key = ast.String(line=c[2].line, value=c[2].value.encode())
        return ast.Index(line=c[1].line, obj=target, key=key), f"{name}.{c[2].value}"

    def params(self, c: list) -> tuple[int, list[str], bool]:
        names, is_vararg = c[1] if len(c) == 3 else ([], False)
        self.varargs.append(is_vararg)  # reduced before the body's first token is read
        return c[0].line, names, is_vararg

    def parlist(self, c: list) -> tuple[list[str], bool]:
        if len(c) == 3:
            return c[0], True
        if isinstance(c[0], list):
            return c[0], False
        return [], True

    def funcbody(self, c: list) -> ast.Function:
        self.varargs.pop()
        line, names, is_vararg = c[0]
        return ast.Function(line=line, params=names, is_vararg=is_vararg,
                            body=_close(c[1], c[2]), end_line=c[2].line)

    def functiondef(self, c: list) -> ast.Function:
        return c[1]

    # ---- expressions
    def binop(self, c: list) -> ast.BinOp:
        return ast.BinOp(line=c[1].line, op=c[1].value, left=c[0], right=c[2])

    def unop(self, c: list) -> ast.UnOp:
        return ast.UnOp(line=c[0].line, op=c[0].value, operand=c[1])

    def nil(self, c: list) -> ast.Nil:
        return ast.Nil(line=c[0].line)

    def true(self, c: list) -> ast.TrueE:
        return ast.TrueE(line=c[0].line)

    def false(self, c: list) -> ast.FalseE:
        return ast.FalseE(line=c[0].line)

    def number(self, c: list) -> ast.Number:
        return ast.Number(line=c[0].line, value=c[0].value)

    def string(self, c: list) -> ast.String:
        return ast.String(line=c[0].line, value=c[0].value)

    def vararg(self, c: list) -> ast.Vararg:
        if not self.varargs[-1]:
            raise _Reject("cannot use '...' outside a vararg function")
        return ast.Vararg(line=c[0].line)

    def paren(self, c: list) -> ast.Expr:
        e = c[1]
        if isinstance(e, _MULTI):
            return ast.Paren(line=c[0].line, expr=e)
        e._paren_line = c[0].line  # the '(' still starts the expression (see _first)
        return e

    def name(self, c: list) -> ast.Name:
        return ast.Name(line=c[0].line, name=c[0].value)

    def index(self, c: list) -> ast.Index:
        return ast.Index(line=c[1].line, obj=c[0], key=c[2])

    def dot(self, c: list) -> ast.Index:
        key = ast.String(line=c[2].line, value=c[2].value.encode())
        return ast.Index(line=c[1].line, obj=c[0], key=key)

    def call(self, c: list) -> ast.Call:
        return ast.Call(line=_first(c[0]), func=c[0], args=c[1])

    def method(self, c: list) -> ast.MethodCall:
        return ast.MethodCall(line=_first(c[0]), obj=c[0], method=c[2].value, args=c[3])

    def args(self, c: list) -> list:
        if len(c) == 3:
            return c[1]
        if len(c) == 2:
            return []
        a = c[0]
        return [a] if isinstance(a, ast.Table) else [ast.String(line=a.line, value=a.value)]

    def table(self, c: list) -> ast.Table:
        return ast.Table(line=c[0].line, fields=c[1] if len(c) > 2 else [])

    def field_key(self, c: list) -> ast.Field:
        return ast.Field(line=c[0].line, key=c[1], value=c[4])

    def field_name(self, c: list) -> ast.Field:
        key = ast.String(line=c[0].line, value=c[0].value.encode())
        return ast.Field(line=c[0].line, key=key, value=c[2])

    def field_pos(self, c: list) -> ast.Field:
        return ast.Field(line=_first(c[0]), key=None, value=c[0])


# ------------------------------------------------------------- error path

_PUNCT = frozenset(lexer.KEYWORDS.values()) | frozenset(lexer.OPERATORS.values())
_UNARY = frozenset(("not", "-", "#", "~"))
_UNARY_PRIORITY = 12
_BINARY = {  # lparser.c `priority`: (left, right)
    "+": (10, 10), "-": (10, 10), "*": (11, 11), "%": (11, 11), "^": (14, 13),
    "/": (11, 11), "//": (11, 11), "&": (6, 6), "|": (4, 4), "~": (5, 5),
    "<<": (7, 7), ">>": (7, 7), "..": (9, 8), "==": (3, 3), "<": (3, 3), "<=": (3, 3),
    "~=": (3, 3), ">": (3, 3), ">=": (3, 3), "and": (2, 2), "or": (1, 1),
}
_CLOSERS = frozenset(("else", "elseif", "end", "$END"))


def _key(tok: Tok) -> str:
    """A token as lparser.c tests it: the text of keywords/operators, else its class."""
    return tok.value if tok.type in _PUNCT else tok.type  # type: ignore[return-value]


class _Checker:
    """lparser.c without code generation: finds the first error exactly where Lua
    does and raises it with Lua's wording.  Expression kinds are reduced to
    "var" (assignable), "call" and "other"."""

    def __init__(self, src: str, chunkname: str) -> None:
        self.src = src
        self.chunkname = chunkname
        self.tokens = tokenize(src, chunkname)
        self.linenumber = 1  # ls->linenumber: where the lexer stands
        self.lexed_to = 0
        self.level = _C_BASE
        self.varargs = [True]
        self.ahead: Tok | None = None
        self.tok = self._read()
        self.k = _key(self.tok)

    def run(self) -> None:
        """Raise LuaSyntaxError for the chunk's first error; return if there is none."""
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(old + 4000)  # at most ~200 levels of a few frames each
        try:
            self.statlist()
            self.check("$END")
        finally:
            sys.setrecursionlimit(old)

    # ---- tokens
    def _read(self) -> Tok:
        tok = next(self.tokens)
        self.linenumber += self.src.count("\n", self.lexed_to, tok.end)
        self.lexed_to = tok.end
        return tok

    def next(self) -> None:
        if self.ahead is not None:
            self.tok, self.ahead = self.ahead, None
        else:
            self.tok = self._read()
        self.k = _key(self.tok)

    def lookahead(self) -> str:
        self.ahead = self._read()
        return _key(self.ahead)

    def error(self, msg: str, near: bool = True) -> LuaSyntaxError:
        """luaX_syntaxerror; near=False is luaK_semerror (no "near" part)."""
        text = near_text(self.src, self.tok) if near else None
        where = f"{self.chunkname}:{self.linenumber}: {msg}"
        return LuaSyntaxError(where if text is None else f"{where} near {text}")

    def check(self, k: str) -> None:
        if self.k != k:
            raise self.error(f"{token2str(k)} expected")

    def checknext(self, k: str) -> None:
        self.check(k)
        self.next()

    def testnext(self, k: str) -> bool:
        if self.k == k:
            self.next()
            return True
        return False

    def check_match(self, what: str, who: str, where: int) -> None:
        if not self.testnext(what):
            if where == self.linenumber:
                raise self.error(f"{token2str(what)} expected")
            raise self.error(f"{token2str(what)} expected (to close {token2str(who)} at line {where})")

    def checkname(self) -> str:
        self.check("NAME")
        name = self.tok.value
        self.next()
        return name  # type: ignore[return-value]

    def nextname(self) -> str:
        """Skip a '.', ':', '::' or 'goto', then read a name."""
        self.next()
        return self.checkname()

    def enterlevel(self) -> None:
        self.level += 1
        if self.level >= _C_LIMIT:
            raise LuaSyntaxError("C stack overflow")

    # ---- statements
    def block_follow(self, withuntil: bool) -> bool:
        return self.k in _CLOSERS or (withuntil and self.k == "until")

    def statlist(self) -> None:
        while not self.block_follow(True):
            if self.k == "return":
                self.statement()
                return
            self.statement()

    def statement(self) -> None:
        line = self.linenumber
        self.enterlevel()
        k = self.k
        if k == "if":
            self.test_then_block()
            while self.k == "elseif":
                self.test_then_block()
            if self.testnext("else"):
                self.statlist()
            self.check_match("end", "if", line)
        elif k in ("while", "do"):
            self.next()
            if k == "while":
                self.expr()
                self.checknext("do")
            self.statlist()
            self.check_match("end", k, line)
        elif k == "for":
            self.forstat(line)
        elif k == "repeat":
            self.next()
            self.statlist()
            self.check_match("until", "repeat", line)
            self.expr()
        elif k == "function":
            self.nextname()
            while self.k == ".":
                self.nextname()
            if self.k == ":":
                self.nextname()
            self.body(line)
        elif k == "local":
            self.next()
            if self.testnext("function"):
                self.checkname()
                self.body(self.linenumber)
            else:
                self.localstat()
        elif k in ("::", "goto"):
            self.nextname()
            if k == "::":
                self.checknext("::")
        elif k == "return":
            self.next()
            if not (self.block_follow(True) or self.k == ";"):
                self.explist()
            self.testnext(";")
        elif k in (";", "break"):
            self.next()
        else:
            self.exprstat()
        self.level -= 1

    def test_then_block(self) -> None:
        self.next()  # 'if' or 'elseif'
        self.expr()
        self.checknext("then")
        if self.k == "break":  # 'if x then break' is special-cased, outside a statement()
            self.next()
            while self.testnext(";"):
                pass
            if self.block_follow(False):
                return
        self.statlist()

    def forstat(self, line: int) -> None:
        self.next()
        self.checkname()
        if self.k == "=":
            self.next()
            self.expr()
            self.checknext(",")
            self.expr()
            if self.testnext(","):
                self.expr()
        elif self.k in (",", "in"):
            while self.testnext(","):
                self.checkname()
            self.checknext("in")
            self.explist()
        else:
            raise self.error("'=' or 'in' expected")
        self.checknext("do")
        self.statlist()
        self.check_match("end", "for", line)

    def localstat(self) -> None:
        closes = 0
        while True:
            self.checkname()
            if self.testnext("<"):
                attrib = self.checkname()
                self.checknext(">")
                if attrib not in ("const", "close"):
                    raise self.error(f"unknown attribute '{attrib}'", near=False)
                if attrib == "close":
                    closes += 1
                    if closes > 1:
                        raise self.error("multiple to-be-closed variables in local list", near=False)
            if not self.testnext(","):
                break
        if self.testnext("="):
            self.explist()

    def exprstat(self) -> None:
        kind = self.suffixedexp()
        if self.k in ("=", ","):
            self.restassign(kind)
        elif kind != "call":
            raise self.error("syntax error")

    def restassign(self, kind: str) -> None:
        if kind != "var":
            raise self.error("syntax error")
        if self.testnext(","):
            kind = self.suffixedexp()
            self.enterlevel()
            self.restassign(kind)
            self.level -= 1
        else:
            self.checknext("=")
            self.explist()

    def body(self, line: int) -> None:
        self.checknext("(")
        vararg = False
        if self.k != ")":
            while True:
                if self.k == "NAME":
                    self.next()
                elif self.k == "...":
                    self.next()
                    vararg = True
                else:
                    raise self.error("<name> or '...' expected")
                if vararg or not self.testnext(","):
                    break
        self.checknext(")")
        self.varargs.append(vararg)
        self.statlist()
        self.varargs.pop()
        self.check_match("end", "function", line)

    # ---- expressions
    def explist(self) -> None:
        self.expr()
        while self.testnext(","):
            self.expr()

    def expr(self, limit: int = 0) -> None:
        """subexpr: operators bind while their left priority exceeds `limit`."""
        self.enterlevel()
        if self.k in _UNARY:
            self.next()
            self.expr(_UNARY_PRIORITY)
        else:
            self.simpleexp()
        pri = _BINARY.get(self.k)
        while pri is not None and pri[0] > limit:
            self.next()
            self.expr(pri[1])
            pri = _BINARY.get(self.k)
        self.level -= 1

    def simpleexp(self) -> None:
        k = self.k
        if k in ("NUMBER", "STRING", "nil", "true", "false"):
            self.next()
        elif k == "...":
            if not self.varargs[-1]:
                raise self.error("cannot use '...' outside a vararg function")
            self.next()
        elif k == "{":
            self.constructor()
        elif k == "function":
            self.next()
            self.body(self.linenumber)
        else:
            self.suffixedexp()

    def suffixedexp(self) -> str:
        line = self.linenumber
        if self.k == "NAME":
            self.next()
            kind = "var"
        elif self.k == "(":
            pline = self.linenumber
            self.next()
            self.expr()
            self.check_match(")", "(", pline)
            kind = "other"
        else:
            raise self.error("unexpected symbol")
        while True:
            k = self.k
            if k == ".":
                self.nextname()
                kind = "var"
            elif k == "[":
                self.yindex()
                kind = "var"
            elif k in (":", "(", "STRING", "{"):
                if k == ":":
                    self.nextname()
                self.funcargs(line)
                kind = "call"
            else:
                return kind

    def yindex(self) -> None:
        self.next()
        self.expr()
        self.checknext("]")

    def funcargs(self, line: int) -> None:
        k = self.k
        if k == "(":
            self.next()
            if self.k != ")":
                self.explist()
            self.check_match(")", "(", line)
        elif k == "{":
            self.constructor()
        elif k == "STRING":
            self.next()
        else:
            raise self.error("function arguments expected")

    def constructor(self) -> None:
        line = self.linenumber
        self.checknext("{")
        while self.k != "}":
            if self.k == "NAME" and self.lookahead() == "=":
                self.next()
                self.next()
            elif self.k == "[":
                self.yindex()
                self.checknext("=")
            self.expr()
            if not (self.testnext(",") or self.testnext(";")):
                break
        self.check_match("}", "{", line)
