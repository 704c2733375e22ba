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
from lark import __version__ as lark_version
from lark.lexer import Lexer, Token
from lark.parsers.lalr_analysis import Shift

from . import ast, lexer
from .lexer import LuaSyntaxError, Tok, near_text, prepare, token2str, tokenize
from .runtime.limits import LuaLimitError

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
    except LuaLimitError:  # a limited runtime's clock or memory ran out while compiling
        raise
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
    """Build the parser once (about 0.1 s; cached on disk); later calls reuse it."""
    if "t" not in _cache:
        from . import diskcache

        ck = diskcache.key("parser", _grammar_text(), lark_version)
        cached = diskcache.get("parser", ck)
        if cached is not None:
            builder = _Builder()
            acts, gotos_, start, end = cached
            actions_: dict[int, dict[str, Any]] = {
                st: {sym: (a if type(a) is int else (a[0], getattr(builder, a[1]) if a[1] else None, a[2]))
                     for sym, a in row.items()}
                for st, row in acts.items()}
            _cache["t"] = _Tables(actions_, gotos_, start, end, builder, None, {})  # type: ignore[arg-type]
            return _cache["t"]
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
        plain = {st: {sym: (a if type(a) is int else (a[0], a[1].__name__ if a[1] else "", a[2]))
                      for sym, a in row.items()} for st, row in actions.items()}
        diskcache.put("parser", ck, (plain, gotos, conf.start_state, conf.end_state))
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
    builder.ndecl = 0  # locals declared in the whole chunk: a bound for Lua's limits
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
                    if (builder.long_varlist or builder.ndecl > _MAXVARS) and not checked:
                        # Lua recurses per assignment target; it limits locals and upvalues
                        _Checker(src, chunkname).run()
                    return ast.Chunk(line=0, body=_close(values[-1], tok), chunkname=chunkname)
    except _Reject as exc:  # note where, for the fallback message
        raise _Reject(exc.args[0], tok.line) from None
    raise _Reject("unexpected end of the token stream", tok.line)


def first_error(source: bytes | str, chunkname: str, *, skip_shebang: bool = True) -> str | None:
    """The error lua5.4 reports first for a chunk the grammar accepts but the
    compiler rejects (goto/label/break/const checks), or None."""
    try:
        _Checker(prepare(source, skip_shebang), chunkname).run()
    except LuaSyntaxError as e:
        return e.msg
    except Exception:  # noqa: BLE001 - the caller has its own message
        return None
    return None


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
    ndecl: int = 0  # locals declared so far (see _run)

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
        self.ndecl += 4
        step = c[7] if len(c) == 11 else None
        return ast.NumFor(line=c[0].line, var=c[1].value, start=c[3], stop=c[5], step=step,
                          body=_close(c[-2], c[-1]))

    def s_genfor(self, c: list) -> ast.GenFor:
        self.ndecl += 4 + len(c[1])
        return ast.GenFor(line=c[0].line, names=c[1], exprs=c[3], body=_close(c[5], c[6]))

    def s_function(self, c: list) -> ast.FunctionStat:
        target, name, is_method = c[1]
        func: ast.Function = c[2]
        func.line = c[0].line
        func.name = name
        if is_method:
            self.ndecl += 1
            func.params.insert(0, "self")
            func.is_method = True
        return ast.FunctionStat(line=c[0].line, target=target, func=func)

    def s_localfunction(self, c: list) -> ast.LocalFunction:
        func: ast.Function = c[3]
        func.name = c[2].value
        self.ndecl += 1
        return ast.LocalFunction(line=c[0].line, name=c[2].value, func=func)

    def s_local(self, c: list) -> ast.Local:
        names = [n for n, _ in c[1]]
        attribs = [a for _, a in c[1]]
        if attribs.count("close") > 1:
            raise _Reject("multiple to-be-closed variables in local list")
        exprs = c[3] if len(c) == 4 else []
        self.ndecl += len(names)
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
        self.ndecl += len(names)
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
            if len(c[1]) > _MAXREGS - _MAXVARS:
                self.long_varlist = True  # may need more registers than Lua has: check
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


_MAXVARS = 200  # lparser.c MAXVARS
_MAXUPVAL = 255  # lfunc.h MAXUPVAL
_MAXREGS = 255  # lcode.c MAXREGS


