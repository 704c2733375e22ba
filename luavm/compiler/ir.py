"""The Python-statement tree a Lua function compiles to.

The compiler lowers Lua to this small tree; `render` turns it into Python source
twice over: the fast form (the whole function) and, lazily, a resume form that
enters the function in the middle, at one resume point. Keeping the tree lets the
resume form rebuild exactly the loops and handlers that enclose that point.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(eq=False)
class OpInfo:
    """What a Python line does, for error messages and for resuming.

    kind: 'call', 'index', 'setindex', 'arith', 'concat', 'compare', 'len', 'unm',
    'other'. `descs` names the operands as Lua does ("local 'x'", "global 'f'").
    """

    line: int  # Lua line
    kind: str = "other"
    descs: tuple[str | None, ...] = ()
    callee: tuple[str, str] | None = None  # (namewhat, name) of a called function
    fn: str | None = None  # Python expression of the called value (a name or `box.v`)
    tail: bool = False  # a tail call: the frame is gone for Lua once the callee is Lua


@dataclass(eq=False)
class Line:
    """One Python statement. With `resume` set it is a resume point: the value the
    suspended operation finally produces is delivered by running `resume` (Python
    text using `_rv`) in place of this line."""

    text: str
    op: OpInfo
    resume: str | None = None
    rp: int = -1  # resume point index within the proto, assigned by the compiler
    # (target, callee, args, yielded) of a call line; yielded: what a generator form
    # yields if the callee is coroutine.yield (one value as itself, else a Ret)
    call: tuple[str, str, str, str] | None = None
    alias_target: str | None = None  # an adjust line sharing its call's resume point
    first: bool = False  # a call line that adjusts its result to one value itself (`_first1(f(...))`)
    marker: bool = False  # a resume point that does nothing: where a deopt lands (compiler/deopt.py)


@dataclass(eq=False)
class If:
    cond: str
    body: list[Stmt]
    orelse: list[Stmt]
    op: OpInfo
    # the split between a speculating copy with deopt lines (body) and the generic
    # copy: generator forms run the generic copy only
    deopt: bool = False


@dataclass(eq=False)
class Loop:
    """`while True:` (var None) or `for var in fn(start, stop, step):`, where fn is
    `_range` (an integer loop) or `_frange` (a loop whose kind is known only at run
    time; its stop is Lua's inclusive limit)."""

    body: list[Stmt]
    op: OpInfo
    var: str | None = None
    start: str = ""
    stop: str = ""
    step: str = ""
    fn: str = "_range"
    iter: str | None = None  # fast form: iterate this (a name set before the loop) instead


@dataclass(eq=False)
class Try:
    """Protects a to-be-closed variable: runs `__close` on every way out of `body`."""

    body: list[Stmt]
    var: str  # Python name holding the value to close
    flag: str  # Python name of the "still open" flag
    op: OpInfo  # kind 'close': the lines that call `__close`
    err_op: OpInfo | None = None  # kind 'closeerr': closing on an error (the frame is gone for Lua)
    # closing on an error, as a resume point (its `__close` may yield): the call,
    # and the saved local holding the error value it is closed with
    err_line: Line | None = None
    err_val: str | None = None


Stmt = Line | If | Loop | Try


@dataclass(eq=False)
class Proto:
    """A compiled Lua function prototype."""

    index: int
    name: str  # Python name of the generated function
    lua_name: str
    line: int
    end_line: int
    params: list[str]  # Python names of the fixed parameters
    is_vararg: bool
    upvalues: list[str]  # Python names of the upvalues (factory parameters)
    upvalue_lua_names: list[str]
    # per upvalue: the enclosing function's Python name for it (its local, or its
    # own upvalue), where the closure is made: debug.upvalueid finds a value
    # upvalue's declaration through them
    upvalue_from: list[str] = field(default_factory=list)
    # per upvalue: a Box (a local written after its declaration), else its value
    upvalue_boxed: list[bool] = field(default_factory=list)
    # the upvalue that is this function itself (`local function f` calling f): the
    # factory binds it, as the closure does not exist before the factory runs
    self_upvalue: str | None = None
    # value upvalues holding a `local function` (calls to it are compiled for what it
    # returns, here or in closures made here): debug.setupvalue refuses to replace them
    fixed_upvalues: set[str] = field(default_factory=set)
    # value upvalues the code reads as of a known type (the enclosing function's
    # inference, or a speculation): debug.setupvalue refuses to give them another
    typed_upvalues: dict[str, str] = field(default_factory=dict)
    # plain locals the code reads as of a known type ('int', 'float', 'table', 'pos':
    # an integer >= 1) or as a `local function` its calls are compiled for
    # ('function'): debug.setlocal refuses to change what the code relies on
    typed_locals: dict[str, str] = field(default_factory=dict)
    # only ever called with at most its parameters (a `local function` that does not
    # escape): no `*_x` catching extra arguments, so CPython can specialise its calls
    exact_arity: bool = False
    deopt: bool = False  # has speculated locals: the module holds its switch `_SP{index}`
    body: list[Stmt] = field(default_factory=list)
    locals: list[str] = field(default_factory=list)  # every Python local (restored on resume)
    boxed_params: list[str] = field(default_factory=list)
    resume_points: list[Line] = field(default_factory=list)
    children: list[int] = field(default_factory=list)
    local_lua_names: dict[str, str] = field(default_factory=dict)  # py name -> Lua name
    ics: list[bytes] = field(default_factory=list)  # keys of the inline caches `_ic{index}_{n}`
    global_ics: dict[bytes, int] = field(default_factory=dict)  # global name -> its one site in `ics`
