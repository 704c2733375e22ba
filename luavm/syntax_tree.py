"""Lua 5.4 abstract syntax tree.

Every node carries the source `line` where it starts; Lua's error messages and
tracebacks name lines, so that is the only position the compiler needs.
Strings are `bytes` (Lua strings are byte strings); numbers are `int` (64-bit
wrapped) or `float`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class Node:
    line: int


# ---------------------------------------------------------------- expressions


@dataclass(eq=False)
class Nil(Node):
    pass


@dataclass(eq=False)
class TrueE(Node):
    pass


@dataclass(eq=False)
class FalseE(Node):
    pass


@dataclass(eq=False)
class Number(Node):
    value: int | float


@dataclass(eq=False)
class String(Node):
    value: bytes


@dataclass(eq=False)
class Vararg(Node):
    pass


@dataclass(eq=False)
class Function(Node):
    """A function body: `function (params) body end`."""

    params: list[str]
    is_vararg: bool
    body: Block
    end_line: int = 0
    name: str = "?"  # how Lua names it in tracebacks ("function 'f'", "method 'm'")
    is_method: bool = False  # declared with `:` (an implicit `self` is params[0])


@dataclass(eq=False)
class Field(Node):
    """One item of a table constructor: `[key] = value`, `name = value` or `value`."""

    key: Expr | None  # None for a positional item
    value: Expr


@dataclass(eq=False)
class Table(Node):
    fields: list[Field]


@dataclass(eq=False)
class BinOp(Node):
    """Binary operator; `op` is Lua's spelling: + - * / // % ^ .. == ~= < <= > >= and or & | ~ << >>."""

    op: str
    left: Expr
    right: Expr


@dataclass(eq=False)
class UnOp(Node):
    """Unary operator; `op` is one of: - not # ~."""

    op: str
    operand: Expr


@dataclass(eq=False)
class Name(Node):
    name: str


@dataclass(eq=False)
class Index(Node):
    obj: Expr
    key: Expr


@dataclass(eq=False)
class Call(Node):
    func: Expr
    args: list[Expr]


@dataclass(eq=False)
class MethodCall(Node):
    obj: Expr
    method: str
    args: list[Expr]


@dataclass(eq=False)
class Paren(Node):
    """`(e)`: truncates a multi-value expression to one value."""

    expr: Expr


Expr = (
    Nil | TrueE | FalseE | Number | String | Vararg | Function | Table | BinOp | UnOp
    | Name | Index | Call | MethodCall | Paren
)

# ----------------------------------------------------------------- statements


@dataclass(eq=False)
class Block(Node):
    stmts: list[Stmt] = field(default_factory=list)
    end_line: int = 0


@dataclass(eq=False)
class Local(Node):
    """`local n1 <attrib>, n2 = e1, e2`; attribs are None, 'const' or 'close'."""

    names: list[str]
    attribs: list[str | None]
    exprs: list[Expr]


@dataclass(eq=False)
class Assign(Node):
    targets: list[Expr]  # Name or Index
    exprs: list[Expr]


@dataclass(eq=False)
class CallStat(Node):
    call: Call | MethodCall


@dataclass(eq=False)
class Do(Node):
    body: Block


@dataclass(eq=False)
class While(Node):
    cond: Expr
    body: Block


@dataclass(eq=False)
class Repeat(Node):
    body: Block
    cond: Expr


@dataclass(eq=False)
class If(Node):
    """`if c1 then b1 elseif c2 then b2 else orelse end`."""

    tests: list[tuple[Expr, Block]]
    orelse: Block | None


@dataclass(eq=False)
class NumFor(Node):
    var: str
    start: Expr
    stop: Expr
    step: Expr | None
    body: Block


@dataclass(eq=False)
class GenFor(Node):
    names: list[str]
    exprs: list[Expr]
    body: Block


@dataclass(eq=False)
class FunctionStat(Node):
    """`function a.b.c:m() end`: target is a Name or Index chain (method already folded in)."""

    target: Expr
    func: Function


@dataclass(eq=False)
class LocalFunction(Node):
    name: str
    func: Function


@dataclass(eq=False)
class Return(Node):
    exprs: list[Expr]


@dataclass(eq=False)
class Break(Node):
    pass


@dataclass(eq=False)
class Goto(Node):
    label: str


@dataclass(eq=False)
class Label(Node):
    name: str


Stmt = (
    Local | Assign | CallStat | Do | While | Repeat | If | NumFor | GenFor | FunctionStat
    | LocalFunction | Return | Break | Goto | Label
)


@dataclass(eq=False)
class Chunk(Node):
    """A whole chunk: a vararg main function with upvalue _ENV."""

    body: Block
    chunkname: str = "?"
