"""Lower a Lua chunk to the IR (luavm.compiler.ir), one Proto per Lua function.

Expressions are put in A-normal form: every operation that can run Lua code
(a call, or a metamethod behind indexing, arithmetic, comparison, concatenation,
length) is its own Python statement on its own line, with its result in a
temporary. That line is a resume point: a suspension there is continued by
delivering the operation's result, and nothing computed earlier in the
expression is lost because it already sits in a local.
"""

from __future__ import annotations

import keyword
from collections.abc import Callable

from .. import syntax_tree as A
from ..errors import CompileError
from . import fastpath, fields, flatten, types
from .append import AppendCompiler
from .control import ControlCompiler
from .deopt import DeoptPlan
from .expressions import (
    STRAIGHT_LINE,
    TAIL_BURST,
    Atom,
    ExpressionCompiler,
)
from .goto import GotoLowering
from .ir import If, Line, OpInfo, Proto, Stmt, Try
from .scope import Decl, Resolution, resolve


def _split_after_close(stmts: list[A.Stmt], block: A.Block | None) -> list[A.Stmt]:
    """The statements after a label go to a new segment of the block's goto
    dispatcher, which would leave the Try that closes a `<close>` variable declared
    before the label (closing it on a jump back that stays in its scope). So the
    rest of such a block becomes a nested block, labels included; labels that end
    the block stay outside (Lua treats them as out of the variable's scope)."""
    for i, s in enumerate(stmts):
        if isinstance(s, A.Local) and "close" in s.attribs:
            k = len(stmts)
            while k > i + 1 and isinstance(stmts[k - 1], A.Label):
                k -= 1
            if any(isinstance(x, A.Label) for x in stmts[i + 1:k]):
                line = stmts[i + 1].line
                inner = A.Block(line=line, stmts=stmts[i + 1:k], end_line=block.end_line if block else 0)
                return [*stmts[:i + 1], A.Do(line=line, body=inner), *stmts[k:]]
            break
    return stmts


