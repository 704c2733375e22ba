"""Name resolution: which Lua locals are captured by closures.

A captured local that is written after its declaration lives in a Box (fresh at
each execution of its declaration, so each loop iteration gets its own), shared
by the closures and the declaring function. One that is never written again
cannot differ between them, so closures take its value (a Python closure cell:
no `.v` per read); the others are plain Python locals.
This pass runs before code generation so the declaration already knows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import syntax_tree as A


@dataclass(eq=False)
class Decl:
    name: str
    func: FuncScope
    attrib: str | None = None
    captured: bool = False
    assigned: bool = False  # written after its declaration
    pinned: bool = False  # always in a Box (the chunk's _ENV: load and the host set it)
    pyname: str = ""
    ty: str | None = None  # 'int'/'float' when every value it can hold has that type
    positive: bool = False  # an integer for-loop variable that only takes values >= 1
    local_function: A.Function | None = None  # declared by `local function`: what it holds

    @property
    def boxed(self) -> bool:
        """Lives in a Box: captured and written after its declaration."""
        return self.captured and (self.assigned or self.pinned)


@dataclass(eq=False)
class FuncScope:
    parent: FuncScope | None
    node: A.Function | A.Chunk
    blocks: list[dict[str, Decl]] = field(default_factory=list)


class Resolution:
    """Result of the pass: declarations per declaring node, and per Name use."""

    def __init__(self) -> None:
        self.decls: dict[int, list[Decl]] = {}  # id(declaring node) -> its Decls
        self.uses: dict[int, Decl | None] = {}  # id(Name node) -> Decl (None: global)
        self.env: dict[int, Decl] = {}  # id(Name node of a global) -> the _ENV Decl used
        self.chunk_env: Decl | None = None
        # types.py: result types of known callees, (id(function), fast copy) -> type
        self.result_types: dict[tuple[int, bool], str | None] = {}
        self.guesses: dict[int, dict[Decl, str] | None] = {}  # id(function) -> speculation
        self.called: dict[int, A.Call] = {}  # id(Name node) -> the call it is the function of
        self.shapes: dict[int, tuple[bool, bool]] = {}  # types.py: id(function) -> (returns one, tail calls)
        self._uses_of: dict[int, list[int]] | None = None
        # method name -> the argument lists of the chunk's `o:name(...)` calls (types.py:
        # a parameter every call passes a float literal is guessed a float)
        self.method_calls: dict[str, list[list[A.Expr]]] = {}
        self.local_functions: dict[int, Decl] = {}  # id(function) -> its `local function` Decl
        self.chunk: A.Chunk | None = None
        self.float_fields: frozenset[bytes] | None = None  # fields.float_fields, once per chunk

    def uses_of(self, d: Decl) -> list[int]:
        """The Name nodes (ids) that use d: `uses` inverted, built once."""
        if self._uses_of is None:
            self._uses_of = {}
            for n, u in self.uses.items():
                if u is not None:
                    self._uses_of.setdefault(id(u), []).append(n)
        return self._uses_of.get(id(d), [])


def resolve(chunk: A.Chunk) -> Resolution:
    r = Resolution()
    r.chunk = chunk
    _Resolver(r).chunk(chunk)
    return r


class _Resolver:
    def __init__(self, r: Resolution) -> None:
        self.r = r
        self.fs: FuncScope | None = None

    def chunk(self, c: A.Chunk) -> None:
        self.fs = FuncScope(None, c, [{}])
        env = Decl("_ENV", self.fs)
        env.captured = env.pinned = True  # the chunk's _ENV is an upvalue: always a Box
        self.r.chunk_env = env
        self.r.decls[id(c)] = [env]
        self.fs.blocks[0]["_ENV"] = env
        self.fs.blocks.append({})
        self.block_stmts(c.body.stmts)

    # scopes -----------------------------------------------------------------

    def declare(self, node: object, names: list[str], attribs: list[str | None] | None = None) -> None:
        assert self.fs is not None
        ds = []
        for i, n in enumerate(names):
            d = Decl(n, self.fs, attribs[i] if attribs else None)
            self.fs.blocks[-1][n] = d
            ds.append(d)
        self.r.decls.setdefault(id(node), []).extend(ds)

    def lookup(self, name: str) -> Decl | None:
        fs = self.fs
        while fs is not None:
            for b in reversed(fs.blocks):
                d = b.get(name)
                if d is not None:
                    if d.func is not self.fs:
                        d.captured = True
                    return d
            fs = fs.parent
        return None

    def block(self, b: A.Block) -> None:
        assert self.fs is not None
        self.fs.blocks.append({})
        self.block_stmts(b.stmts)
        self.fs.blocks.pop()

    def block_stmts(self, stmts: list[A.Stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    # statements -------------------------------------------------------------

    def stmt(self, s: A.Stmt) -> None:
        assert self.fs is not None
        if isinstance(s, A.Local):
            for e in s.exprs:
                self.expr(e)
            self.declare(s, s.names, s.attribs)
        elif isinstance(s, A.Assign):
            for t in s.targets:
                if isinstance(t, A.Name):
                    d = self.name(t)
                    if d is not None:
                        d.assigned = True
                else:
                    self.expr(t)
            for e in s.exprs:
                self.expr(e)
        elif isinstance(s, A.CallStat):
            self.expr(s.call)
        elif isinstance(s, A.Do):
            self.block(s.body)
        elif isinstance(s, A.While):
            self.expr(s.cond)
            self.block(s.body)
        elif isinstance(s, A.Repeat):
            self.fs.blocks.append({})
            self.block_stmts(s.body.stmts)
            self.expr(s.cond)
            self.fs.blocks.pop()
        elif isinstance(s, A.If):
            for c, b in s.tests:
                self.expr(c)
                self.block(b)
            if s.orelse is not None:
                self.block(s.orelse)
        elif isinstance(s, A.NumFor):
            self.expr(s.start)
            self.expr(s.stop)
            if s.step is not None:
                self.expr(s.step)
            self.fs.blocks.append({})
            self.declare(s, [s.var])
            self.block(s.body)
            self.fs.blocks.pop()
        elif isinstance(s, A.GenFor):
            for e in s.exprs:
                self.expr(e)
            self.fs.blocks.append({})
            self.declare(s, s.names)
            self.block(s.body)
            self.fs.blocks.pop()
        elif isinstance(s, A.FunctionStat):
            if isinstance(s.target, A.Name):
                d = self.name(s.target)
                if d is not None:
                    d.assigned = True
            else:
                self.expr(s.target)
            self.function(s.func)
        elif isinstance(s, A.LocalFunction):
            self.declare(s, [s.name])
            self.r.decls[id(s)][0].local_function = s.func
            self.r.local_functions[id(s.func)] = self.r.decls[id(s)][0]
            self.function(s.func)
        elif isinstance(s, A.Return):
            for e in s.exprs:
                self.expr(e)

    def function(self, f: A.Function) -> None:
        self.fs = FuncScope(self.fs, f, [{}])
        self.declare(f, f.params)
        self.block_stmts(f.body.stmts)
        self.fs = self.fs.parent

    # expressions ------------------------------------------------------------

    def name(self, n: A.Name) -> Decl | None:
        d = self.lookup(n.name)
        self.r.uses[id(n)] = d
        if d is None:
            env = self.lookup("_ENV")
            assert env is not None
            self.r.env[id(n)] = env
        return d

    def expr(self, e: A.Expr) -> None:
        if isinstance(e, A.Name):
            self.name(e)
        elif isinstance(e, A.Index):
            self.expr(e.obj)
            self.expr(e.key)
        elif isinstance(e, A.Call):
            self.expr(e.func)
            if isinstance(e.func, A.Name):
                self.r.called[id(e.func)] = e
            for a in e.args:
                self.expr(a)
        elif isinstance(e, A.MethodCall):
            self.expr(e.obj)
            self.r.method_calls.setdefault(e.method, []).append(e.args)
            for a in e.args:
                self.expr(a)
        elif isinstance(e, A.BinOp):
            self.expr(e.left)
            self.expr(e.right)
        elif isinstance(e, A.UnOp):
            self.expr(e.operand)
        elif isinstance(e, A.Paren):
            self.expr(e.expr)
        elif isinstance(e, A.Function):
            self.function(e)
        elif isinstance(e, A.Table):
            for f in e.fields:
                if f.key is not None:
                    self.expr(f.key)
                self.expr(f.value)
