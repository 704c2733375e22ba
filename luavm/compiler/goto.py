"""`goto`, labels and `break` lowered to structured Python.

A block that declares labels becomes a dispatcher loop:

    _g1 = 0
    while True:
        if _g1 <= 0: <statements before the first label>
        if _g1 <= 1: <statements after label 1>
        break

`goto` sets the dispatcher's state and `continue`s it. When Python loops stand
between the goto and its dispatcher (or between a `break` and its Lua loop), a
pending-jump flag is raised and each crossed loop re-breaks right after itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import syntax_tree as A
from ..errors import CompileError
from .ir import If, Loop, OpInfo, Stmt

if TYPE_CHECKING:
    from .codegen import FuncState


@dataclass(eq=False)
class _PyLoop:
    kind: str  # 'lua' (a Lua loop) or 'disp' (a label dispatcher)
    node: Loop | None = None
    crossed_by_goto: bool = False
    crossed_by_break: bool = False
    block: _Block | None = None


@dataclass(eq=False)
class _Block:
    labels: dict[str, int]
    var: str = ""
    loop: _PyLoop | None = None
    saved_out: list[Stmt] | None = None
    seg: int = 0
    label_lines: dict[str, int] = field(default_factory=dict)
    stmts: list = field(default_factory=list)
    label_index: dict[str, int] = field(default_factory=dict)
    idx: int = 0  # statement being compiled


class GotoLowering:
    def __init__(self, fs: FuncState) -> None:
        self.fs = fs
        self.blocks: list[_Block] = []
        self.loops: list[_PyLoop] = []
        self.uses_jmp = False
        self.uses_brk = False

    # blocks -----------------------------------------------------------------

    def enter_block(self, stmts: list[A.Stmt]) -> None:
        labels: dict[str, int] = {}
        lines: dict[str, int] = {}
        where: dict[str, int] = {}
        for i, s in enumerate(stmts):
            if isinstance(s, A.Label):
                where[s.name] = i
                # Lua 5.4 refuses a label with the name of a visible one: one of
                # this block, or one an enclosing block declared before this point
                prev = lines.get(s.name) or next(
                    (b.label_lines[s.name] for b in self.blocks
                     if s.name in b.labels and b.label_index[s.name] < b.idx), None)
                if prev is not None:
                    raise CompileError(f":{s.line}: label '{s.name}' already defined on line {prev}")
                labels[s.name] = len(labels) + 1
                lines[s.name] = s.line
        blk = _Block(labels, label_lines=lines, stmts=stmts, label_index=where)
        self.blocks.append(blk)
        if not labels:
            return
        fs = self.fs
        blk.var = fs.temp("_g")
        line = stmts[0].line if stmts else 0
        fs.emit(f"{blk.var} = 0", line)
        node = Loop([], OpInfo(line))
        fs.out.append(node)
        with fs.nested(node.body):
            fs.cg.tick(line)  # a backward goto makes a loop: count it as one
        pl = _PyLoop("disp", node, block=blk)
        blk.loop = pl
        self.loops.append(pl)
        blk.saved_out = fs.out
        seg = If(f"{blk.var} <= 0", [], [], OpInfo(line))
        node.body.append(seg)
        fs.out = seg.body

    def before_stmt(self, i: int) -> None:
        self.blocks[-1].idx = i

    def leave_block(self) -> None:
        blk = self.blocks.pop()
        if blk.loop is None:
            return
        fs = self.fs
        assert blk.loop.node is not None and blk.saved_out is not None
        blk.loop.node.body.append(_line(fs, "break", 0))
        fs.out = blk.saved_out
        self.loops.pop()
        self.after_loop(blk.loop.node, blk.loop)

    def emit_label(self, s: A.Label) -> None:
        blk = self.blocks[-1]
        assert blk.loop is not None and blk.loop.node is not None
        k = blk.labels[s.name]
        seg = If(f"{blk.var} <= {k}", [], [], OpInfo(s.line))
        blk.loop.node.body.append(seg)
        self.fs.out = seg.body

    # loops ------------------------------------------------------------------

    def enter_loop(self) -> None:
        self.loops.append(_PyLoop("lua"))

    def leave_loop(self) -> None:
        self._last_lua = self.loops.pop()

    def after_loop(self, node: Loop, pl: _PyLoop | None = None) -> None:
        """Emit the re-break checks after a Python loop that a jump crossed."""
        if pl is None:
            pl = self._last_lua
        pl.node = node
        fs = self.fs
        parent = self.loops[-1] if self.loops else None
        if pl.crossed_by_goto:
            if parent is not None and parent.kind == "disp":
                assert parent.block is not None
                fs.emit(f"if _jmp == {parent.block.var!r}: _jmp = None; continue", node.op.line)
            fs.emit("if _jmp is not None: break", node.op.line)
        if pl.crossed_by_break:
            if parent is not None and parent.kind == "lua":
                fs.emit("if _brk: _brk = False; break", node.op.line)
            else:
                fs.emit("if _brk: break", node.op.line)

    # jumps ------------------------------------------------------------------

    def emit_break(self, s: A.Node) -> None:
        fs = self.fs
        idx = None
        for i in range(len(self.loops) - 1, -1, -1):
            if self.loops[i].kind == "lua":
                idx = i
                break
        if idx is None:
            raise CompileError(f":{s.line}: break outside loop at line {s.line}")
        crossed = self.loops[idx + 1:]
        if not crossed:
            fs.emit("break", s.line)
            return
        self.uses_brk = True
        for pl in crossed:
            pl.crossed_by_break = True
        fs.emit("_brk = True", s.line)
        fs.emit("break", s.line)

    def emit_goto(self, s: A.Goto) -> None:
        fs = self.fs
        target = None
        for b in reversed(self.blocks):
            if s.label in b.labels:
                target = b
                break
        if target is None:
            # Lua notices at the end of the function, and reports that line
            end = getattr(fs.node, "end_line", 0) or getattr(fs.node.body, "end_line", 0) or s.line
            raise CompileError(f":{end}: no visible label '{s.label}' for <goto> at line {s.line}")
        li = target.label_index[s.label]
        if li > target.idx:
            at_end = all(isinstance(x, A.Label) for x in target.stmts[li + 1:])
            for x in target.stmts[target.idx + 1:li]:
                if isinstance(x, (A.Local, A.LocalFunction)) and not at_end:
                    name = x.names[0] if isinstance(x, A.Local) else x.name
                    raise CompileError(
                        f":{s.line}: <goto {s.label}> at line {s.line} jumps into the scope of local '{name}'"
                    )
        assert target.loop is not None
        k = target.labels[s.label]
        j = self.loops.index(target.loop)
        crossed = self.loops[j + 1:]
        fs.emit(f"{target.var} = {k}", s.line)
        if not crossed:
            fs.emit("continue", s.line)
            return
        self.uses_jmp = True
        for pl in crossed:
            pl.crossed_by_goto = True
        fs.emit(f"_jmp = {target.var!r}", s.line)
        fs.emit("break", s.line)

    def finish(self) -> None:
        fs = self.fs
        pre = []
        if self.uses_jmp:
            pre.append(_line(fs, "_jmp = None", 0))
            fs.proto.locals.append("_jmp")
        if self.uses_brk:
            pre.append(_line(fs, "_brk = False", 0))
            fs.proto.locals.append("_brk")
        fs.proto.body[0:0] = pre


def _line(fs: FuncState, text: str, line: int):  # noqa: ANN202
    from .ir import Line

    return Line(text, OpInfo(line))
