"""Flatten a function nested too deeply for CPython into a block dispatcher.

CPython refuses more than 20 nested loops/`try` blocks in one function and more
than 100 levels of indentation; Lua accepts loops and `if`s nested some 200
deep. A proto past the limits below is rewritten, in the IR, as one loop that
dispatches on a state variable over basic blocks:

    _ds1 = 0
    while True:
        if _ds1 == 0: <block 0> ; _ds1 = 3; continue
        if _ds1 == 1: ...

Lua loops become jumps between blocks (`break`/`continue` lines turn into
jumps), compound `if`s branch to blocks, numeric `for` loops count by hand.
A to-be-closed block stays a Python `try` whose body gets its own dispatcher; a
jump out of it names its target dispatcher in `_fx` and breaks out, as the goto
lowering does. Lines keep their identity, so resume points and the resume and
generator forms work unchanged; only over-nested code pays for the dispatch.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ir import If, Line, Loop, OpInfo, Proto, Stmt, Try

BLOCK_LIMIT = 14  # nested Python loops/try a proto may use before it is flattened
INDENT_LIMIT = 60  # nested statements of any kind


def needed(p: Proto) -> bool:
    blocks, indent = _depth(p.body)
    return blocks > BLOCK_LIMIT or indent > INDENT_LIMIT


def _depth(stmts: list[Stmt]) -> tuple[int, int]:
    b = i = 0
    for s in stmts:
        if isinstance(s, If):
            b1, i1 = _depth(s.body)
            b2, i2 = _depth(s.orelse)
            b, i = max(b, b1, b2), max(i, i1 + 1, i2 + 1)
        elif isinstance(s, (Loop, Try)):
            b1, i1 = _depth(s.body)
            b, i = max(b, b1 + 1), max(i, i1 + 1)
    return b, i


@dataclass(eq=False)
class _Dispatch:
    var: str
    blocks: list[list[Stmt]]
    outer: _Dispatch | None


@dataclass(eq=False)
class _Target:
    d: _Dispatch
    block: int


@dataclass(eq=False)
class _LoopCtx:
    brk: _Target
    cont: _Target


def flatten(p: Proto) -> None:
    """Rewrite p.body as a block dispatcher (see the module docstring)."""
    _Flattener(p).run()


class _Flattener:
    def __init__(self, p: Proto) -> None:
        self.p = p
        self.n = 0
        self.uses_fx = False

    def temp(self, base: str) -> str:
        self.n += 1
        name = f"{base}{self.n}"
        self.p.locals.append(name)
        return name

    def run(self) -> None:
        p = self.p
        op = OpInfo(p.line)
        body = self.dispatcher(p.body, None, [], op)
        if self.uses_fx:
            p.locals.append("_fx")
            body.insert(0, Line("_fx = None", op))
        p.body = body

    # a dispatcher: [state = 0, while True: if state == k: block k ...]
    def dispatcher(self, stmts: list[Stmt], outer: _Dispatch | None, loops: list[_LoopCtx],
                   op: OpInfo) -> list[Stmt]:
        # not "_s": codegen names its own temporaries _s1, _s2, …
        d = _Dispatch(self.temp("_ds"), [], outer)
        start = self.new(d)
        end = self.lower(stmts, d, start, loops)
        if end is not None:
            # the end of the statements: a function body returns on its own, a
            # block leaves the dispatcher
            d.blocks[end].append(Line("break", op))
        loop = Loop([If(f"{d.var} == {k}", blk or [Line("pass", op)], [], op)
                     for k, blk in enumerate(d.blocks)], op)
        return [Line(f"{d.var} = {start}", op), loop]

    def new(self, d: _Dispatch) -> int:
        d.blocks.append([])
        return len(d.blocks) - 1

    def jump(self, d: _Dispatch, t: _Target, op: OpInfo) -> list[Stmt]:
        if t.d is d:
            return [Line(f"{d.var} = {t.block}", op), Line("continue", op)]
        self.uses_fx = True  # out of a to-be-closed block: through its `try`
        return [Line(f"{t.d.var} = {t.block}", op), Line(f"_fx = {t.d.var!r}", op), Line("break", op)]

    def lower(self, stmts: list[Stmt], d: _Dispatch, cur: int | None,
              loops: list[_LoopCtx]) -> int | None:
        """Append stmts to block `cur` (and new blocks); the block where control
        continues afterwards, None when it does not fall through."""
        for s in stmts:
            if cur is None:
                cur = self.new(d)  # unreachable code: kept, for its resume points
            if isinstance(s, Line):
                cur = self.line(s, d, cur, loops)
            elif isinstance(s, If):
                cur = self.if_(s, d, cur, loops)
            elif isinstance(s, Loop):
                cur = self.loop(s, d, cur, loops)
            else:
                cur = self.try_(s, d, cur, loops)
        return cur

    def line(self, s: Line, d: _Dispatch, cur: int, loops: list[_LoopCtx]) -> int | None:
        j = _as_jump(s.text)
        if j is None:
            d.blocks[cur].append(s)
            return cur
        kind, cond, pre = j
        ctx = loops[-1]
        target = ctx.brk if kind == "break" else ctx.cont
        body: list[Stmt] = [Line(pre, s.op)] if pre else []
        body += self.jump(d, target, s.op)
        if cond is None:
            d.blocks[cur].extend(body)
            return None
        d.blocks[cur].append(If(cond, body, [], s.op))
        return cur

    def if_(self, s: If, d: _Dispatch, cur: int, loops: list[_LoopCtx]) -> int | None:
        if _simple(s.body) and _simple(s.orelse):
            d.blocks[cur].append(s)
            return cur
        after = self.new(d)
        then = self.new(d)
        other = self.new(d) if s.orelse else after
        d.blocks[cur].append(If(s.cond, self.jump(d, _Target(d, then), s.op),
                                self.jump(d, _Target(d, other), s.op), s.op))
        for blk, body in ((then, s.body), (other, s.orelse)):
            if body:
                end = self.lower(body, d, blk, loops)
                if end is not None:
                    d.blocks[end].extend(self.jump(d, _Target(d, after), s.op))
        return after

    def loop(self, s: Loop, d: _Dispatch, cur: int, loops: list[_LoopCtx]) -> int:
        op = s.op
        head = self.new(d)
        exit_ = self.new(d)
        if s.var is None:
            cont = head
        else:  # for var in range(start, stop, step), counted by hand
            stop = self.temp("_dstop")
            d.blocks[cur] += [Line(f"{s.var} = {s.start}", op), Line(f"{stop} = {s.stop}", op)]
            # `_range` stops before `stop`; `_frange` (integer or float) at Lua's inclusive limit
            up, down = ("<", ">") if s.fn == "_range" else ("<=", ">=")
            sign = _sign(s.step)
            test = (f"{s.var} {up if sign > 0 else down} {stop}" if sign
                    else f"({s.var} {up} {stop} if {s.step} > 0 else {s.var} {down} {stop})")
            d.blocks[head].append(If(f"not ({test})",
                                     self.jump(d, _Target(d, exit_), op), [], op))
            cont = self.new(d)
            d.blocks[cont].append(Line(f"{s.var} += {s.step}", op))
            d.blocks[cont].extend(self.jump(d, _Target(d, head), op))
        d.blocks[cur].extend(self.jump(d, _Target(d, head), op))
        ctx = _LoopCtx(_Target(d, exit_), _Target(d, cont))
        end = self.lower(s.body, d, head, loops + [ctx])
        if end is not None:
            d.blocks[end].extend(self.jump(d, _Target(d, cont), op))
        return exit_

    def try_(self, s: Try, d: _Dispatch, cur: int, loops: list[_LoopCtx]) -> int:
        op = s.op
        body = self.dispatcher(s.body, d, loops, op)
        d.blocks[cur].append(Try(body, s.var, s.flag, s.op, s.err_op, s.err_line, s.err_val))
        if self.uses_fx:
            # a jump out of the block: continue here, or keep leaving
            d.blocks[cur].append(Line(f"if _fx == {d.var!r}: _fx = None; continue", op))
            if d.outer is not None:
                d.blocks[cur].append(Line("if _fx is not None: break", op))
        return cur


def _simple(stmts: list[Stmt]) -> bool:
    """Only plain lines, none of them a jump: an `if` that can stay as it is."""
    return all(isinstance(s, Line) and _as_jump(s.text) is None for s in stmts)


def _sign(step: str) -> int:
    """1 or -1 for a constant step, 0 when it is known only at run time."""
    try:
        return 1 if int(step.strip("()")) > 0 else -1
    except ValueError:
        return 0


def _as_jump(text: str) -> tuple[str, str | None, str] | None:
    """A line that leaves or restarts its loop: (kind, condition, statements
    before the jump); the compiler writes `break`, `continue`, `if C: break` and
    `if C: S; break` (or continue)."""
    if text in ("break", "continue"):
        return text, None, ""
    for kind in ("break", "continue"):
        if text.startswith("if ") and (text.endswith(": " + kind) or text.endswith("; " + kind)):
            colon = text.rfind(": ")
            body = text[colon + 2:]
            pre = body[: -len(kind)].rstrip().rstrip(";").strip()
            return kind, text[3:colon], pre
    return None