class FuncState:
    def __init__(self, cg: Codegen, proto: Proto, parent: FuncState | None, node: A.Function | A.Chunk):
        self.cg = cg
        self.proto = proto
        self.parent = parent
        self.node = node
        self.used: set[str] = set()
        self.local_py: dict[int, str] = {}  # id(Decl) -> Python name (locals of this function)
        self.upval_py: dict[int, str] = {}  # id(Decl) -> factory parameter name
        self.upval_decls: list[Decl] = []
        self.out: list[Stmt] = proto.body
        self.ntemp = 0
        self.loop_depth = 0
        self.close_depth = 0
        self.tbc: list[tuple[str, str]] = []  # open to-be-closed variables (value, flag), outermost first
        self.floaty = False  # the body has float-typed locals: untyped arithmetic tests floats first
        self.call_types: dict[int, str] = {}  # id(Call) -> type of its result (types.Inferred.calls)
        self.goto = GotoLowering(self)
        self.deopt: DeoptPlan | None = None  # speculated locals (while compiling the two copies)

    # names ------------------------------------------------------------------

    def newname(self, base: str) -> str:
        if not base.isidentifier() or keyword.iskeyword(base) or base.startswith("_") or base in (
            "match", "case", "type"
        ):
            base = "v" + base
        name = base
        n = 2
        while name in self.used:
            name = f"{base}_{n}"
            n += 1
        self.used.add(name)
        return name

    def temp(self, prefix: str = "_t") -> str:
        self.ntemp += 1
        name = f"{prefix}{self.ntemp}"
        self.used.add(name)
        self.proto.locals.append(name)
        return name

    def scratch(self, prefix: str) -> str:
        """A temporary that is not one of the frame's saved locals."""
        self.ntemp += 1
        name = f"{prefix}{self.ntemp}"
        self.used.add(name)
        return name

    def declare_local(self, d: Decl) -> str:
        # both copies of a speculated body name a local alike (compiler/deopt.py)
        py = self.local_py.get(id(d)) or self.newname(d.name)
        d.pyname = py
        self.local_py[id(d)] = py
        self.proto.locals.append(py)
        self.proto.local_lua_names[py] = d.name
        return py

    def upvalue(self, d: Decl) -> str:
        """The Python name under which this function reaches the captured Decl."""
        py = self.upval_py.get(id(d))
        if py is not None:
            return py
        if self.parent is not None:
            self.parent.access(d)  # make sure the parent can pass it on
        py = self.newname(d.name)
        self.upval_py[id(d)] = py
        self.upval_decls.append(d)
        self.proto.upvalues.append(py)
        self.proto.upvalue_lua_names.append(d.name)
        self.proto.upvalue_boxed.append(d.boxed)
        if d.local_function is not None and not d.assigned:
            self.proto.fixed_upvalues.add(py)  # calls to it, here or in closures made here, rely on it
        return py

    def access(self, d: Decl) -> tuple[str, str]:
        """(Python expression of the variable's storage, 'local'|'upvalue')."""
        py = self.local_py.get(id(d))
        if py is not None:
            return py, "local"
        return self.upvalue(d), "upvalue"

    # emission ---------------------------------------------------------------

    def emit(self, text: str, line: int, kind: str = "other", descs: tuple = (),
             resume: str | None = None, callee: tuple[str, str] | None = None) -> Line:
        ln = Line(text, OpInfo(line, kind, descs, callee), resume)
        if resume is not None:
            ln.rp = len(self.proto.resume_points)
            self.proto.resume_points.append(ln)
        self.out.append(ln)
        return ln

    def error_close(self, tr: Try, line: int) -> None:
        """Give Try tr its close on an error as a resume point: the `__close` may
        yield or suspend; continued, the error goes on from there (render_try)."""
        val = self.temp("_cev")
        ln = Line(f"_close_with({tr.var}, {val})", OpInfo(line, "closeerr"),
                  f"raise _LuaError({val}) from None")
        ln.rp = len(self.proto.resume_points)
        self.proto.resume_points.append(ln)
        tr.err_line = ln
        tr.err_val = val

    def nested(self, stmts: list[Stmt]) -> _Nest:
        return _Nest(self, stmts)


class _Nest:
    def __init__(self, fs: FuncState, stmts: list[Stmt]) -> None:
        self.fs = fs
        self.stmts = stmts

    def __enter__(self) -> list[Stmt]:
        self.saved = self.fs.out
        self.fs.out = self.stmts
        return self.stmts

    def __exit__(self, *exc: object) -> None:
        self.fs.out = self.saved




