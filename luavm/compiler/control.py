"""Control flow statements: `if`, `while`, `repeat`, numeric and generic `for`.

`ControlCompiler` is mixed into `codegen.Codegen` (which provides fs, res, block,
cond, expr, stable, tick). Loops become IR `Loop` nodes (a Python `for` over a
`range` where the kinds of the bounds allow it); `goto` is lowered afterwards
(compiler/goto.py) and a speculated function's loop state is mapped for its deopt
lines (compiler/deopt.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .. import syntax_tree as A
from .expressions import Atom, _is_int_literal, _start_line
from .ir import If, Loop, OpInfo, Try

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from .codegen import FuncState
    from .scope import Resolution


class ControlCompiler:
    """Mixed into Codegen, which provides what is declared here."""

    fs: FuncState
    if TYPE_CHECKING:
        res: Resolution
        tick: Callable[..., None]
        cond: Callable[..., Any]
        block: Callable[..., None]
        stable: Callable[[Atom], Atom]
        expr: Callable[..., Atom]
        call: Callable[..., Any]
        explist_adjusted: Callable[..., Any]

    def st_While(self, s: A.While) -> None:
        fs = self.fs
        loop = Loop([], OpInfo(s.line))
        fs.out.append(loop)
        with fs.nested(loop.body):
            self.tick(s.line)
            # `while a and b do`: a test and a break per operand, as Lua jumps (no
            # temporary holding the value of `a and b`)
            for part in _conjuncts(s.cond):
                c = self.cond(part)
                if c != "True":  # `while true do`
                    fs.emit(f"if not ({c}): break", s.line)
            self.loop_body(s.body)
        fs.goto.after_loop(loop)

    def loop_body(self, body: A.Block, until: A.Expr | None = None) -> None:
        fs = self.fs
        fs.loop_depth += 1
        fs.goto.enter_loop()
        if until is None:
            self.block(body.stmts, body)
        else:
            self.block(body.stmts + [_Until(until.line, until)], body)
        fs.goto.leave_loop()
        fs.loop_depth -= 1

    def st_Repeat(self, s: A.Repeat) -> None:
        fs = self.fs
        loop = Loop([], OpInfo(s.line))
        fs.out.append(loop)
        with fs.nested(loop.body):
            self.tick(s.line)
            self.loop_body(s.body, until=s.cond)
        fs.goto.after_loop(loop)

    def st__Until(self, s: _Until) -> None:
        fs = self.fs
        c = self.cond(s.cond)
        node = If(c, [], [], OpInfo(s.line))
        fs.out.append(node)
        with fs.nested(node.body):
            fs.goto.emit_break(s)

    def st_If(self, s: A.If) -> None:
        fs = self.fs
        tests = list(s.tests)
        c, b = tests[0]
        parts = _conjuncts(c) if len(tests) == 1 and s.orelse is None else [c]
        if len(parts) > 1:
            # `if a and b then ... end`: an `if` per operand, nested, as Lua jumps (no
            # temporary holding the value of `a and b`; with an else part, that part
            # would be needed twice)
            self._if_all(parts, b, c.line)
            return
        cond = self.cond(c)
        node = If(cond, [], [], OpInfo(c.line))
        fs.out.append(node)
        with fs.nested(node.body):
            self.block(b.stmts, b)
        if len(tests) > 1:
            with fs.nested(node.orelse):
                self.st_If(A.If(tests[1][0].line, tests[1:], s.orelse))
        elif s.orelse is not None:
            with fs.nested(node.orelse):
                self.block(s.orelse.stmts, s.orelse)

    def _if_all(self, parts: list[A.Expr], b: A.Block, line: int) -> None:
        """if parts[0] then if parts[1] then ... b"""
        node = If(self.cond(parts[0]), [], [], OpInfo(line))
        self.fs.out.append(node)
        with self.fs.nested(node.body):
            if len(parts) > 1:
                self._if_all(parts[1:], b, line)
            else:
                self.block(b.stmts, b)

    def st_NumFor(self, s: A.NumFor) -> None:
        fs = self.fs
        d = self.res.decls[id(s)][0]
        d.positive = False  # (each copy of the function decides for itself)
        start = self.stable(self.expr(s.start))
        stop = self.stable(self.expr(s.stop))
        step = self.stable(self.expr(s.step)) if s.step is not None else Atom("1", const=True, ty="int")
        iv = fs.temp("_i")
        if (_is_int_literal(start) or start.ty == "int") and _is_int_literal(step) and int(step.text) != 0:
            if stop.ty == "int":
                lim = stop.text
            else:
                lim = fs.temp("_lim")
                fs.emit(f"{lim} = _forlimit({stop.text}, {step.text}, {start.text})", s.line)
            st = int(step.text)
            if not d.assigned:
                d.ty = "int"
                # counting up from 1 or more, or down to 1 or more: an index needs no sign test
                d.positive = (st > 0 and _is_int_literal(start) and int(start.text) >= 1) or (
                    st < 0 and _is_int_literal(stop) and int(stop.text) >= 1)
            loop = Loop([], OpInfo(s.line), iv, start.text, f"{lim} {'+' if st > 0 else '-'} 1", step.text)
        elif start.ty == "int" and step.ty == "int":
            # integer start and step known statically: still a Python range
            stp = fs.temp("_st")
            lim = fs.temp("_lim")
            fs.emit(f"{stp} = _forstep({step.text})", s.line)
            fs.emit(f"{lim} = _forlimit({stop.text}, {stp}, {start.text})", s.line)
            if not d.assigned:
                d.ty = "int"
            loop = Loop([], OpInfo(s.line), iv, start.text, f"{lim} + 1 if {stp} > 0 else {lim} - 1", stp)
        else:
            # kind (integer or float loop) known only at run time: _forloop checks,
            # converts and gives a range or a float generator (a resume form goes
            # on with _frange from the saved control variable)
            lim = fs.temp("_lim")
            stp = fs.temp("_st")
            it = fs.scratch("_it")  # not saved in a frame record: a resumed loop rebuilds it
            prep = f"_forloop({start.text}, {stop.text}, {step.text})"
            if (stop.ty == "int" or _is_int_literal(stop)) and _is_int_literal(step) and int(step.text) != 0:
                # `for i = n, 1, -1`: an integer start makes a range without a call
                end = f"{stop.text} {'+' if int(step.text) > 0 else '-'} 1"
                prep = (f"(_range({start.text}, {end}, {step.text}), {start.text}, {stop.text}, {step.text}) "
                        f"if {start.operand}.__class__ is _int else {prep}")
            fs.emit(f"{it}, {iv}, {lim}, {stp} = {prep}", s.line)
            loop = Loop([], OpInfo(s.line), iv, iv, lim, stp, fn="_frange", iter=it)
        fs.out.append(loop)
        if fs.deopt is not None:
            fs.deopt.enter_loop(s, {"var": iv, "lim": lim, "stp": loop.step})
        with fs.nested(loop.body):
            self.tick(s.line)
            py = fs.declare_local(d)
            fs.emit(f"{py} = _Box({iv})" if d.boxed else f"{py} = {iv}", s.line)
            self.loop_body(s.body)
        if fs.deopt is not None:
            fs.deopt.leave_loop()
        fs.goto.after_loop(loop)

    def st_GenFor(self, s: A.GenFor) -> None:
        fs = self.fs
        decls = self.res.decls[id(s)]
        # a 4th value (Lua 5.4) is closed when the loop ends
        closing = len(s.exprs) >= 4 or isinstance(s.exprs[-1], (A.Call, A.MethodCall, A.Vararg))
        fv, sv, cv = fs.temp("_fn"), fs.temp("_s"), fs.temp("_c")
        clv, flag = (fs.temp("_clv"), fs.temp("_cl")) if closing else ("", "")
        if len(s.exprs) == 1 and isinstance(s.exprs[0], (A.Call, A.MethodCall)):
            # `for ... in pairs(t)`: a builtin returns exactly its three values, taken
            # as they are; anything else (a pending tail call, more or fewer values)
            # goes through _forexp (it is the call's adjustment: same resume point)
            self.call(s.exprs[0], want=-1, adjust=(
                f"({fv}, {sv}, {cv}), {clv} = ({{t}}, None) if {{t}}.__class__ is _Ret and _plen({{t}}) == 3 "
                f"and {{t}}[0] is not _TAILCALL else _forexp({{t}})"))
        else:
            vals = [self.stable(a) for a in self.explist_adjusted(s.exprs, 4 if closing else 3, s.line)]
            f, st, ctl = vals[:3]
            fs.emit(f"{fv}, {sv}, {cv} = {f.text}, {st.text}, {ctl.text}", s.line)
            if closing:
                fs.emit(f"{clv} = {vals[3].text}", s.line)
        pi = ""
        if len(decls) <= 2:
            # `pairs(t)` over a table without an array part: its pairs from a generator
            # (LuaTable.pairs), not a `next` lookup per step; a snapshot saves it as nil
            # and the resumed loop goes on with `next` from the control variable
            pi = fs.temp("_pi")
            fs.emit(f"{pi} = _pairs({sv}) if {fv} is _NEXT and {sv}.__class__ is _LT and {cv} is None "
                    f"and not {sv}.arr else None", s.line)
        loop = Loop([], OpInfo(s.line))
        if fs.deopt is not None:
            fs.deopt.enter_loop(s, {"fn": fv, "s": sv, "c": cv, "clv": clv, "flag": flag, "pi": pi})
        if closing:
            fs.emit(f"{flag} = {clv} is not None and _close_prepare({clv}, '(for state)')", s.line)
            tr = Try([loop], clv, flag, OpInfo(s.line, "close"), OpInfo(s.line, "closeerr"))
            fs.error_close(tr, s.line)
            fs.out.append(tr)
            fs.tbc.append((clv, flag))
        else:
            fs.out.append(loop)
        with fs.nested(loop.body):
            self.tick(s.line)
            r = fs.temp("_r")
            # Lua puts the iterator call on the line where the explist starts
            text = f"{r} = {fv}({sv}, {cv})"
            if len(decls) <= 2:
                # next and ipairs' iterator over a table run inline, their pair a plain
                # tuple (no builtin's frame, no Ret); anything else is called
                text = (f"{r} = _pnext({pi}, None) if {pi} is not None else "
                        f"{sv}.next({cv}) if {fv} is _NEXT and {sv}.__class__ is _LT else "
                        f"({cv} + 1, _v) if {fv} is _INEXT and {sv}.__class__ is _LT and {cv}.__class__ is _int "
                        f"and 0 <= {cv} < _plen(_a := {sv}.arr) and (_v := _a[{cv}]) is not None "
                        f"else {fv}({sv}, {cv})")
            call = fs.emit(text, _start_line(s.exprs[0]), "call",
                           ("for iterator 'for iterator'",),
                           resume=f"{r} = _rv", callee=("for iterator", "for iterator"))
            pys = [fs.declare_local(d) for d in decls]
            raw = [fs.temp("_k")] + [fs.temp("_v") for _ in decls[1:]]
            # the iterator's results, inline when they are exactly what is needed
            # (next and ipairs return a pair): no helper call per iteration
            if len(decls) == 1:
                adj = fs.emit(f"{raw[0]} = {r} if {r}.__class__ is not _Ret else {r}[0] if {r} and {r}[0] "
                              f"is not _TAILCALL else _first({r})", s.line)
            else:
                n = len(decls)
                adj = fs.emit(f"{', '.join(raw)}, = {r} if {r}.__class__ is _Ret and _plen({r}) == {n}"
                              f" and {r}[0] is not _TAILCALL else _adjust({r}, {n})", s.line)
            adj.rp = call.rp
            adj.alias_target = r
            call.call = (r, fv, f"{sv}, {cv}", f"({sv}, {cv})")
            call.op.fn = fv
            fs.emit(f"if {raw[0]} is None: break", s.line)
            fs.emit(f"{cv} = {raw[0]}", s.line)
            for d, py, rv in zip(decls, pys, raw):
                fs.emit(f"{py} = _Box({rv})" if d.boxed else f"{py} = {rv}", s.line)
            self.loop_body(s.body)
        if fs.deopt is not None:
            fs.deopt.leave_loop()
        if closing:
            fs.tbc.pop()
            with fs.nested(tr.body):  # the loop ended (or broke): its closing value is closed
                self.close_now(clv, flag, s.line)  # type: ignore[attr-defined]
        fs.goto.after_loop(loop)


@dataclass(eq=False)
class _Until(A.Node):
    """Pseudo-statement: the `until` test, compiled inside the body's scope."""

    cond: A.Expr


def _conjuncts(e: A.Expr) -> list[A.Expr]:
    """The operands of `a and b and ...` (e itself if it is no `and`)."""
    if isinstance(e, A.BinOp) and e.op == "and":
        return _conjuncts(e.left) + _conjuncts(e.right)
    return [e]
