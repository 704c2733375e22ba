"""Lua 5.4 parser: source -> luavm.A.Chunk.

The fast path is Lark's LALR(1) parser over grammar/lua.lark, fed by
luavm.lexer, building the AST directly in the rule callbacks (no parse tree).
Lark's tables ship in grammar/lua.tables.json (regenerate with `python -m
luavm.parser` after editing the grammar), so Lark itself is imported only when
they are stale.
When that path rejects a chunk, `_Checker` (a syntax-only port of lparser.c's
recursive descent) re-reads it to produce the error Lua would report: Lua's
messages ("'end' expected (to close 'function' at line 3) near <eof>") follow
from the shape of its LL(1) parser, which an LALR automaton does not have.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from . import lexer
from . import syntax_tree as A
from .errors import LuaLimitError
from .lexer import LuaSyntaxError, Tok, near_text, prepare, tokenize
from .syntaxcheck import _MAXREGS, _MAXVARS, _Checker

__all__ = ["LuaSyntaxError", "parse"]

_C_BASE = 2  # C levels Lua has used before parsing (a load() called from Lua code)
_C_LIMIT = 200  # LUAI_MAXCCALLS
_DEEP_STACK = 150  # LALR stack height beyond which the C-level limit is checked


def parse(source: bytes | str, chunkname: str = "?", *, skip_shebang: bool = True,
          poll: Callable[[], None] | None = None) -> A.Chunk:
    """Parse a Lua chunk; raise LuaSyntaxError with Lua's exact message on error.

    `chunkname` is the name as Lua prints it ("x.lua", '[string "..."]').
    `skip_shebang` drops a BOM and a first line starting with '#', as
    luaL_loadfile does for files; pass False for load() of a string.
    `poll`: a limited runtime's check of its clock (see lexer.tokenize); its
    LuaLimitError passes through.
    """
    gc_was_on = gc.isenabled()
    gc.disable()  # ~10% faster: the AST is many small acyclic objects
    try:
        src = prepare(source, skip_shebang)
        with _lock:
            return _parse(src, chunkname, poll)
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


class _Tables(NamedTuple):
    """Lark's LALR table, recompiled for `_run`: per state, a token type maps to
    the next state (shift, an int) or to (size, callback or None, nonterminal)
    (reduce; no callback means a `?rule` with one child: the value stays)."""

    actions: dict[int, dict[str, Any]]
    gotos: dict[int, dict[str, int]]
    start: int
    end: int
    builder: _Builder
    chains: dict[tuple[int, int, str], int]  # memo for _unit_chain


# The tables as plain data: (actions with callback names, gotos, start, end).
_Plain = tuple[dict[int, dict[str, Any]], dict[int, dict[str, int]], int, int]
_SHIPPED = "lua.tables.json"  # next to lua.lark: the tables Lark builds from it


def _tables() -> _Tables:
    """The parser tables, once per process: those shipped with the grammar (no Lark
    import: ~9 MB and 0.1 s), else from the disk cache, else built by Lark."""
    if "t" not in _cache:
        plain = _shipped_tables()
        if plain is None:  # the grammar was edited: `python -m luavm.parser` rewrites the file
            from lark import __version__ as lark_version

            from . import diskcache

            ck = diskcache.key("parser", _grammar_text(), lark_version)
            plain = diskcache.get("parser", ck)
            if plain is None:
                plain = build_tables()
                diskcache.put("parser", ck, plain)
        _cache["t"] = _from_plain(plain)
    return _cache["t"]


def _from_plain(plain: _Plain) -> _Tables:
    """Tables ready for `_run`: callbacks bound to a builder, states as ints."""
    builder = _Builder()
    acts, gotos, start, end = plain
    actions: dict[int, dict[str, Any]] = {
        int(st): {sym: (a if type(a) is int else (a[0], getattr(builder, a[1]) if a[1] else None, a[2]))
                  for sym, a in row.items()}
        for st, row in acts.items()}
    return _Tables(actions, {int(st): row for st, row in gotos.items()}, start, end, builder, {})


def _shipped_tables() -> _Plain | None:
    """The tables in grammar/lua.tables.json, if they were made from this grammar."""
    import json

    for d in (Path(__file__).parent / "grammar", Path(__file__).parent.parent / "grammar"):
        path = d / _SHIPPED
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("grammar") == _grammar_text():
                return data["actions"], data["gotos"], data["start"], data["end"]
            return None
    return None


def build_tables() -> _Plain:
    """Run Lark's LALR construction over grammar/lua.lark (imports Lark: only when
    the shipped tables are stale, or to regenerate them)."""
    from lark import Lark, Token
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _LarkLexer(Lexer):
        """Feeds Lark our tokens (Lark requires a lexer; the tables are what we use)."""

        def __init__(self, lexer_conf: Any) -> None:
            pass

        def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]  # Lark's interface
            for t in tokenize(prepare(data), "?"):
                if t.type != "$END":
                    yield Token(t.type, t.value, t.pos, t.line, 0, t.line, 0, t.end)

    lark = Lark(_grammar_text(), parser="lalr", lexer=_LarkLexer, maybe_placeholders=False,
                keep_all_tokens=True)
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
                    fn = ""
                else:
                    fn = arg.alias or arg.origin.name
                    assert callable(getattr(_Builder, fn, None)), f"no callback for rule {fn}"
                actions[state][sym] = (size, str(fn), str(arg.origin.name))
    return actions, gotos, conf.start_state, conf.end_state


def write_tables() -> str:
    """Regenerate grammar/lua.tables.json from grammar/lua.lark (after editing it)."""
    import json

    actions, gotos, start, end = build_tables()
    path = Path(__file__).parent / "grammar" / _SHIPPED
    rows = [f'  "grammar": {json.dumps(_grammar_text())},', f'  "start": {start},', f'  "end": {end},']
    for name, table in (("actions", actions), ("gotos", gotos)):
        body = ",\n".join(f"    {json.dumps(str(st))}: {json.dumps(table[st], separators=(',', ':'))}"
                           for st in sorted(table))
        rows.append(f'  "{name}": {{\n{body}\n  }}' + ("," if name == "actions" else ""))
    path.write_text("{\n" + "\n".join(rows) + "\n}\n", encoding="utf-8")
    return str(path)


def _parse(src: str, chunkname: str, poll: Callable[[], None] | None = None) -> A.Chunk:
    try:
        return _run(tokenize(src, chunkname, poll), _tables(), src, chunkname)
    except LuaSyntaxError as exc:
        failure: Exception = exc
    except _Reject as exc:
        failure = exc
    _Checker(src, chunkname).run()  # raises Lua's message for the rejected chunk
    if isinstance(failure, LuaSyntaxError):  # the checker should have found it too
        raise failure
    # Only reached if the grammar and the checker disagree.
    raise LuaSyntaxError(f"{chunkname}:{failure.args[1]}: {failure.args[0]}")


def _run(tokens: Iterator[Tok], tables: _Tables, src: str, chunkname: str) -> A.Chunk:
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
                    return A.Chunk(line=0, body=_close(values[-1], tok), chunkname=chunkname)
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


def _close(block: A.Block, tok: Tok) -> A.Block:
    """Record the token that ends `block` (an empty block takes its line too)."""
    block.end_line = tok.line
    if not block.stmts:
        block.line = tok.line
    return block


def _first(e: A.Expr) -> int:
    """Line of an expression's first token (Lua's line for calls and statements)."""
    while True:
        line = e.__dict__.get("_paren_line")
        if line is not None:
            return line
        if type(e) is A.Index:
            e = e.obj
        elif type(e) is A.BinOp:
            e = e.left
        else:
            return e.line


_MULTI = (A.Call, A.MethodCall, A.Vararg)


class _Builder:
    """Rule callbacks for Lark's LALR parser: each gets its rule's children
    (Tok for terminals, AST nodes / lists for rules) and returns the AST."""

    varargs: list[bool]  # is each enclosing function vararg?
    long_varlist: bool  # an assignment with enough targets to hit Lua's C-level limit
    ndecl: int = 0  # locals declared so far (see _run)

    # ---- blocks and statements
    def start(self, c: list) -> A.Block:
        return c[0]

    def block(self, c: list) -> A.Block:
        stmts = c[0]
        if len(c) == 2:
            stmts.append(c[1])
        return A.Block(line=stmts[0].line if stmts else 0, stmts=stmts)

    def stats(self, c: list) -> list:
        if not c:
            return []
        if c[1] is not None:
            c[0].append(c[1])
        return c[0]

    def retstat(self, c: list) -> A.Return:
        exprs = c[1] if len(c) > 1 and isinstance(c[1], list) else []
        return A.Return(line=c[0].line, exprs=exprs)

    def s_empty(self, c: list) -> None:
        return None

    def s_assign(self, c: list) -> A.Assign:
        return A.Assign(line=_first(c[0][0]), targets=c[0], exprs=c[2])

    def s_call(self, c: list) -> A.CallStat:
        return A.CallStat(line=c[0].line, call=c[0])

    def s_label(self, c: list) -> A.Label:
        return A.Label(line=c[0].line, name=c[1].value)

    def s_break(self, c: list) -> A.Break:
        return A.Break(line=c[0].line)

    def s_goto(self, c: list) -> A.Goto:
        return A.Goto(line=c[0].line, label=c[1].value)

    def s_do(self, c: list) -> A.Do:
        return A.Do(line=c[0].line, body=_close(c[1], c[2]))

    def s_while(self, c: list) -> A.While:
        return A.While(line=c[0].line, cond=c[1], body=_close(c[3], c[4]))

    def s_repeat(self, c: list) -> A.Repeat:
        return A.Repeat(line=c[0].line, body=_close(c[1], c[2]), cond=c[3])

    def s_if(self, c: list) -> A.If:
        # IF exp THEN block elseifs [ELSE block] END
        clauses = [(c[1], c[3]), *((e, b) for _, e, b in c[4])]
        closers = [tok for tok, _, _ in c[4]] + [c[5]]
        for (_, blk), tok in zip(clauses, closers):
            _close(blk, tok)
        orelse = _close(c[6], c[7]) if len(c) == 8 else None
        return A.If(line=c[0].line, tests=clauses, orelse=orelse)

    def elseifs(self, c: list) -> list:
        if not c:
            return []
        c[0].append((c[1], c[2], c[4]))
        return c[0]

    def s_numfor(self, c: list) -> A.NumFor:
        self.ndecl += 4
        step = c[7] if len(c) == 11 else None
        return A.NumFor(line=c[0].line, var=c[1].value, start=c[3], stop=c[5], step=step,
                          body=_close(c[-2], c[-1]))

    def s_genfor(self, c: list) -> A.GenFor:
        self.ndecl += 4 + len(c[1])
        return A.GenFor(line=c[0].line, names=c[1], exprs=c[3], body=_close(c[5], c[6]))

    def s_function(self, c: list) -> A.FunctionStat:
        target, name, is_method = c[1]
        func: A.Function = c[2]
        func.line = c[0].line
        func.name = name
        if is_method:
            self.ndecl += 1
            func.params.insert(0, "self")
            func.is_method = True
        return A.FunctionStat(line=c[0].line, target=target, func=func)

    def s_localfunction(self, c: list) -> A.LocalFunction:
        func: A.Function = c[3]
        func.name = c[2].value
        self.ndecl += 1
        return A.LocalFunction(line=c[0].line, name=c[2].value, func=func)

    def s_local(self, c: list) -> A.Local:
        names = [n for n, _ in c[1]]
        attribs = [a for _, a in c[1]]
        if attribs.count("close") > 1:
            raise _Reject("multiple to-be-closed variables in local list")
        exprs = c[3] if len(c) == 4 else []
        self.ndecl += len(names)
        return A.Local(line=c[0].line, names=names, attribs=attribs, exprs=exprs)

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
    def funcname(self, c: list) -> tuple[A.Expr, str, bool]:
        target, name = c[0]
        if len(c) == 1:
            return target, name, False
        key = A.String(line=c[2].line, value=c[2].value.encode())
        return A.Index(line=c[1].line, obj=target, key=key), f"{name}:{c[2].value}", True

    def funcpath(self, c: list) -> tuple[A.Expr, str]:
        if len(c) == 1:
            return A.Name(line=c[0].line, name=c[0].value), c[0].value
        target, name = c[0]
        key = A.String(line=c[2].line, value=c[2].value.encode())
        return A.Index(line=c[1].line, obj=target, key=key), f"{name}.{c[2].value}"

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

    def funcbody(self, c: list) -> A.Function:
        self.varargs.pop()
        line, names, is_vararg = c[0]
        return A.Function(line=line, params=names, is_vararg=is_vararg,
                            body=_close(c[1], c[2]), end_line=c[2].line)

    def functiondef(self, c: list) -> A.Function:
        return c[1]

    # ---- expressions
    def binop(self, c: list) -> A.BinOp:
        return A.BinOp(line=c[1].line, op=c[1].value, left=c[0], right=c[2])

    def unop(self, c: list) -> A.UnOp:
        return A.UnOp(line=c[0].line, op=c[0].value, operand=c[1])

    def nil(self, c: list) -> A.Nil:
        return A.Nil(line=c[0].line)

    def true(self, c: list) -> A.TrueE:
        return A.TrueE(line=c[0].line)

    def false(self, c: list) -> A.FalseE:
        return A.FalseE(line=c[0].line)

    def number(self, c: list) -> A.Number:
        return A.Number(line=c[0].line, value=c[0].value)

    def string(self, c: list) -> A.String:
        return A.String(line=c[0].line, value=c[0].value)

    def vararg(self, c: list) -> A.Vararg:
        if not self.varargs[-1]:
            raise _Reject("cannot use '...' outside a vararg function")
        return A.Vararg(line=c[0].line)

    def paren(self, c: list) -> A.Expr:
        e = c[1]
        if isinstance(e, _MULTI):
            return A.Paren(line=c[0].line, expr=e)
        e._paren_line = c[0].line  # the '(' still starts the expression (see _first)
        return e

    def name(self, c: list) -> A.Name:
        return A.Name(line=c[0].line, name=c[0].value)

    def index(self, c: list) -> A.Index:
        return A.Index(line=c[1].line, obj=c[0], key=c[2])

    def dot(self, c: list) -> A.Index:
        key = A.String(line=c[2].line, value=c[2].value.encode())
        return A.Index(line=c[1].line, obj=c[0], key=key)

    def call(self, c: list) -> A.Call:
        return A.Call(line=_first(c[0]), func=c[0], args=c[1])

    def method(self, c: list) -> A.MethodCall:
        return A.MethodCall(line=_first(c[0]), obj=c[0], method=c[2].value, args=c[3])

    def args(self, c: list) -> list:
        if len(c) == 3:
            if len(c[1]) > _MAXREGS - _MAXVARS:
                self.long_varlist = True  # may need more registers than Lua has: check
            return c[1]
        if len(c) == 2:
            return []
        a = c[0]
        return [a] if isinstance(a, A.Table) else [A.String(line=a.line, value=a.value)]

    def table(self, c: list) -> A.Table:
        return A.Table(line=c[0].line, fields=c[1] if len(c) > 2 else [])

    def field_key(self, c: list) -> A.Field:
        return A.Field(line=c[0].line, key=c[1], value=c[4])

    def field_name(self, c: list) -> A.Field:
        key = A.String(line=c[0].line, value=c[0].value.encode())
        return A.Field(line=c[0].line, key=key, value=c[2])

    def field_pos(self, c: list) -> A.Field:
        return A.Field(line=_first(c[0]), key=None, value=c[0])


# ------------------------------------------------------------- error path


if __name__ == "__main__":
    print(write_tables())
