"""Lua's syntax errors, word for word: a syntax-only port of lparser.c.

The LALR fast path (luavm.parser) only knows that a chunk is wrong; this
recursive-descent checker re-reads a rejected chunk the way Lua's own parser
does, so the message and the line are lua5.4's (`'end' expected (to close
'function' at line 1) near <eof>`), including the limits Lua enforces while
parsing (C levels, local variables, upvalues, registers).
"""

from __future__ import annotations

import sys

from . import lexer
from .lexer import LuaSyntaxError, Tok, near_text, token2str, tokenize

_C_BASE = 2  # C levels Lua has used before parsing (a load() called from Lua code)
_C_LIMIT = 200  # LUAI_MAXCCALLS


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
