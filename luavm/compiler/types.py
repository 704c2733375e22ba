"""Static number types of locals, and speculation on parameters and locals.

A plain (not boxed) local can only change by an assignment the compiler sees,
so when every value assigned to it is an integer (or every one a float), its
type is known and the compiled code drops the type tests on it. Types of the
assigned expressions follow Lua's rules for numbers only: int op int is an int
for `+ - * // %` and the bitwise operators, a float operand makes a float, `/`
and `^` always give floats. Anything else (a call, a table read, a string, a
metamethod's result) is unknown, and so is every local it reaches.

A local only ever assigned table constructors is a table ('table'): the table
fast paths drop their class test on it (never the metatable tests).

Parameters are unknown until the function runs. `speculate` picks those used as
numbers (in arithmetic, comparisons, as keys or `for` bounds) and never as
tables or functions, guesses integer or float from that use, guesses 'table'
for those only indexed, and `infer` is run again assuming those types: the
compiler then emits the body twice, behind a test of those parameters' types
(`codegen.Codegen.body`).

Locals assigned values of unknown type (table reads, call results) and used in
arithmetic are guessed too: floats in code computing with floats, else integers;
tables for those only indexed. Their guesses hold in the fast copy because it
tests each such value where it is assigned (`Inferred.guards`) and leaves for the
generic copy when one is not of its guessed type (compiler/deopt.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from .. import syntax_tree as A
from .scope import Decl, Resolution

_BOTTOM = "bottom"  # no value seen yet (optimistic start of the fixed point)
_INT_OPS = {"+", "-", "*", "//", "%"}
_BIT_OPS = {"&", "|", "~", "<<", ">>"}
_COMPARE = {"<", "<=", ">", ">="}
_KNOWN = ("int", "float", "table")
_MAX_VERSIONED = 400  # statements: longer functions are not compiled twice


def _stmts(block: A.Block) -> Iterator[A.Stmt]:
    """Every statement of a function body, nested blocks included (not nested functions)."""
    for s in block.stmts:
        yield s
        if isinstance(s, (A.Do, A.While, A.Repeat, A.NumFor, A.GenFor)):
            yield from _stmts(s.body)
        elif isinstance(s, A.If):
            for _, b in s.tests:
                yield from _stmts(b)
            if s.orelse is not None:
                yield from _stmts(s.orelse)


def _exprs(e: A.Expr) -> Iterator[A.Expr]:
    """e and its subexpressions, not entering function bodies."""
    yield e
    if isinstance(e, A.BinOp):
        yield from _exprs(e.left)
        yield from _exprs(e.right)
    elif isinstance(e, A.UnOp):
        yield from _exprs(e.operand)
    elif isinstance(e, A.Paren):
        yield from _exprs(e.expr)
    elif isinstance(e, A.Index):
        yield from _exprs(e.obj)
        yield from _exprs(e.key)
    elif isinstance(e, A.Call):
        yield from _exprs(e.func)
        for a in e.args:
            yield from _exprs(a)
    elif isinstance(e, A.MethodCall):
        yield from _exprs(e.obj)
        for a in e.args:
            yield from _exprs(a)
    elif isinstance(e, A.Table):
        for f in e.fields:
            if f.key is not None:
                yield from _exprs(f.key)
            yield from _exprs(f.value)


def _stmt_exprs(s: A.Stmt) -> list[A.Expr]:
    if isinstance(s, A.Local):
        return list(s.exprs)
    if isinstance(s, A.Assign):
        return [*s.targets, *s.exprs]
    if isinstance(s, A.CallStat):
        return [s.call]
    if isinstance(s, (A.While, A.Repeat)):
        return [s.cond]
    if isinstance(s, A.If):
        return [c for c, _ in s.tests]
    if isinstance(s, A.NumFor):
        return [s.start, s.stop] + ([s.step] if s.step is not None else [])
    if isinstance(s, A.GenFor):
        return list(s.exprs)
    if isinstance(s, A.Return):
        return list(s.exprs)
    return []


class _Sources:
    """For each plain local of one function: the expressions assigned to it
    (None for a value the analysis cannot see, e.g. the 2nd result of a call)."""

    def __init__(self, f: A.Function | A.Chunk, res: Resolution) -> None:
        self.res = res
        self.of: dict[Decl, list[A.Expr | None]] = {}
        # per source: the Local/Assign statement giving it (None: a parameter, a loop
        # variable, a function)
        self.stmts: dict[Decl, list[A.Stmt | None]] = {}
        body = f.body
        for d in res.decls.get(id(f), []) if isinstance(f, A.Function) else []:
            self.add(d, None)  # a parameter: whatever the caller passes
        for s in _stmts(body):
            if isinstance(s, A.Local):
                for d, e in zip(res.decls[id(s)], _adjusted(s.exprs, len(s.names))):
                    self.add(d, e, s)
            elif isinstance(s, A.Assign):
                for t, e in zip(s.targets, _adjusted(s.exprs, len(s.targets))):
                    if isinstance(t, A.Name) and (used := res.uses.get(id(t))) is not None:
                        self.add(used, e, s)
            elif isinstance(s, A.NumFor):
                d = res.decls[id(s)][0]
                step = s.step if s.step is not None else A.Number(s.line, 1)
                # the control variable's kind is that of start and step
                self.add(d, A.BinOp(s.line, "+", s.start, step))
            elif isinstance(s, (A.GenFor, A.LocalFunction)):
                for d in res.decls[id(s)]:
                    self.add(d, None)
            elif isinstance(s, A.FunctionStat) and isinstance(s.target, A.Name):
                if (used := res.uses.get(id(s.target))) is not None:
                    self.add(used, None)

    def add(self, d: Decl, e: A.Expr | None, s: A.Stmt | None = None) -> None:
        self.of.setdefault(d, []).append(e)
        self.stmts.setdefault(d, []).append(s)

    def speculable(self, params: list[Decl]) -> Iterator[tuple[Decl, list[A.Expr]]]:
        """The locals whose every value is an expression some statement assigns (not
        a parameter, a loop variable, nil, a further result of a call): what a local
        speculated on (compiler/deopt.py) may be; with those expressions."""
        for d, exprs in self.of.items():
            if (d not in params and not d.boxed and d.attrib != "close"
                    and all(e is not None and st is not None for e, st in zip(exprs, self.stmts[d]))):
                yield d, exprs  # type: ignore[misc]


def _adjusted(exprs: list[A.Expr], n: int) -> list[A.Expr | None]:
    """The expression giving each of n targets its value (None: not a single known one)."""
    out: list[A.Expr | None] = []
    for i in range(n):
        if i < len(exprs):
            e = exprs[i]
            # a call gives its first result here (its type: that of the call)
            out.append(None if isinstance(e, A.Vararg) else e)
        else:
            out.append(None)  # nil, or a further result of a call
    return out


@dataclass
class Inferred:
    """What inference found in one copy of a function body: the types of its plain
    locals, and the types of the results of its calls to known functions."""

    locals: dict[Decl, str]
    calls: dict[int, str]  # id(Call node) -> the type of its (first) result
    returns: str | None  # every value the copy returns has this type (one value each)
    # speculated locals (not parameters) to test after a statement assigns them a
    # value of unknown type: id(Local/Assign statement) -> those locals
    guards: dict[int, list[Decl]] = field(default_factory=dict)


def infer(f: A.Function | A.Chunk, res: Resolution, assumed: dict[Decl, str] | None = None,
          sources: _Sources | None = None, typed_calls: bool = True) -> Inferred:
    """Types ('int'/'float'/'table') of the plain locals of f whose every value has that
    type, given the types `assumed` for some parameters. With typed_calls, a call
    to a known function (`known_callee`) has the type of what it returns."""
    src = sources or _Sources(f, res)
    assumed = assumed or {}
    # assumed locals that are not parameters: values of unknown type assigned to
    # them are tested where they are assigned (guards), the rest must agree
    params = res.decls.get(id(f), []) if isinstance(f, A.Function) else []
    # (a list: the guards' order is the code's; assumed upvalues are never assigned here)
    guarded = [d for d in assumed if d not in params and d in src.of]
    ty: dict[Decl, str | None] = {}
    for d in src.of:
        if d in assumed:
            ty[d] = assumed[d]
        elif d.boxed or d.attrib == "close":
            ty[d] = None
        else:
            ty[d] = _BOTTOM
    for d, known in assumed.items():
        if d not in src.of:
            ty[d] = known  # an upvalue holding a value, speculated on like a parameter

    def etype(e: A.Expr | None) -> str | None:
        if e is None:
            return None
        if isinstance(e, A.Number):
            return "int" if isinstance(e.value, int) else "float"
        if isinstance(e, A.Table):
            return "table"
        if isinstance(e, A.Paren):
            return etype(e.expr)
        if isinstance(e, A.Name):
            d = res.uses.get(id(e))
            if d is None:
                return None
            if d in ty:
                return ty[d]
            # an upvalue holding a value (never assigned again): its type as the
            # enclosing function, compiled first, found it
            return d.ty if not d.boxed and d.ty in _KNOWN else None
        if isinstance(e, A.UnOp):
            t = etype(e.operand)
            if e.op == "-":
                return t if t != "table" else None  # -{}: __unm
            if e.op == "~" and t in ("int", _BOTTOM):
                return t
            return None
        if isinstance(e, A.BinOp) and (e.op in _INT_OPS or e.op in _BIT_OPS or e.op in ("/", "^")):
            a, b = etype(e.left), etype(e.right)
            if a is None or b is None or a == "table" or b == "table":
                return None  # a table operand: a metamethod's result
            if a == _BOTTOM or b == _BOTTOM:
                return _BOTTOM
            if e.op in ("/", "^"):
                return "float"
            if e.op in _BIT_OPS:
                return "int" if a == b == "int" else None
            return "int" if a == b == "int" else "float"
        if typed_calls and isinstance(e, A.Call):
            return call_type(e, res, etype)
        return None

    for _ in range(20):
        changed = False
        for d, exprs in src.of.items():
            if ty[d] is None:
                continue
            t: str | None = assumed.get(d, _BOTTOM)
            for i, e in enumerate(exprs):
                if i == 0 and d in assumed and d not in guarded:
                    continue  # the caller's value: assumed
                et = etype(e)
                if et == _BOTTOM or et is None and d in guarded:
                    continue
                if et is None or (t != _BOTTOM and t != et):
                    t = None
                    break
                t = et
            if t != ty[d] and t != _BOTTOM:
                ty[d] = t
                changed = True
        if not changed:
            break
    else:
        return Inferred({}, {}, None)
    if any(ty[d] != known for d, known in assumed.items()):
        return Inferred({}, {}, None)  # an assumed parameter is reassigned with something else
    # what calls and returns give, in terms of the final types (a local still at
    # _BOTTOM only ever gets values of calls still being worked out: unknown)
    for d, final in ty.items():
        if final == _BOTTOM:
            ty[d] = None
    calls: dict[int, str] = {}
    returns: str | None = _BOTTOM
    for s in _stmts(f.body):
        for top in _stmt_exprs(s):
            for e in _exprs(top):
                if typed_calls and isinstance(e, A.Call) and (ct := etype(e)) in _KNOWN:
                    calls[id(e)] = ct  # type: ignore[index]
        if isinstance(s, A.Return) and returns is not None:
            rt = etype(s.exprs[0]) if len(s.exprs) == 1 else None
            if rt != _BOTTOM:
                returns = rt if returns in (_BOTTOM, rt) else None
    guards: dict[int, list[Decl]] = {}
    for d in guarded:
        for e, st in zip(src.of[d], src.stmts[d]):
            if st is not None and etype(e) != assumed[d]:
                guards.setdefault(id(st), []).append(d)
    return Inferred({d: t for d, t in ty.items() if t in _KNOWN}, calls,  # type: ignore[misc]
                    returns, guards)


@dataclass
class Plan:
    """How to compile one function: its plain locals, what inference found in the
    generic copy, and the speculation (parameter guesses, what inference found
    under them) or None."""

    decls: list[Decl]
    generic: Inferred
    spec: tuple[dict[Decl, str], Inferred] | None


def plan(f: A.Function | A.Chunk, res: Resolution) -> Plan:
    src = _Sources(f, res)
    guess = speculate(f, res) if isinstance(f, A.Function) else None
    fast = (guess, infer(f, res, guess, src)) if guess else None
    return Plan(list(src.of), infer(f, res, None, src), fast)


# ------------------------------------------------------------ known callees


def known_callee(e: A.Call, res: Resolution) -> A.Function | None:
    """The function a call certainly calls: a local declared by `local function`
    and never assigned again (its value is fixed; the closure holds it as a value)."""
    if isinstance(e.func, A.Name):
        d = res.uses.get(id(e.func))
        if d is not None and d.local_function is not None and not d.assigned:
            return d.local_function
    return None


def _shape(f: A.Function, res: Resolution) -> tuple[bool, bool]:
    """(returns_one, tail_calls) of f, worked out once per function."""
    shape = res.shapes.get(id(f))
    if shape is None:
        rets = [s for s in _stmts(f.body) if isinstance(s, A.Return)]
        stmts = f.body.stmts
        one = (bool(stmts) and isinstance(stmts[-1], A.Return)
               and all(len(s.exprs) == 1 and not isinstance(s.exprs[0], (A.Call, A.MethodCall, A.Vararg))
                       for s in rets))
        tail = any(len(s.exprs) == 1 and isinstance(s.exprs[0], (A.Call, A.MethodCall)) for s in rets)
        shape = res.shapes[id(f)] = (one, tail)
    return shape


def returns_one(f: A.Function, res: Resolution) -> bool:
    """Every return of f gives exactly one value and f does not end without one:
    a call of it needs no adjustment of its result."""
    return _shape(f, res)[0]


def tail_calls(f: A.Function, res: Resolution) -> bool:
    """f has a `return g(...)`: its result may be a pending tail call."""
    return _shape(f, res)[1]


def only_called(res: Resolution, d: Decl, nparams: int) -> bool:
    """Every use of d is a call with at most nparams arguments (a `local function`
    that never escapes: no caller can pass it more than it takes). A last argument
    that is a call counts as one value only if it is a known callee returning one."""
    for n in res.uses_of(d):
        call = res.called.get(n)
        if call is None or len(call.args) > nparams:
            return False
        last = call.args[-1] if call.args else None
        if isinstance(last, (A.MethodCall, A.Vararg)):
            return False
        if isinstance(last, A.Call) and not ((f := known_callee(last, res)) is not None and returns_one(f, res)):
            return False
    return True


def call_type(e: A.Call, res: Resolution, etype) -> str | None:  # noqa: ANN001
    """The type of what a call of a known function returns: that of the copy the
    arguments select (the speculated one when they have the guessed types)."""
    f = known_callee(e, res)
    if f is None or not returns_one(f, res):
        return None
    guess = speculate(f, res)
    params = res.decls.get(id(f), [])
    # the speculated copy only when the arguments select it and nothing else decides:
    # a speculated local can leave it mid-call (deopt), a speculated upvalue is not
    # the caller's to see; then what the generic copy returns holds for every path
    fast = guess is not None and all(d in params for d in guess)
    if fast:
        for i, p in enumerate(params):
            if guess is not None and p in guess and (i >= len(e.args) or etype(e.args[i]) != guess[p]):
                fast = False
                break
    return result_type(f, res, fast)


def result_type(f: A.Function, res: Resolution, fast: bool) -> str | None:
    """What one copy of f returns, as a fixed point: a recursive call inside f
    counts as nothing (`_BOTTOM`) until a first estimate exists."""
    key = (id(f), fast)
    if key in res.result_types:
        return res.result_types[key]
    res.result_types[key] = _BOTTOM
    guess = speculate(f, res) if fast else None
    src = _Sources(f, res)
    for _ in range(10):
        t = infer(f, res, guess, src).returns
        if t == res.result_types[key]:
            break
        res.result_types[key] = t
    else:
        t = None
    res.result_types[key] = t if t in _KNOWN else None
    return res.result_types[key]


def _is_num(e: A.Expr, kind: type) -> bool:
    while isinstance(e, A.Paren):
        e = e.expr
    if isinstance(e, A.UnOp) and e.op == "-":
        e = e.operand
    return isinstance(e, A.Number) and type(e.value) is kind


def speculate(f: A.Function, res: Resolution) -> dict[Decl, str] | None:
    """Parameters to test and locals to guard, with the type guessed for each (int,
    float or table), when compiling f twice pays: some parameter or local is used
    as a number only (or indexed only), and f has no nested function, goto or
    to-be-closed variable (whose code would be duplicated or entangled). None
    otherwise. Decided once per function, without the types of calls (which
    depend on it: `call_type`)."""
    key = id(f)
    if key not in res.guesses:
        res.guesses[key] = _speculate(f, res)
    return res.guesses[key]


def _speculate(f: A.Function, res: Resolution) -> dict[Decl, str] | None:
    # the parameters, and the upvalues holding values of a type the enclosing function
    # does not know (`k` in `adder`'s closure): fixed for the whole call
    params = [d for d in res.decls.get(id(f), []) if not d.boxed] + _value_upvalues(f, res)
    float_code = False  # float literals, `/` or `^`: the function computes with floats
    numeric: set[Decl] = set()
    other: set[Decl] = set()
    inty: set[Decl] = set()  # used where an integer is usual (keys, `for` bounds, `//`, with int literals)
    floaty: set[Decl] = set()  # used with `/`, `^` or float literals
    indexed: set[Decl] = set()  # `p[k]`, `p.name`: a table, unless also a number or called
    called: set[Decl] = set()  # `p()`: a function (`p:m()` with `p.x`: likely an object)
    arith: set[Decl] = set()  # operands of arithmetic and order comparisons, `for` bounds (not keys)
    nilable: set[Decl] = set()  # tested for nil or truth (`x == nil`, `not x`, `if x`): may be nil
    count = 0

    def local_of(e: A.Expr) -> Decl | None:
        while isinstance(e, A.Paren):
            e = e.expr
        return res.uses.get(id(e)) if isinstance(e, A.Name) else None

    copies: list[tuple[Decl, Decl]] = []  # (target, source) of `x = y` between locals
    for s in _stmts(f.body):
        if isinstance(s, (A.Local, A.Assign)):
            targets = s.targets if isinstance(s, A.Assign) else None
            tds = (res.decls[id(s)] if targets is None
                   else [res.uses.get(id(t)) if isinstance(t, A.Name) else None for t in targets])
            for td, e in zip(tds, s.exprs):
                if td is not None and (sd := local_of(e)) is not None:
                    copies.append((td, sd))
        count += 1
        if count > _MAX_VERSIONED or isinstance(s, (A.Goto, A.Label, A.LocalFunction, A.FunctionStat)):
            return None
        if isinstance(s, A.Local) and "close" in s.attribs:
            return None
        if isinstance(s, A.NumFor):
            for bound in (s.start, s.stop, s.step):
                if bound is not None and (d := local_of(bound)) is not None:
                    numeric.add(d)
                    inty.add(d)
                    arith.add(d)
        conds = [c for c, _ in s.tests] if isinstance(s, A.If) else (
            [s.cond] if isinstance(s, (A.While, A.Repeat)) else [])
        for c in conds:
            if (d := local_of(c)) is not None:
                nilable.add(d)
        for top in _stmt_exprs(s):
            for e in _exprs(top):
                if isinstance(e, A.Function):
                    return None
                if isinstance(e, A.BinOp) and (e.op in ("and", "or") or e.op in ("==", "~=") and (
                        isinstance(e.left, A.Nil) or isinstance(e.right, A.Nil))):
                    for x in (e.left, e.right):
                        if (d := local_of(x)) is not None:
                            nilable.add(d)
                elif isinstance(e, A.UnOp) and e.op == "not" and (d := local_of(e.operand)) is not None:
                    nilable.add(d)
                if isinstance(e, A.Number) and isinstance(e.value, float) or (
                        isinstance(e, A.BinOp) and e.op in ("/", "^")):
                    float_code = True
                if isinstance(e, A.BinOp) and (e.op in _INT_OPS or e.op in _BIT_OPS or e.op in _COMPARE
                                               or e.op in ("/", "^")):
                    for x, y in ((e.left, e.right), (e.right, e.left)):
                        if (d := local_of(x)) is not None:
                            numeric.add(d)
                            arith.add(d)
                            if e.op in ("/", "^") or _is_num(y, float):
                                floaty.add(d)
                            elif e.op in ("//", "%") or e.op in _BIT_OPS or _is_num(y, int):
                                inty.add(d)
                elif isinstance(e, A.UnOp) and e.op == "-" and (d := local_of(e.operand)) is not None:
                    numeric.add(d)
                    arith.add(d)
                elif isinstance(e, A.Index):
                    if (d := local_of(e.key)) is not None:
                        numeric.add(d)
                        inty.add(d)
                    if (d := local_of(e.obj)) is not None:
                        other.add(d)
                        indexed.add(d)
                elif isinstance(e, (A.Call, A.MethodCall)):
                    obj = e.func if isinstance(e, A.Call) else e.obj
                    if (d := local_of(obj)) is not None:
                        other.add(d)
                        if isinstance(e, A.Call):
                            called.add(d)
                        elif f.is_method and d.name == "self" and d.func.node is f:
                            indexed.add(d)  # `self:area()` in a method: self is an object (a table)
                elif isinstance(e, A.UnOp) and e.op == "#" and (d := local_of(e.operand)) is not None:
                    other.add(d)
    for _ in range(3):  # a parameter copied into a local used as a number
        for td, sd in copies:
            if td in numeric and td not in other:
                numeric.add(sd)
            if td in arith:
                arith.add(sd)
            if td in indexed and td not in numeric and td not in called and sd not in numeric:
                indexed.add(sd)  # `local node = self` walking a structure: self is a table too
    guess = {d: "float" if d in floaty and d not in inty or d not in inty and _float_argument(f, d, res) else "int"
             for d in params if d in numeric and d not in other}
    tables = {d: "table" for d in params if d in indexed and d not in numeric and d not in called}
    src = _Sources(f, res)
    # locals speculated to be numbers: floats in code computing with floats, else
    # integers (`local qq = q[q1]`), and the tables such code reads them from
    # (`local bj = bodies[j]`); not those the guesses already make something else
    kind = "float" if float_code or "float" in guess.values() else "int"
    known = infer(f, res, {**guess, **tables}, src, typed_calls=False).locals
    nums = {d: kind for d in _number_locals(src, params, kind)
            if d in arith and d not in other and d not in nilable and known.get(d, kind) == kind}
    nums.update((d, "table") for d in _read_tables(src, params, tables)
                if d in indexed and d not in numeric and d not in called and d not in nilable
                and d not in known)
    tried: list[dict[Decl, str]] = []
    for g in ({**guess, **tables, **nums}, {**guess, **nums}, {**guess, **tables}, guess):
        if g and g not in tried:
            tried.append(g)
            if infer(f, res, g, src, typed_calls=False).locals:
                return g
    return None


def _float_argument(f: A.Function, d: Decl, res: Resolution) -> bool:
    """Whether every call of method f in the chunk (`o:step(0.5)`, by its name), or
    of the `local function` f (`spring(a, b, 0.001)`: only called, never passed on),
    passes parameter d a float literal: a parameter its own body does not type
    (`self.vx + self.ax * dt`, `dx * k / a.mass`) is then guessed a float, not an
    integer."""
    if d.name not in f.params:
        return False
    if f.is_method:
        i = f.params.index(d.name) - 1  # the call's arguments do not include self
        calls = res.method_calls.get(f.name.rpartition(":")[2], [])
    else:
        i = f.params.index(d.name)
        fd = res.local_functions.get(id(f))
        if fd is None or fd.assigned:
            return False
        uses = [res.called.get(u) for u in res.uses_of(fd)]
        if not all(uses):
            return False  # the function is also a value (passed, stored): its callers are unknown
        calls = [c.args for c in uses if c is not None]
    return i >= 0 and bool(calls) and all(i < len(args) and _is_num(args[i], float) for args in calls)


def _value_upvalues(f: A.Function, res: Resolution) -> list[Decl]:
    """The upvalues f reads that hold a value (never assigned after their declaration:
    captured by value) of a type the enclosing function does not know."""
    out: list[Decl] = []
    for s in _stmts(f.body):
        for top in _stmt_exprs(s):
            for e in _exprs(top):
                if (isinstance(e, A.Name) and (d := res.uses.get(id(e))) is not None and d.func.node is not f
                        and not d.boxed and d.ty is None and d.local_function is None and d not in out):
                    out.append(d)
    return out


_DATA = (A.Index, A.Call, A.MethodCall)  # values of unknown type: a speculated local is tested after them


def _numeric_source(e: A.Expr, kind: str) -> bool:
    """e may give a number of that kind ('int' or 'float')."""
    while isinstance(e, A.Paren):
        e = e.expr
    if isinstance(e, A.BinOp):
        return e.op in _INT_OPS or e.op in (("/", "^") if kind == "float" else _BIT_OPS)
    if isinstance(e, A.UnOp):
        return e.op == "-" or e.op == "~" and kind == "int"
    if isinstance(e, A.Number):
        return isinstance(e.value, float if kind == "float" else int)
    return isinstance(e, (A.Name, *_DATA))


def _read_tables(src: _Sources, params: list[Decl], tables: dict[Decl, str]) -> list[Decl]:
    """Locals only ever assigned values read from tables (`local b = bodies[i]`) or
    a parameter guessed a table (`local node = self` then `node = node.left`)."""
    def table_source(e: A.Expr) -> bool:
        while isinstance(e, A.Paren):
            e = e.expr
        return isinstance(e, A.Index) or (
            isinstance(e, A.Name) and src.res.uses.get(id(e)) in tables)

    return [d for d, exprs in src.speculable(params) if all(table_source(e) for e in exprs)]


def _number_locals(src: _Sources, params: list[Decl], kind: str) -> list[Decl]:
    """Locals that may be speculated to be numbers of that kind: only ever assigned
    arithmetic, values read from tables or returned by calls (`local dx = bix -
    bj.x`), never nil or a value of another kind. The compiled code tests such a
    value where it is assigned and leaves for the generic copy of the function
    when the test fails (compiler/deopt.py)."""
    return [d for d, exprs in src.speculable(params) if all(_numeric_source(e, kind) for e in exprs)]