class Codegen(ExpressionCompiler, AppendCompiler, ControlCompiler):
    def __init__(self, chunk: A.Chunk, counting: bool = False, poll: Callable[[], None] | None = None) -> None:
        self.chunk = chunk
        self.counting = counting  # count steps (function entries, loop iterations) for limits
        self.poll = poll  # with counting: the limited runtime's check of its clock (runtime.limits.poll)
        self.nstmts = 0
        self.res: Resolution = resolve(chunk)
        self.protos: list[Proto] = []
        self.fs: FuncState = None  # type: ignore[assignment]
        self.line = 0  # Lua line of the statement being compiled

    # functions --------------------------------------------------------------

    def compile(self) -> list[Proto]:
        proto = self.new_proto("main chunk", 0, 0, "main", True)
        fs = FuncState(self, proto, None, self.chunk)
        self.fs = fs
        env = self.res.chunk_env
        assert env is not None
        py = fs.newname("_ENV")
        fs.upval_py[id(env)] = py
        fs.upval_decls.append(env)
        proto.upvalues.append(py)
        proto.upvalue_lua_names.append("_ENV")
        proto.upvalue_boxed.append(True)
        env.pyname = py
        self.body(self.chunk.body, True, self.chunk)
        fs.goto.finish()
        return self.protos

    def new_proto(self, lua_name: str, line: int, end_line: int, base: str, vararg: bool) -> Proto:
        idx = len(self.protos)
        safe = "".join(c if c.isalnum() else "_" for c in base)[:30]
        p = Proto(idx, f"lua_{safe}_{idx}", lua_name, line, end_line, [], vararg, [], [])
        self.protos.append(p)
        return p

    def tick(self, line: int, n: int = 1) -> None:
        """n steps of the instruction budget (only in code compiled for limits)."""
        if self.counting:
            # a resume point: preemption (runtime/limits.py) may suspend the task here,
            # so a loop without calls cannot keep the others of its host waiting
            self.fs.emit("if not _tk(): _refill()" if n == 1 else f"_charge({n})", line, resume="pass")

    def body(self, block: A.Block, vararg: bool, node: A.Function | A.Chunk) -> None:
        fs = self.fs
        if vararg:
            fs.used.add("_va")
            fs.proto.locals.append("_va")
        if self.counting and _makes_calls(block):
            # A function that calls nothing cannot recurse or run long by itself (its
            # loops count): its entry is not a step. Builtins that call a Lua function
            # over and over (table.sort's comparator, gsub's callback) count their calls.
            self.tick(block.line)
        plan = types.plan(node, self.res)
        params = self.res.decls.get(id(node), [])
        # speculated upvalues (types._value_upvalues): tested on entry like parameters
        upvals = [d for d in plan.spec[0] if d not in plan.decls] if plan.spec is not None else []
        if plan.spec is not None and not plan.spec[1].guards and not upvals and not any(
                d in params for d in plan.spec[0]):
            # only locals were speculated, and all their values are of that type: no test
            plan = types.Plan(plan.decls, plan.spec[1], None)
        if plan.spec is not None:
            # compiled twice: for the parameter types guessed from their use (no
            # type tests on them and on the locals computed from them), and for
            # anything else
            guess, fast = plan.spec
            tests = [f"{d.pyname}.__class__ is {fastpath.TYPE_CLASS[t]}" for d, t in guess.items() if d in params]
            tests += [f"{fs.access(d)[0]}.__class__ is {fastpath.TYPE_CLASS[guess[d]]}" for d in upvals]
            reads = fields.speculated_reads(node, self.res) if isinstance(node, A.Function) else {}
            if fast.guards or reads:
                # speculated locals and field reads: the fast copy leaves for the generic
                # one when a value is not what was guessed; `_deopt` turns the switch
                # off if it does so too often
                fs.proto.deopt = True
                fs.deopt = DeoptPlan(fast.guards, reads)
                tests.insert(0, f"_SP{fs.proto.index}")
            split = If(" and ".join(tests), [], [], OpInfo(block.line), deopt=fs.deopt is not None)
            fs.out.append(split)
            outer = {d: d.ty for d in upvals}  # (the enclosing function's view, restored after)
            for copy, stmts, inf in (("spec", split.body, fast), ("generic", split.orelse, plan.generic)):
                self.typed(plan.decls, inf)
                for d in upvals:
                    d.ty = guess[d] if copy == "spec" else outer[d]
                if fs.deopt is not None:
                    fs.deopt.copy = copy
                with fs.nested(stmts):
                    self.block(block.stmts, block)
            for d in upvals:
                d.ty = outer[d]
            if fs.deopt is not None:
                fs.deopt.finish()
                fs.deopt = None
        else:
            self.typed(plan.decls, plan.generic)
            self.block(block.stmts, block)
        fs.emit("return _NORET", block.end_line or fs.proto.end_line)

    def typed(self, decls: list[Decl], inf: types.Inferred) -> None:
        """Compile what follows with these types of locals and call results."""
        for d in decls:
            d.ty = inf.locals.get(d)
        self.fs.floaty = "float" in inf.locals.values()
        self.fs.call_types = inf.calls

    def function(self, f: A.Function, self_decl: Decl | None = None) -> Atom:
        """A closure of f. self_decl: the local f is being assigned to by `local
        function`, when it holds its value (not a Box): the factory binds it."""
        parent = self.fs
        # an anonymous function is named by its position: `<anon@22>`, `lua_anon22_4`
        lua_name = f.name if f.name != "?" else f"<anon@{f.line}>"
        name = f.name if f.name != "?" else f"anon{f.line}"
        proto = self.new_proto(lua_name, f.line, f.end_line, name.split(".")[-1].split(":")[-1], f.is_vararg)
        fs = FuncState(self, proto, parent, f)
        self.fs = fs
        decls = self.res.decls.get(id(f), [])
        for d in decls:
            py = fs.declare_local(d)
            proto.params.append(py)
            if d.boxed:
                proto.boxed_params.append(py)
        self.body(f.body, f.is_vararg, f)
        fs.goto.finish()
        self.fs = parent
        parent.proto.children.append(proto.index)
        args = []
        if self_decl is not None and not f.is_vararg and not self_decl.assigned:
            proto.exact_arity = types.only_called(self.res, self_decl, len(f.params))
        for d in fs.upval_decls:
            if d is self_decl:
                proto.self_upvalue = fs.upval_py[id(d)]
                args.append("None")
            else:
                storage, kind = parent.access(d)
                args.append(storage)
                ty = proto.typed_upvalues.get(fs.upval_py[id(d)])
                if kind == "upvalue" and ty is not None:
                    parent.proto.typed_upvalues[storage] = ty  # closures made here rely on it too
        proto.upvalue_from = list(args)
        t = parent.temp()
        parent.emit(f"{t} = _p{proto.index}({', '.join(args)})", f.line)
        return Atom(t)

    # blocks -----------------------------------------------------------------

    def block(self, stmts: list[A.Stmt], block: A.Block | None = None) -> None:
        fs = self.fs
        stmts = _split_after_close(stmts, block)
        fs.goto.enter_block(stmts)
        saved_close = fs.close_depth
        opened: list[tuple[list[Stmt], Try]] = []
        for i, s in enumerate(stmts):
            fs.goto.before_stmt(i)
            if i and not i % STRAIGHT_LINE:
                self.tick(s.line)  # long straight-line code counts too
            if fs.deopt is not None:
                fs.deopt.before_stmt(fs, s)
            self.stmt(s)
            if fs.deopt is not None:
                fs.deopt.after_stmt(fs, s)
            if isinstance(s, A.Local) and "close" in s.attribs:
                # the rest of the block runs inside a Try that closes the variable
                d = self.res.decls[id(s)][s.attribs.index("close")]
                flag = fs.temp("_cl")
                fs.emit(f"{flag} = _close_prepare({d.pyname}, {d.name!r})", s.line)
                # closing happens where the block ends (Lua's OP_CLOSE/OP_RETURN line)
                end = (block.end_line if block is not None else 0) or s.line
                tr = Try([], d.pyname, flag, OpInfo(end, "close"), OpInfo(s.line, "closeerr"))
                fs.error_close(tr, s.line)
                fs.out.append(tr)
                opened.append((fs.out, tr))
                fs.out = tr.body
                fs.close_depth += 1
                fs.tbc.append((d.pyname, flag))
        for outer, tr in reversed(opened):
            # leaving the block normally: closed here, where the call may yield
            self.close_now(tr.var, tr.flag, tr.op.line)
            fs.tbc.pop()
            fs.out = outer
        if opened:
            fs.out = opened[0][0]
        fs.close_depth = saved_close
        fs.goto.leave_block()

    def close_now(self, var: str, flag: str, line: int) -> None:
        """Close a to-be-closed variable on a normal way out of its scope (the end
        of its block, a `return`), as a call that may yield or suspend (a `__close`
        may call an activity): the flag goes down first, so neither the `finally`
        of its Try nor a resumed copy closes it again. (Errors, `break` and `goto`
        leave through the Try's handlers, where the call cannot yield.)"""
        self.fs.emit(f"if {flag}: {flag} = False; _close_call({var})", line, "close", (), resume="pass")

    # statements -------------------------------------------------------------

    def stmt(self, s: A.Stmt) -> None:
        self.line = s.line
        if self.counting:
            self.nstmts += 1
            if not self.nstmts & 63 and self.poll is not None:
                self.poll()  # compiling a big chunk for a limited runtime: check its clock
        m = getattr(self, "st_" + type(s).__name__)
        m(s)

    def st_Local(self, s: A.Local) -> None:
        fs = self.fs
        decls = self.res.decls[id(s)]
        if len(decls) == len(s.exprs) and all(not d.boxed and d.attrib is None for d in decls) or (
                len(decls) == 1 and len(s.exprs) == 1 and not decls[0].boxed):
            # one value per local: each computed straight into its local, in order (a
            # new local is no name its neighbours' expressions can see)
            for d, e in zip(decls, s.exprs):
                py = fs.local_py.get(id(d)) or fs.newname(d.name)  # declared after the expression is compiled
                a = self.expr(e, target=py)
                if not d.assigned and d.ty is None:
                    d.ty = a.ty  # never reassigned: its type is its initial value's
                d.pyname = py
                fs.local_py[id(d)] = py
                fs.proto.locals.append(py)
                fs.proto.local_lua_names[py] = d.name
                if a.text != py:
                    fs.emit(f"{py} = {a.text}", s.line)
            return
        atoms = self.explist_adjusted(s.exprs, len(decls), s.line)
        for d, a in zip(decls, atoms):
            py = fs.declare_local(d)
            if d.boxed:
                fs.emit(f"{py} = _Box({a.text})", s.line)
            else:
                fs.emit(f"{py} = {a.text}", s.line)

    def st_LocalFunction(self, s: A.LocalFunction) -> None:
        fs = self.fs
        d = self.res.decls[id(s)][0]
        py = fs.declare_local(d)
        if d.boxed:
            fs.emit(f"{py} = _Box()", s.line)
            a = self.function(s.func)
            fs.emit(f"{py}.v = {a.text}", s.line)
        else:
            a = self.function(s.func, self_decl=d)
            fs.emit(f"{py} = {a.text}", s.line)

    def st_FunctionStat(self, s: A.FunctionStat) -> None:
        self.assign([s.target], [s.func], s.line)

    def st_Assign(self, s: A.Assign) -> None:
        self.assign(s.targets, s.exprs, s.line)

    def assign(self, targets: list[A.Expr], exprs: list[A.Expr], line: int) -> None:
        fs = self.fs
        if len(targets) == 1 and len(exprs) == 1:
            t = targets[0]
            if isinstance(t, A.Name):
                d = self.res.uses.get(id(t))
                if d is not None:
                    self.check_const(d, line)
                    storage, kind = fs.access(d)
                    if kind == "local" and not d.boxed:
                        a = self.expr(exprs[0], target=storage)
                        if a.text != storage:
                            fs.emit(f"{storage} = {a.text}", line)
                        return
            if self.append_shape(t) is not None and self.append(t, exprs[0], line):  # type: ignore[arg-type]
                return
            place = self.place(t)
            a = self.expr(exprs[0])
            self.store(place, a, line)
            return
        places = [self.place(t) for t in targets]
        # a table or key held in a local this statement assigns must be read first
        assigned = {p[1] for p in places if p[0] == "local"}
        places = [("index", *(self.snapshot(x) if x.text in assigned else x for x in p[1:3]), *p[3:])
                  if p[0] == "index" else p for p in places]
        atoms = self.explist_adjusted(exprs, len(targets), line)
        atoms = [self.snapshot(a) for a in atoms]
        for place, a in reversed(list(zip(places, atoms))):
            self.store(place, a, line)

    def place(self, t: A.Expr) -> tuple:
        """Evaluate the parts of an assignment target that come before the value."""
        fs = self.fs
        if isinstance(t, A.Name):
            d = self.res.uses.get(id(t))
            if d is not None:
                self.check_const(d, t.line)
                storage, kind = fs.access(d)
                if d.boxed:
                    return ("box", storage)
                return ("local", storage)
            env = self.env_atom(t)
            return ("index", self.stable(env), Atom(repr(t.name.encode()), const=True),
                    t.line, "upvalue '_ENV'" if False else None)
        assert isinstance(t, A.Index)
        obj = self.stable(self.expr(t.obj))
        key = self.stable(self.expr(t.key))
        return ("index", obj, key, t.line, obj.desc)

    def store(self, place: tuple, a: Atom, line: int) -> None:
        fs = self.fs
        if place[0] == "local":
            fs.emit(f"{place[1]} = {a.text}", line)
        elif place[0] == "box":
            fs.emit(f"{place[1]}.v = {a.text}", line)
        else:
            _, obj, key, iline, desc = place
            if key.const and key.text.startswith("b") and not obj.const:
                o, k = obj.text, key.text
                # raw store unless __newindex could apply: the field already holds a
                # value (an object's usual store: one dict lookup), or there is no
                # metatable or no __newindex (a new field)
                lt = fastpath.is_table(o, obj.ty)
                # (`__newindex` tested with `in`, no call: a nil-valued key takes
                # the general path, rightly)
                self.guarded([(f"{lt}(_h := {o}.hash).get({k}) is not None", f"_h[{k}] = {a.text}"),
                              (f"{lt}({o}.meta is None or b'__newindex' not in {o}.meta.hash)",
                               f"(_h if (_h := {o}.hash) is not _EH else {o}.own_hash())[{k}] = {a.text}")],
                             f"_setindex({obj.text}, {key.text}, {a.text})", iline, desc)
            elif obj.const or (key.const and key.ty != "int"):
                fs.emit(f"_setindex({obj.text}, {key.text}, {a.text})", iline,
                        "setindex", (desc,), resume="pass")
            else:
                self.guarded(fastpath.setindex(obj.text, key.operand, key.key_ty, a.text,
                                               (a.const and a.text != "None") or a.ty is not None, obj.ty),
                             f"_setindex({obj.text}, {key.text}, {a.text})", iline, desc)

    def guarded(self, cases: list[tuple[str, str]], fallback: str, line: int, desc: str | None) -> None:
        """if c1: s1 elif c2: s2 ... else: fallback — the fallback (a helper that may
        run __newindex) is the resume point, a statement of its own."""
        fs = self.fs
        cond, stmt = cases[0]
        node = If(cond, [], [], OpInfo(line))
        fs.out.append(node)
        with fs.nested(node.body):
            fs.emit(stmt, line)
        with fs.nested(node.orelse):
            if len(cases) > 1:
                self.guarded(cases[1:], fallback, line, desc)
            else:
                fs.emit(fallback, line, "setindex", (desc,), resume="pass")

    def check_const(self, d: Decl, line: int) -> None:
        if d.attrib in ("const", "close"):
            raise CompileError(f":{line}: attempt to assign to const variable '{d.name}'")

    def st_CallStat(self, s: A.CallStat) -> None:
        self.call(s.call, want=0)

    def st_Do(self, s: A.Do) -> None:
        self.block(s.body.stmts, s.body)

    def st_Return(self, s: A.Return) -> None:
        fs = self.fs
        exprs = s.exprs
        if (len(exprs) == 1 and isinstance(exprs[0], (A.Call, A.MethodCall))
                and fs.close_depth == 0):
            fn, args, star, desc = self.call_parts(exprs[0])
            fast = self.setmetatable_fast(exprs[0], fn, args, star, desc)
            if fast is not None:
                # `return setmetatable({...}, Class)`: inline, not a tail call (the
                # builtin would run on this frame's behalf anyway)
                split = If(fast, [], [], OpInfo(s.line))
                fs.out.append(split)
                with fs.nested(split.body):
                    fs.emit(f"{args[0].text}.meta = {args[1].text}; return {args[0].text}", s.line)
                with fs.nested(split.orelse):
                    self.tail_call(s, fn, args, star, desc)
                return
            self.tail_call(s, fn, args, star, desc)
            return
        if not exprs:
            value = "_NORET"
        else:
            atoms, star = self.explist(exprs)
            items = [a.text for a in atoms]
            if len(atoms) == 1 and star is None:
                value = items[0]
            elif star is not None and not items:
                value = star  # a tuple already (`...`, a call's values)
            else:
                if star is not None:
                    items.append("*" + star)
                value = f"({', '.join(items)},)"
        if fs.tbc:  # the values first, then the closes (innermost first), each may yield
            t = fs.temp("_ret")
            fs.emit(f"{t} = {value}", s.line)
            for var, flag in reversed(fs.tbc):
                self.close_now(var, flag, s.line)
            value = t
        fs.emit(f"return {value}", s.line)

    def tail_call(self, s: A.Return, fn: Atom, args: list[Atom], star: str | None, desc: str | None) -> None:
        """`return f(...)`, a proper tail call."""
        fs = self.fs
        argt = ", ".join(a.text for a in args)
        if star:
            argt = f"({argt}{', ' if argt else ''}*{star},)"
        else:
            argt = f"({argt}{',' if len(args) == 1 else ''})"
        callee = None
        if desc:
            kind, _, nm = desc.partition(" ")
            callee = (kind, nm.strip("'"))
        # A proper tail call: a chain of up to TAIL_BURST of them nest as plain
        # Python calls; the next one is handed back to the nearest non-tail caller
        # (a trampoline), which unwinds the burst. Builtins are always called
        # right here, as Lua runs a C function on top of its caller's frame.
        # A suspension inside either resumes by returning the callee's result.
        plain = ", ".join(a.text for a in args) + (
            (", " if args else "") + "*" + star if star else "")
        ln = fs.emit(f"if _TC[0] < {TAIL_BURST}: _TC[0] += 1; return {fn.text}({plain})", s.line,
                     "call", (desc,), resume="return _rv", callee=callee)
        ln.op.fn = fn.text
        ln.op.tail = True
        alias = fs.emit(f"return _tailcall({fn.text}, {argt}, {desc!r})", s.line, "call",
                        (desc,), callee=callee)
        alias.rp = ln.rp
        alias.resume = "return _rv"  # shares the resume point (no new one)

    def st_Break(self, s: A.Break) -> None:
        self.fs.goto.emit_break(s)

    def st_Goto(self, s: A.Goto) -> None:
        self.fs.goto.emit_goto(s)

    def st_Label(self, s: A.Label) -> None:
        self.fs.goto.emit_label(s)

    # expression lists -------------------------------------------------------

def _makes_calls(block: A.Block) -> bool:
    """Whether a function body contains a call (not counting nested functions)."""
    stack: list = [block]
    while stack:
        n = stack.pop()
        if isinstance(n, (A.Call, A.MethodCall)):
            return True
        if isinstance(n, A.Function):
            continue
        for v in vars(n).values():
            if isinstance(v, A.Node):
                stack.append(v)
            elif isinstance(v, (list, tuple)):
                for x in v:
                    if isinstance(x, A.Node):
                        stack.append(x)
                    elif isinstance(x, (list, tuple)):
                        stack.extend(y for y in x if isinstance(y, A.Node))
    return False


def compile_chunk(chunk: A.Chunk, counting: bool = False,
                  poll: Callable[[], None] | None = None) -> list[Proto]:
    """The protos of `chunk`, compiled to count steps for a limited runtime when
    `counting`; `poll` (which may raise LuaLimitError) is called every 64 statements
    then. Raises CompileError for a static error (goto, break, const)."""
    protos = Codegen(chunk, counting, poll).compile()
    for p in protos:
        if flatten.needed(p):  # nested deeper than CPython allows
            flatten.flatten(p)
    return protos