class _FuncState:
    """What _Checker tracks per function: declared locals (active first), upvalues."""

    __slots__ = ("prev", "line", "firstlabel", "actvars", "nactvar", "upvals", "blocks", "pending")

    def __init__(self, prev: _FuncState | None, line: int, firstlabel: int) -> None:
        self.prev = prev
        self.line = line
        self.firstlabel = firstlabel
        self.actvars: list[tuple[str, str]] = []  # (name, 'reg' | 'const' | 'close')
        self.nactvar = 0
        self.upvals: dict[str, str] = {}
        self.blocks: list[tuple[int, int, int, bool]] = []  # (nactvar, firstlabel, firstgoto, isloop)
        self.pending = 0  # registers above the locals held by enclosing call arguments


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
        self.fs: _FuncState | None = None
        self.labels: list[list] = []  # dyd->label: [name, line, nactvar]
        self.gotos: list[list] = []  # dyd->gt: pending gotos and breaks, [name, line, nactvar]
        self.tok = self._read()
        self.k = _key(self.tok)

    def run(self) -> None:
        """Raise LuaSyntaxError for the chunk's first error; return if there is none."""
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(old + 4000)  # at most ~200 levels of a few frames each
        try:
            self.open_func(0)
            assert self.fs is not None
            self.fs.upvals["_ENV"] = "reg"
            self.statlist()
            self.check("$END")
            self.close_func()
        finally:
            sys.setrecursionlimit(old)

    # ---- scopes, labels and gotos (lparser.c's semantic checks, in its order)
    def open_func(self, line: int) -> None:
        self.fs = _FuncState(self.fs, line, len(self.labels))
        self.enterblock(False)

    def close_func(self) -> None:
        self.leaveblock()
        assert self.fs is not None
        self.fs = self.fs.prev

    def enterblock(self, isloop: bool) -> None:
        fs = self.fs
        assert fs is not None
        fs.blocks.append((fs.nactvar, len(self.labels), len(self.gotos), isloop))

    def leaveblock(self) -> None:
        fs = self.fs
        assert fs is not None
        nactvar, firstlabel, firstgoto, isloop = fs.blocks.pop()
        del fs.actvars[nactvar:]  # removevars
        fs.nactvar = nactvar
        if isloop:  # pending breaks jump here
            self.createlabel("break", 0, False, (nactvar, firstlabel, firstgoto, isloop))
        del self.labels[firstlabel:]
        if fs.blocks:  # movegotosout
            for g in self.gotos[firstgoto:]:
                g[2] = nactvar
        elif len(self.gotos) > firstgoto:
            name, line, _ = self.gotos[firstgoto]
            if name == "break":
                raise self.error(f"break outside loop at line {line}", near=False)
            raise self.error(f"no visible label '{name}' for <goto> at line {line}", near=False)

    def createlabel(self, name: str, line: int, last: bool, bl: tuple | None = None) -> None:
        fs = self.fs
        assert fs is not None
        bl = bl or fs.blocks[-1]
        lb = [name, line, bl[0] if last else fs.nactvar]
        self.labels.append(lb)
        i = bl[2]  # solvegotos: the pending gotos of this block
        while i < len(self.gotos):
            gt = self.gotos[i]
            if gt[0] == name:
                if gt[2] < lb[2]:
                    var = fs.actvars[gt[2]][0]
                    raise self.error(f"<goto {name}> at line {gt[1]} jumps into the scope of local '{var}'",
                                     near=False)
                del self.gotos[i]
            else:
                i += 1

    def findlabel(self, name: str) -> list | None:
        assert self.fs is not None
        for lb in self.labels[self.fs.firstlabel:]:
            if lb[0] == name:
                return lb
        return None

    def new_localvar(self, name: str, kind: str = "reg") -> None:
        fs = self.fs
        assert fs is not None
        if len(fs.actvars) + 1 > _MAXVARS:
            self.errorlimit(_MAXVARS, "local variables")
        fs.actvars.append((name, kind))

    def adjustlocalvars(self, n: int) -> None:
        assert self.fs is not None
        self.fs.nactvar += n

    def errorlimit(self, limit: int, what: str) -> None:
        assert self.fs is not None
        line = self.fs.line
        where = "main function" if line == 0 else f"function at line {line}"
        raise self.error(f"too many {what} (limit is {limit}) in {where}")

    def singlevar(self, name: str) -> str | None:
        """Resolve a name as singlevar does (creating upvalues on the way); the
        kind of the variable ('reg', 'const', 'close'), None for a global."""
        r = self._singlevaraux(self.fs, name)
        if r is None:
            self._singlevaraux(self.fs, "_ENV")
        return r

    def _singlevaraux(self, fs: _FuncState | None, name: str) -> str | None:
        if fs is None:
            return None
        for i in range(fs.nactvar - 1, -1, -1):
            if fs.actvars[i][0] == name:
                return fs.actvars[i][1]
        kind = fs.upvals.get(name)
        if kind is not None:
            return kind
        kind = self._singlevaraux(fs.prev, name)
        if kind is not None:
            if len(fs.upvals) + 1 > _MAXUPVAL:
                self.fs = fs  # the limit is reported for the function that needs the upvalue
                self.errorlimit(_MAXUPVAL, "upvalues")
            fs.upvals[name] = kind
        return kind

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
                self.block()
            self.check_match("end", "if", line)
        elif k == "while":
            self.next()
            self.expr()
            self.enterblock(True)
            self.checknext("do")
            self.block()
            self.check_match("end", k, line)
            self.leaveblock()
        elif k == "do":
            self.next()
            self.block()
            self.check_match("end", k, line)
        elif k == "for":
            self.forstat(line)
        elif k == "repeat":
            self.enterblock(True)
            self.enterblock(False)
            self.next()
            self.statlist()
            self.check_match("until", "repeat", line)
            self.expr()
            self.leaveblock()
            self.leaveblock()
        elif k == "function":
            name = self.nextname()
            kind = self.singlevar(name)
            simple = True
            while self.k == ".":
                self.nextname()
                simple = False
            method = self.k == ":"
            if method:
                self.nextname()
                simple = False
            self.body(line, method)
            if simple and kind not in (None, "reg"):
                raise self.error(f"attempt to assign to const variable '{name}'", near=False)
        elif k == "local":
            self.next()
            if self.testnext("function"):
                self.new_localvar(self.checkname())
                self.adjustlocalvars(1)
                self.body(self.linenumber)
            else:
                self.localstat()
        elif k == "::":
            name = self.nextname()
            self.checknext("::")
            while self.k in (";", "::"):
                self.statement()  # skip other no-op statements
            if self.findlabel(name) is not None:
                raise self.error(f"label '{name}' already defined on line {self.findlabel(name)[1]}",  # type: ignore[index]
                                 near=False)
            self.createlabel(name, line, self.block_follow(False))
        elif k == "goto":
            self.next()
            gline = self.linenumber
            name = self.checkname()
            if self.findlabel(name) is None:
                self.gotos.append([name, gline, self.fs.nactvar])  # type: ignore[union-attr]
        elif k == "return":
            self.next()
            if not (self.block_follow(True) or self.k == ";"):
                self.explist()
            self.testnext(";")
        elif k == "break":
            self.next()
            self.gotos.append(["break", line, self.fs.nactvar])  # type: ignore[union-attr]
        elif k == ";":
            self.next()
        else:
            self.exprstat()
        self.level -= 1

    def block(self) -> None:
        self.enterblock(False)
        self.statlist()
        self.leaveblock()

    def test_then_block(self) -> None:
        self.next()  # 'if' or 'elseif'
        self.expr()
        self.checknext("then")
        if self.k == "break":  # 'if x then break' is special-cased, outside a statement()
            bline = self.linenumber
            self.next()
            self.enterblock(False)
            self.gotos.append(["break", bline, self.fs.nactvar])  # type: ignore[union-attr]
            while self.testnext(";"):
                pass
            if self.block_follow(False):
                self.leaveblock()
                return
        else:
            self.enterblock(False)
        self.statlist()
        self.leaveblock()

    def forstat(self, line: int) -> None:
        self.enterblock(True)  # scope for loop and control variables
        self.next()
        name = self.checkname()
        if self.k == "=":
            for _ in range(3):
                self.new_localvar("(for state)")
            self.new_localvar(name)
            self.next()
            self.expr()
            self.checknext(",")
            self.expr()
            if self.testnext(","):
                self.expr()
            self.adjustlocalvars(3)
            nvars = 1
        elif self.k in (",", "in"):
            for _ in range(4):
                self.new_localvar("(for state)")
            self.new_localvar(name)
            nvars = 1
            while self.testnext(","):
                self.new_localvar(self.checkname())
                nvars += 1
            self.checknext("in")
            self.explist()
            self.adjustlocalvars(4)
        else:
            raise self.error("'=' or 'in' expected")
        self.checknext("do")  # forbody
        self.enterblock(False)
        self.adjustlocalvars(nvars)
        self.block()
        self.leaveblock()
        self.check_match("end", "for", line)
        self.leaveblock()

    def localstat(self) -> None:
        closes = 0
        nvars = 0
        while True:
            name = self.checkname()
            self.new_localvar(name)
            if self.testnext("<"):
                attrib = self.checkname()
                self.checknext(">")
                if attrib not in ("const", "close"):
                    raise self.error(f"unknown attribute '{attrib}'", near=False)
                self.fs.actvars[-1] = (name, attrib)  # type: ignore[union-attr]
                if attrib == "close":
                    closes += 1
                    if closes > 1:
                        raise self.error("multiple to-be-closed variables in local list", near=False)
            nvars += 1
            if not self.testnext(","):
                break
        if self.testnext("="):
            self.explist()
        self.adjustlocalvars(nvars)

    def exprstat(self) -> None:
        kind = self.suffixedexp()
        if self.k in ("=", ","):
            self.restassign(kind)
        elif kind != "call":
            raise self.error("syntax error")

    def restassign(self, kind: str) -> None:
        if kind != "var" and not kind.startswith("name:"):
            raise self.error("syntax error")
        if kind.startswith("name:") and kind.split(":", 2)[1] not in ("reg", "global"):
            raise self.error(f"attempt to assign to const variable '{kind.split(':', 2)[2]}'", near=False)
        if self.testnext(","):
            kind = self.suffixedexp()
            self.enterlevel()
            self.restassign(kind)
            self.level -= 1
        else:
            self.checknext("=")
            self.explist()

    def body(self, line: int, method: bool = False) -> None:
        self.open_func(line)
        if method:
            self.new_localvar("self")
            self.adjustlocalvars(1)
        self.checknext("(")
        vararg = False
        nparams = 0
        if self.k != ")":
            while True:
                if self.k == "NAME":
                    self.new_localvar(self.tok.value)  # type: ignore[arg-type]
                    nparams += 1
                    self.next()
                elif self.k == "...":
                    self.next()
                    vararg = True
                else:
                    raise self.error("<name> or '...' expected")
                if vararg or not self.testnext(","):
                    break
        self.adjustlocalvars(nparams)
        self.checknext(")")
        self.varargs.append(vararg)
        self.statlist()
        self.varargs.pop()
        self.check_match("end", "function", line)
        self.close_func()

    # ---- expressions
    def explist(self, regbase: int | None = None) -> tuple[int, bool]:
        """`regbase`: the register the first value goes to (call arguments), to
        find where Lua runs out of registers. Returns (number of values - 1,
        whether the last one has multiple results)."""
        multret = self.expr()
        n = 0
        while self.testnext(","):
            if regbase is not None:  # luaK_exp2nextreg of the previous value
                self.reserve(regbase + n)
                fs = self.fs
                assert fs is not None
                fs.pending = regbase + n + 1 - fs.nactvar
            n += 1
            multret = self.expr()
        return n, multret

    def reserve(self, reg: int) -> None:
        """luaK_reserveregs of register `reg`: Lua has MAXREGS of them."""
        if reg + 1 >= _MAXREGS:
            raise self.error("function or expression needs too many registers")

    def expr(self, limit: int = 0) -> bool:
        """subexpr: operators bind while their left priority exceeds `limit`.
        True when the expression has multiple results (a call or `...`)."""
        self.enterlevel()
        if self.k in _UNARY:
            self.next()
            self.expr(_UNARY_PRIORITY)
            multret = False
        else:
            multret = self.simpleexp()
        pri = _BINARY.get(self.k)
        while pri is not None and pri[0] > limit:
            multret = False
            self.next()
            self.expr(pri[1])
            pri = _BINARY.get(self.k)
        self.level -= 1
        return multret

    def simpleexp(self) -> bool:
        k = self.k
        if k in ("NUMBER", "STRING", "nil", "true", "false"):
            self.next()
        elif k == "...":
            if not self.varargs[-1]:
                raise self.error("cannot use '...' outside a vararg function")
            self.next()
            return True
        elif k == "{":
            self.constructor()
        elif k == "function":
            self.next()
            self.body(self.linenumber)
        else:
            return self.suffixedexp() == "call"
        return False

    def suffixedexp(self) -> str:
        """'var', 'call', 'other', or 'name:<kind>:<name>' for a plain variable."""
        line = self.linenumber
        if self.k == "NAME":
            name = self.tok.value
            self.next()
            vkind = self.singlevar(name)  # type: ignore[arg-type]
            kind = f"name:{vkind or 'global'}:{name}"
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
                self.funcargs(line, 1 if k == ":" else 0)
                kind = "call"
            else:
                return kind

    def yindex(self) -> None:
        self.next()
        self.expr()
        self.checknext("]")

    def funcargs(self, line: int, nself: int = 0) -> None:
        k = self.k
        if k == "(":
            self.next()
            if self.k != ")":
                fs = self.fs
                assert fs is not None
                pending = fs.pending
                # the function (and self) sit below the arguments
                base = fs.nactvar + pending + 1 + nself
                n, multret = self.explist(base)
                fs.pending = pending
                self.check_match(")", "(", line)
                if not multret:
                    self.reserve(base + n)  # the last argument, after the ')'
                return
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
