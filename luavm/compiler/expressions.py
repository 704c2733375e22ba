"""Expressions in A-normal form: each operation that can run Lua code becomes a
Python statement of its own (a resume point) with its value in a temporary.

`ExpressionCompiler` is the expression half of `codegen.Codegen` (a mixin):
values (`Atom`s), calls, indexing, operators, table constructors, `and`/`or`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import syntax_tree as A
from . import fastpath, types
from .ir import If, OpInfo

if TYPE_CHECKING:
    from collections.abc import Callable

    from .codegen import FuncState


# builtins a call named so runs inline when it is that builtin, by (name, number of
# arguments, a method call's object first): for each builtin of that name, its name
# in generated code, the result inline, the test of the arguments {a}, {b}, {c} for
# the common case that result is right for ({num_a}: that a is a number, unless
# known to be one). The test runs first: it may bind `_r` for the result
_INLINE = {
    ("sqrt", 1): [("_MSQRT", "_csqrt({a})", "{num_a}{a} >= 0")],  # not negative, not NaN: math.sqrt's own test
    ("floor", 1): [("_MFLOOR", "_cfloor({a})", "{a}.__class__ is _float and -9.2e18 < {a} < 9.2e18")],
    ("byte", 1): [("_SBYTE", "{a}[0]", "{a}.__class__ is _bytes and {a}")],
    ("byte", 2): [("_SBYTE", "{a}[{b} - 1]",
                   "{a}.__class__ is _bytes and {b}.__class__ is _int and 0 < {b} <= _plen({a})")],
    ("sub", 2): [("_SSUB", "{a}[{b} - 1:]", "{a}.__class__ is _bytes and {b}.__class__ is _int and 0 < {b}")],
    ("sub", 3): [("_SSUB", "{a}[{b} - 1:{c}]",
                  "{a}.__class__ is _bytes and {b}.__class__ is _int and {c}.__class__ is _int and 0 < {b} and 0 <= {c}")],
    ("len", 1): [("_SLEN", "_plen({a})", "{a}.__class__ is _bytes")],
    # (below the size from which the library charges a limited runtime for the copy)
    ("lower", 1): [("_SLOWER", "{a}.lower()", "{a}.__class__ is _bytes and _plen({a}) < 1024")],
    ("upper", 1): [("_SUPPER", "{a}.upper()", "{a}.__class__ is _bytes and _plen({a}) < 1024")],
    ("type", 1): [("_BTYPE", "_r", "(_r := _TYPENAMES.get({a}.__class__)) is not None"),  # type(v)
                  ("_MTYPE", "_r", "(_r := _MATHTYPES.get({a}.__class__)) is not None")],  # math.type(v)
    # a string of ASCII digits that fits in an integer (str2number's own first case)
    ("tonumber", 1): [("_BTONUMBER", "_int({a})", "{a}.__class__ is _bytes and _plen({a}) < 19 and {a}.isdigit()")],
    # an integer, while numbers have no metatable (debug.setmetatable)
    ("tostring", 1): [("_BTOSTRING", "b'%d' % {a}", "{a}.__class__ is _int and not _STATE.current.type_metas")],
    # a live generator that is not executing: a suspended coroutine (the current one's runs)
    ("status", 1): [("_CSTATUS", "b'suspended'",
                     "{a}.__class__ is _COROUTINE and (_cg := {a}.gen) is not None and not _cg.gi_running")],
}


_STRING_METHODS = {f"method '{n}'" for n in (
    "byte", "find", "format", "gmatch", "gsub", "len", "lower", "match", "rep", "reverse", "sub", "upper")}


@dataclass
class Atom:
    """A value the compiled code can use directly: a constant, a local, a temporary."""

    text: str
    desc: str | None = None
    is_bool: bool = False
    volatile: bool = False  # reads a Box: may change if later code runs Lua
    const: bool = False
    ty: str | None = None  # statically known: 'int', 'float' or 'table' (a LuaTable)
    pos: bool = False  # an 'int' known to be >= 1

    @property
    def key_ty(self) -> str | None:
        """The type as the table fast paths take a key's: 'pos' for a positive int."""
        return "pos" if self.pos and self.ty == "int" else self.ty

    @property
    def operand(self) -> str:
        """The text, safe to follow with `.attr` (a numeral needs parentheses)."""
        return f"({self.text})" if self.const and self.text[:1] in "-0123456789(" else self.text


NIL = Atom("None", const=True)
STRAIGHT_LINE = 32  # with counting, a step every this many statements of one block
TAIL_BURST = 64  # nested plain tail calls before a trampoline flattens the stack

ARITH = {
    "+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "%": "_mod", "//": "_idiv",
    "^": "_pow", "&": "_band", "|": "_bor", "~": "_bxor", "<<": "_shl", ">>": "_shr",
}


def _desc_name(s: bytes) -> str:
    return s.decode("latin-1")  # one char per byte: messages are encoded back the same way


class ExpressionCompiler:
    """Expression compilation; mixed into Codegen, which provides fs, res, line."""

    fs: FuncState
    res: Any
    line: int
    counting: bool
    if TYPE_CHECKING:
        function: Callable[[A.Function], Atom]
        tick: Callable[..., None]

    def stable(self, a: Atom) -> Atom:
        """Copy a Box read into a temporary so later code cannot change it underneath."""
        if a.volatile:
            t = self.fs.temp()
            self.fs.emit(f"{t} = {a.text}", self.line)
            return Atom(t, a.desc, a.is_bool)
        return a

    def snapshot(self, a: Atom) -> Atom:
        """Copy any variable read into a temporary: for `a, b = b, a`, all values are
        taken before any target is written."""
        if a.const or a.text.startswith("_t"):
            return a
        t = self.fs.temp()
        self.fs.emit(f"{t} = {a.text}", self.line)
        return Atom(t, a.desc, a.is_bool)

    def explist(self, exprs: list[A.Expr]) -> tuple[list[Atom], str | None]:
        """All values: atoms for the fixed part, a tuple expression for a multi-value tail."""
        atoms: list[Atom] = []
        star = None
        for i, e in enumerate(exprs):
            last = i == len(exprs) - 1
            if last and isinstance(e, (A.Call, A.MethodCall)) and not self.one_value(e):
                star = self.call(e, want=-1).text
            elif last and isinstance(e, A.Vararg):
                star = "_va"
            else:
                a = self.expr(e)
                if not last:
                    a = self.stable(a)
                atoms.append(a)
        return atoms, star

    def one_value(self, e: A.Call | A.MethodCall) -> bool:
        """A call of a `local function` that always returns exactly one value: in the
        last place of a list it needs no spreading."""
        f = types.known_callee(e, self.res) if isinstance(e, A.Call) else None
        return f is not None and types.returns_one(f, self.res)

    def explist_adjusted(self, exprs: list[A.Expr], n: int, line: int) -> list[Atom]:
        """Exactly n values, Lua's adjustment: extra dropped, missing filled with nil."""
        fs = self.fs
        atoms: list[Atom] = []
        for i, e in enumerate(exprs):
            last = i == len(exprs) - 1
            if last and len(atoms) < n and isinstance(e, (A.Call, A.MethodCall, A.Vararg)):
                need = n - len(atoms)
                if need == 1:
                    atoms.append(self.stable(self.expr(e)))
                elif isinstance(e, A.Vararg):
                    ts = [fs.temp() for _ in range(need)]
                    fs.emit(f"{', '.join(ts)}, = _va if _plen(_va) == {need} else _pad(_va, {need})", line)
                    atoms.extend(Atom(t) for t in ts)
                else:
                    # `local ok, v = f()`: the call's own adjustment line unpacks exactly
                    # `need` results (_adjust otherwise: a pending tail call, other counts)
                    ts = [fs.temp() for _ in range(need)]
                    self.call(e, want=-1, adjust=(
                        f"{', '.join(ts)}, = {{t}} if {{t}}.__class__ is _Ret and _plen({{t}}) == {need} "
                        f"and {{t}}[0] is not _TAILCALL else _adjust({{t}}, {need})"))
                    atoms.extend(Atom(t) for t in ts)
            elif len(atoms) < n:
                atoms.append(self.stable(self.expr(e)))
            else:
                self.expr(e)  # evaluated for its effects, value dropped
        while len(atoms) < n:
            atoms.append(NIL)
        return atoms

    # expressions ------------------------------------------------------------

    def cond(self, e: A.Expr) -> str:
        a = self.expr(e)
        if a.is_bool:
            return a.text
        if a.const:
            return "False" if a.text in ("None", "False") else "True"
        return f"({a.text} is not None and {a.text} is not False)"

    def expr(self, e: A.Expr, target: str | None = None) -> Atom:
        return getattr(self, "ex_" + type(e).__name__)(e, target)

    def ex_Nil(self, e: A.Nil, target: str | None) -> Atom:
        return NIL

    def ex_TrueE(self, e: A.TrueE, target: str | None) -> Atom:
        return Atom("True", is_bool=True, const=True)

    def ex_FalseE(self, e: A.FalseE, target: str | None) -> Atom:
        return Atom("False", is_bool=True, const=True)

    def ex_Number(self, e: A.Number, target: str | None) -> Atom:
        return Atom(_num_literal(e.value), const=True, ty="int" if isinstance(e.value, int) else "float")

    def ex_String(self, e: A.String, target: str | None) -> Atom:
        return Atom(repr(e.value), f"constant '{_desc_name(e.value)}'", const=True)

    def ex_Vararg(self, e: A.Vararg, target: str | None) -> Atom:
        return Atom("(_va[0] if _va else None)")

    def ex_Function(self, e: A.Function, target: str | None) -> Atom:
        return self.function(e)

    def ex_Paren(self, e: A.Paren, target: str | None) -> Atom:
        return self.expr(e.expr, target)

    def ex_Name(self, e: A.Name, target: str | None) -> Atom:
        fs = self.fs
        d = self.res.uses.get(id(e))
        if d is not None:
            storage, kind = fs.access(d)
            if d.boxed:
                return Atom(f"{storage}.v", f"{kind} '{d.name}'", volatile=True)
            if kind == "upvalue" and d.ty is not None:
                fs.proto.typed_upvalues[storage] = d.ty
            elif kind == "local" and (d.ty is not None or d.positive or d.local_function is not None
                                      and not d.assigned):
                fs.proto.typed_locals[storage] = ("pos" if d.positive else d.ty or "function")
            return Atom(storage, f"{kind} '{d.name}'", ty=d.ty, pos=d.positive)
        env = self.env_atom(e)
        return self.index_const(env, e.name.encode(), e.line, target, f"global '{e.name}'")

    def env_atom(self, e: A.Name) -> Atom:
        d = self.res.env[id(e)]
        storage, kind = self.fs.access(d)
        if d.boxed:
            return Atom(f"{storage}.v", f"{kind} '_ENV'", volatile=True)
        return Atom(storage, f"{kind} '_ENV'")

    def index_const(self, obj: Atom, key: bytes, line: int, target: str | None, desc: str) -> Atom:
        """t = obj.key (a constant string key): the own hash part, then the site's
        inline cache. A method of the string library (`s:sub(i)`) asks the cache
        first whether it holds the value for objects of s's class: one test for
        a string, where its own hash part would be a test that fails."""
        fs = self.fs
        if target is not None and target in obj.text:
            target = None  # `x = x.f`: x is still read after the first line writes
        t = target or fs.temp()
        k = repr(key)
        o = obj.text
        if obj.const:  # a constant is never a table: straight to the metamethod
            fs.emit(f"{t} = _index({o}, {k})", line, "index", (obj.desc,), resume=f"{t} = _first1(_rv)")
            return Atom(t, desc)
        table = obj.ty == "table"
        ics = fs.proto.ics
        if desc.startswith("global '"):
            # one site per global name and function: _ENV is the same table at each
            n = fs.proto.global_ics.setdefault(key, len(ics))
        else:
            n = len(ics)
        if n == len(ics):
            ics.append(key)
        ic = f"_ic{fs.proto.index}_{n}"
        if desc.startswith("method '") and desc not in _STRING_METHODS:
            # `o:m()`: the method is nearly always the class's, not o's own: the site's
            # first metatable and a key test (`in`, no call) before the own-field
            # lookup; a miss there goes on to the site's cache of other metatables
            # (~40 ns less per call, monomorphic or not; a tombstone key takes the
            # own-field lookup, rightly)
            def lookup() -> None:
                fs.emit(f"{t} = _m[1] if (_m := {ic})[0] is (_mk := {o}.meta) and {k} not in {o}.hash "
                        f"else {o}.hash.get({k})", line)
                fs.emit(f"if {t} is None: {t} = _icv if (_icv := _m[2][_mk]) is not _NOIC else _index_str({o}, {k})",
                        line, "index", (obj.desc,), resume=f"{t} = _first1(_rv)")

            if table:
                lookup()
                return Atom(t, desc)
            # (not known to be a table: one class test for the two lines, a value of
            # another type asks the cache by its class)
            split = If(f"{o}.__class__ is _LT", [], [], OpInfo(line))
            fs.out.append(split)
            with fs.nested(split.body):
                lookup()
            with fs.nested(split.orelse):
                fs.emit(f"{t} = _m[1] if (_m := {ic})[0] is (_mk := {o}.__class__) else _icv "
                        f"if (_icv := _m[2][_mk]) is not _NOIC else _index_str({o}, {k})",
                        line, "index", (obj.desc,), resume=f"{t} = _first1(_rv)")
            return Atom(t, desc)
        else:
            # (a site's first key is a metatable, or a class for a value that is no table:
            # never a table's class)
            first = f"_m[1] if (_m := {ic})[0] is {o}.__class__ else " if desc in _STRING_METHODS else ""
            fs.emit(f"{t} = {o}.hash.get({k})" if table else
                    f"{t} = {first}{o}.hash.get({k}) if {o}.__class__ is _LT else None", line)
        # a miss on the object itself: the site's inline cache (runtime/icache.py),
        # keyed by the metatable (a table) or the class (a string...)
        mt = f"{o}.meta" if table else f"{o}.meta if {o}.__class__ is _LT else {o}.__class__"
        # (`_m`, `_mk`, `_icv` are no Lua locals: a suspension does not save them)
        fs.emit(f"if {t} is None: {t} = _m[1] if (_m := {ic})[0] is (_mk := {mt}) else _icv if (_icv := _m[2][_mk]) "
                f"is not _NOIC else _index_str({o}, {k})",
                line, "index", (obj.desc,), resume=f"{t} = _first1(_rv)")
        return Atom(t, desc)

    def float_field(self, obj: Atom, key: bytes, line: int, desc: str) -> Atom:
        """t = obj.key speculated a float (compiler/fields.py): the own hash part, then
        the site's inline cache (a value some plain table of the `__index` chain
        holds); any other value, or a lookup only the general path can make, leaves
        for the generic copy before the statement, with nothing of it run yet."""
        fs = self.fs
        assert fs.deopt is not None
        t = fs.temp()
        k = repr(key)
        o = obj.text
        ics = fs.proto.ics
        ic = f"_ic{fs.proto.index}_{len(ics)}"
        ics.append(key)
        if obj.ty == "table":
            fs.emit(f"{t} = {o}.hash.get({k})", line)
            mt = f"{o}.meta"
        else:
            fs.emit(f"{t} = {o}.hash.get({k}) if {o}.__class__ is _LT else None", line)
            mt = f"{o}.meta if {o}.__class__ is _LT else {o}.__class__"
        cond = (f"{t}.__class__ is not _float and ({t} is not None or "
                f"({t} := _m[1] if (_m := {ic})[0] is (_mk := {mt}) else _m[2][_mk]).__class__ is not _float)")
        fs.out.append(If(cond, [fs.deopt.leave_before(line)], [], OpInfo(line, "index", (obj.desc,))))
        return Atom(t, desc, ty="float")

    def ex_Index(self, e: A.Index, target: str | None) -> Atom:
        fs = self.fs
        obj = self.expr(e.obj)
        if isinstance(e.key, A.String):
            what = "global" if isinstance(e.obj, A.Name) and e.obj.name == "_ENV" else "field"
            if (fs.deopt is not None and fs.deopt.copy == "spec" and not obj.const
                    and fs.deopt.speculates(fs, e)):
                return self.float_field(obj, e.key.value, e.line, f"{what} '{_desc_name(e.key.value)}'")
            return self.index_const(obj, e.key.value, e.line, target,
                                    f"{what} '{_desc_name(e.key.value)}'")
        obj = self.stable(obj) if not _is_simple(e.key) else obj
        key = self.expr(e.key)
        t = target or fs.temp()
        if obj.const or (key.const and key.ty != "int"):
            fs.emit(f"{t} = _index({obj.text}, {key.text})", e.line, "index", (obj.desc,),
                    resume=f"{t} = _first1(_rv)")
        else:
            fs.emit(fastpath.index(t, obj.text, key.operand, key.key_ty, obj.ty), e.line, "index", (obj.desc,),
                    resume=f"{t} = _first1(_rv)")
        desc = "field '?'"
        if key.const and key.text.startswith("b"):
            desc = f"field '{_desc_name(eval(key.text))}'"
        elif _is_int_literal(key) and 0 <= int(key.text) <= 255:
            desc = "field 'integer index'"  # lua5.4's OP_GETI
        return Atom(t, desc)

    def ex_Call(self, e: A.Call, target: str | None) -> Atom:
        return self.call(e, want=1, target=target)

    def ex_MethodCall(self, e: A.MethodCall, target: str | None) -> Atom:
        return self.call(e, want=1, target=target)

    def call_parts(self, e: A.Call | A.MethodCall) -> tuple[Atom, list[Atom], str | None, str | None]:
        fs = self.fs
        if isinstance(e, A.MethodCall):
            obj = self.stable(self.expr(e.obj))
            fn = self.index_const(obj, e.method.encode(), e.line, None, f"method '{e.method}'")
            args, star = self.explist(e.args)
            return self.callee(fn), [obj] + args, star, fn.desc
        fn = self.expr(e.func)
        if e.args:
            fn = self.stable(fn)
        args, star = self.explist(e.args)
        del fs
        return self.callee(fn), args, star, fn.desc

    def callee(self, fn: Atom) -> Atom:
        """A constant callee goes through a temporary: `1(...)` in the generated
        Python draws a SyntaxWarning (calling it is Lua's runtime error anyway)."""
        if not fn.const:
            return fn
        t = self.fs.temp()
        self.fs.emit(f"{t} = {fn.text}", self.line)
        return Atom(t, fn.desc)
    def setmetatable_fast(self, e: A.Call | A.MethodCall, fn: Atom, args: list[Atom],
                          star: str | None, desc: str | None) -> str | None:
        """The test under which `setmetatable(t, mt)` (the global, two arguments)
        runs inline as `t.meta = mt`: the callee is the builtin, mt a table without
        `__mode`, t a table whose metatable (if any) has no `__metatable` field
        (even a nil one) and that no inline cache watches (base.lua_setmetatable's
        other cases). A table constructor as `t` is such a table already. `Class.new` returning
        `setmetatable({...}, Class)` paid a Lua-convention call and argument checks
        (~0.3 us) per object."""
        if (desc != "global 'setmetatable'" or len(args) != 2 or star is not None
                or not isinstance(e, A.Call) or args[0].const or args[1].const):
            return None
        a, b = args[0].operand, args[1].operand
        tests = [f"{fn.text} is _SETMT"]
        if not isinstance(e.args[0], A.Table):
            tests += [f"{a}.__class__ is _LT", f"({a}.meta is None or b'__metatable' not in {a}.meta.hash)",
                      f"{a}.hash.__class__ is not _WD"]
        tests += [f"{b}.__class__ is _LT", f"b'__mode' not in {b}.hash"]
        return " and ".join(tests)

    def call(self, e: A.Call | A.MethodCall, want: int, target: str | None = None,
             adjust: str | None = None) -> Atom:
        """want: 1 one value, 0 none (statement), -1 all values as a tuple, -2 all
        values as one plain value or a `Ret` (a pending tail call run).
        `adjust` replaces the adjustment line of want -1 (`{t}`: the raw result)."""
        fs = self.fs
        fn, args, star, desc = self.call_parts(e)
        argt = [a.text for a in args]
        if star is not None:
            argt.append("*" + star)
        if target and want == 1:
            t = target
        elif star is not None and star.startswith("_t"):
            # the spread results of an inner call are used by this call only: its
            # temporary takes the result, so the arguments (maybe a big table) are
            # not kept alive until the function returns
            t = star
        elif (star is None and e.args and isinstance(e.args[-1], A.Call) and self.one_value(e.args[-1])
              and args[-1].text.startswith("_t")):
            t = args[-1].text  # the same for the one value of a known callee (`check(make())`)
        else:
            t = fs.temp()
        callee = None
        if desc:
            kind, _, nm = desc.partition(" ")
            callee = (kind, nm.strip("'"))
        if want in (0, 1) and (fast := self.setmetatable_fast(e, fn, args, star, desc)) is not None:
            split = If(fast, [], [], OpInfo(e.line))
            fs.out.append(split)
            with fs.nested(split.body):
                fs.emit(f"{args[0].text}.meta = {args[1].text}" + (f"; {t} = {args[0].text}" if want else ""),
                        e.line)
            with fs.nested(split.orelse):
                return self.emit_call(e, want, adjust, fn, args, argt, star, desc, callee, t)
        return self.emit_call(e, want, adjust, fn, args, argt, star, desc, callee, t)

    def emit_call(self, e: A.Call | A.MethodCall, want: int, adjust: str | None, fn: Atom, args: list[Atom],
                  argt: list[str], star: str | None, desc: str | None, callee: tuple[str, str] | None,
                  t: str) -> Atom:
        """The call line of `call` and the adjustment of its result."""
        fs = self.fs
        text = f"{t} = {fn.text}({', '.join(argt)})"
        inline = _INLINE.get((callee[1], len(args)), []) if want == 1 and star is None and callee else []
        if args and args[0].const and not args[0].text.startswith("b"):
            # `string.byte(65)`: Python would warn at the subscript of a constant
            inline = [c for c in inline if "{a}[" not in c[1]]
        if inline:
            # `sqrt(x)`, `s:byte(i)`, `type(v)`: when the function called is that builtin
            # (a run-time identity test) and the arguments its common case, its result
            # is computed inline (or the Python function it ends in called directly)
            ops = dict(zip("abc", (x.operand for x in args)))
            a = ops["a"]
            ops["num_a"] = "" if args[0].ty in ("int", "float") else f"({a}.__class__ is _float or {a}.__class__ is _int) and "
            fast = "".join(f"{v.format(**ops)} if {fn.text} is {obj} and {c.format(**ops)} else " for obj, v, c in inline)
            # the call itself, when made, is adjusted to one value on the same line: the
            # inline results need no `Ret` test after the line
            text = f"{t} = {fast}_first1({fn.text}({', '.join(argt)}))"
            ln = fs.emit(text, e.line, "call", (desc,), resume=f"{t} = _first1(_rv)", callee=callee)
            ln.call = (t, fn.text, ", ".join(argt), yielded(argt, star is not None))
            ln.first = True
            ln.op.fn = fn.text
            return Atom(t)
        ln = fs.emit(text, e.line, "call", (desc,), resume=f"{t} = _rv", callee=callee)
        ln.call = (t, fn.text, ", ".join(argt), yielded(argt, star is not None))
        ln.op.fn = fn.text
        known = types.known_callee(e, self.res) if isinstance(e, A.Call) else None
        if known is not None and ((want == 1 and types.returns_one(known, self.res))
                                  or (want == 0 and not types.tail_calls(known, self.res))):
            # a `local function` never assigned again: its result is as it returns it
            # (one plain value; no pending tail call), of a known type if inference found one
            return Atom(t, ty=fs.call_types.get(id(e)) if want == 1 else None)
        # the adjustment may run a pending tail call: a suspension there resumes
        # exactly like one inside the call itself
        if want == 1:
            # the first of several values inline (`s:find()`, `s:gsub()`): _first only
            # for none or a pending tail call
            adj = fs.emit(f"if {t}.__class__ is _Ret: {t} = {t}[0] if {t} and {t}[0] is not _TAILCALL "
                          f"else _first({t})", e.line, "call", (desc,))
        elif want == 0:
            # only a pending tail call needs running: several values are just dropped
            adj = fs.emit(f"if {t}.__class__ is _Ret and {t} and {t}[0] is _TAILCALL: _discard({t})",
                          e.line, "call", (desc,))
        elif adjust is not None:
            adj = fs.emit(adjust.format(t=t), e.line, "call", (desc,))
        elif want == -2:
            adj = fs.emit(f"if {t}.__class__ is _Ret and {t} and {t}[0] is _TAILCALL: {t} = _Ret(_results({t}))",
                          e.line, "call", (desc,))
        else:
            # _results inline for the common cases: one plain value, a Ret of values
            adj = fs.emit(f"{t} = ({t},) if {t}.__class__ is not _Ret else {t} if not {t} "
                          f"or {t}[0] is not _TAILCALL else _results({t})", e.line, "call", (desc,))
        adj.rp = ln.rp
        adj.alias_target = t
        return Atom(t)

    def ex_Table(self, e: A.Table, target: str | None) -> Atom:
        fs = self.fs
        positional: list[str] = []
        keyed: list[tuple[Atom, Atom]] = []
        star = None
        last_nonnil = False  # the last positional value is known not to be nil
        for i, f in enumerate(e.fields):
            last = i == len(e.fields) - 1
            if f.key is None:
                if last and isinstance(f.value, (A.Call, A.MethodCall)) and not self.one_value(f.value):
                    # one plain value or a Ret: no tuple for the usual single result
                    raw = positional and all(g.key is None for g in e.fields)
                    star = self.call(f.value, want=-2 if raw else -1).text
                elif last and isinstance(f.value, A.Vararg):
                    star = "_va"
                else:
                    a = self.stable(self.expr(f.value))
                    positional.append(a.text)
                    last_nonnil = (a.const and a.text != "None") or a.is_bool or a.ty is not None
            else:
                k = self.stable(self.expr(f.key))
                v = self.stable(self.expr(f.value))
                keyed.append((k, v))
        if len(e.fields) >= 2 * STRAIGHT_LINE:
            self.tick(e.line, len(e.fields) // STRAIGHT_LINE)  # a big constructor is bulk work
        t = (target if not keyed else None) or fs.temp()
        arr = "[" + ", ".join(positional) + "]"
        if star is not None:
            arr = f"[{''.join(p + ', ' for p in positional)}*{star}]"
        if not keyed:
            if not positional and star is None:
                self.new_table(t, target, "_NOARR", "_EH", e.line)
            elif star is None and last_nonnil:
                self.new_table(t, target, arr, "_EH", e.line)
            elif star is not None and star.startswith("_t") and positional:
                # {a, f()}: mostly one result; `[a, *r]` would over-allocate the list
                one = f"[{', '.join(positional)}, {star}]"
                fs.emit(f"{t} = _LT({one}) if {star}.__class__ is not _Ret and {star} is not None "
                        f"else _newtable({arr} if {star}.__class__ is _Ret else {one})", e.line)
            elif positional:  # trailing nils are trimmed (arr[-1] is never nil)
                fs.emit(f"{t} = _LT(_a) if (_a := {arr})[-1] is not None else _newtable(_a)", e.line)
            else:
                fs.emit(f"{t} = _newtable({arr})", e.line)
            return Atom(t, ty="table")
        const_fields = all(k.const and k.text.startswith("b") and v.const and v.text != "None"
                           for k, v in keyed)
        str_keys = all(k.const and k.text.startswith("b") for k, _ in keyed) and len(
            {k.text for k, _ in keyed}) == len(keyed)
        if const_fields:
            items = ", ".join(f"{k.text}: {v.text}" for k, v in keyed)
            self.new_table(t, None, "_NOARR", f"{{{items}}}", e.line)
            keyed = []
        elif str_keys:
            # distinct string keys (`{x = x, y = y}`): one dict display when no value
            # is nil (a constructor stores no nil: no tombstone), else field by field
            keyed = [(k, v) for k, v in keyed if not (v.const and v.text == "None")]  # `{next = nil}`
            items = ", ".join(f"{k.text}: {v.text}" for k, v in keyed)
            maybe_nil = [v.text for _, v in keyed
                         if not ((v.const and v.text != "None") or v.is_bool or v.ty is not None)]
            if not maybe_nil:
                self.new_table(t, None, "_NOARR", f"{{{items}}}", e.line)
            else:
                nil = " or ".join(f"{v} is not None" for v in dict.fromkeys(maybe_nil))
                split = If(nil.replace(" or ", " and "), [], [], OpInfo(e.line))
                fs.out.append(split)
                with fs.nested(split.body):
                    self.new_table(t, None, "_NOARR", f"{{{items}}}", e.line)
                with fs.nested(split.orelse):
                    self.new_table(t, None, "_NOARR", "{}", e.line)
                    self.keyed_fields(t, keyed, e.line)
            keyed = []
        else:
            self.new_table(t, None, "_NOARR", "{}", e.line)  # a hash part of its own to write into
        self.keyed_fields(t, keyed, e.line)
        if positional or star is not None:
            fs.emit(f"_setlist({t}, {arr})", e.line)
        return Atom(t, ty="table")

    def new_table(self, t: str, target: str | None, arr: str, hash: str, line: int) -> None:
        """`t = LuaTable(arr, hash)` without the call of `LuaTable.__init__`: the
        instance from `object.__new__` and its four slots stored inline (~300 ->
        ~215 ns for `{value = v}`, most of it the Python frame of `__init__`;
        values.LuaTable's constructor sets the same slots). A target local that the
        parts mention (`x = {x}`) is assigned only once the table is complete."""
        fs = self.fs
        if target is not None and t == target and _mentions(arr + hash, t):
            b = fs.temp()
            fs.emit(f"{b} = _new(_LT); {b}.arr = {arr}; {b}.hash = {hash}; {b}.meta = {b}.aux = None; "
                    f"{t} = {b}", line)
        else:
            fs.emit(f"{t} = _new(_LT); {t}.arr = {arr}; {t}.hash = {hash}; {t}.meta = {t}.aux = None", line)

    def keyed_fields(self, t: str, keyed: list[tuple[Atom, Atom]], line: int) -> None:
        """A constructor's `k = v` fields, one by one (a nil value stores nothing)."""
        fs = self.fs
        for k, v in keyed:
            if k.const and k.text.startswith("b"):
                if v.const and v.text != "None":
                    fs.emit(f"{t}.hash[{k.text}] = {v.text}", line)
                else:
                    fs.emit(f"if {v.text} is not None: {t}.hash[{k.text}] = {v.text}", line)
            else:
                fs.emit(f"_tableset({t}, {k.text}, {v.text})", line)

    def ex_UnOp(self, e: A.UnOp, target: str | None) -> Atom:
        fs = self.fs
        if e.op == "-" and isinstance(e.operand, A.Number):
            v = e.operand.value
            if isinstance(v, int):
                return Atom(_num_literal(-v if v != -(2**63) else v), const=True)
            return Atom(_num_literal(-v), const=True)
        a = self.expr(e.operand)
        if e.op == "not":
            if a.const:
                return Atom("True" if a.text in ("None", "False") else "False", is_bool=True, const=True)
            if a.is_bool:
                return Atom(f"(not {a.text})", is_bool=True)
            return Atom(f"({a.text} is None or {a.text} is False)", is_bool=True)
        t = target or fs.temp()
        resume = f"{t} = _first1(_rv)"
        if e.op == "-":
            line, helper, ty = fastpath.unm(t, a.operand, a.ty)
            fs.emit(line, e.line, "arith", (a.desc,), resume=resume if helper else None)
            return Atom(t, ty=ty)
        if e.op == "#":
            fs.emit(fastpath.length(t, a.operand, a.ty), e.line, "len", (a.desc,), resume=resume)
            return Atom(t)
        fs.emit(f"{t} = _bnot({a.text})", e.line, "arith", (a.desc,), resume=resume)
        return Atom(t)

    def ex_BinOp(self, e: A.BinOp, target: str | None) -> Atom:
        fs = self.fs
        op = e.op
        if op in ("and", "or"):
            return self.logical(e)
        left = self.expr(e.left)
        if not _is_simple(e.right):
            left = self.stable(left)
        right = self.expr(e.right)
        if op in ("==", "~="):
            pure = _pure_eq(left, right)
            if pure is not None:
                return Atom(pure if op == "==" else f"(not {pure})", is_bool=True)
            t = target or fs.temp()
            fs.emit(fastpath.equal(t, left.operand, right.operand, op == "~="), e.line, "compare", (),
                    resume=f"{t} = {'not ' if op == '~=' else ''}_truth1(_rv)")
            return Atom(t, is_bool=True)
        if op in ("<", "<=", ">", ">="):
            fn = "_lt" if op in ("<", ">") else "_le"
            a, b = (left, right) if op in ("<", "<=") else (right, left)
            t = target or fs.temp()
            line, helper = fastpath.compare(fn, t, a.operand, a.ty, b.operand, b.ty)
            if not helper and target is None and not a.volatile and not b.volatile:
                return Atom(f"({line.split(' = ', 1)[1]})", is_bool=True)  # numbers: used in place
            fs.emit(line, e.line, "compare", (), resume=f"{t} = _truth1(_rv)" if helper else None)
            return Atom(t, is_bool=True)
        t = target or fs.temp()
        if op == "..":
            if left.const and right.const:
                # two constants: Python would fold `b'a' + b'b'` into a constant shared
                # with equal ones; Lua builds a new string each time
                text = f"{t} = _concat({left.operand}, {right.operand})"
            else:
                text = fastpath.concat(t, left.operand, right.operand, self.counting, left.ty, right.ty)
            fs.emit(text, e.line, "concat", (left.desc, right.desc), resume=f"{t} = _first1(_rv)")
            return Atom(t)
        if t in (left.text, right.text) and left.ty != right.ty:
            t = fs.temp()  # a walrus line reads its operands after the first test
        lines, helper, ty = fastpath.arith(op, t, left.operand, left.ty, right.operand, right.ty, fs.floaty)
        for i, ln in enumerate(lines):
            last = i == len(lines) - 1
            fs.emit(ln, e.line, "arith", (left.desc, right.desc),
                    resume=f"{t} = _first1(_rv)" if helper and last else None)
        if target is not None and t != target:
            fs.emit(f"{target} = {t}", e.line)
            t = target
        return Atom(t, ty=ty)

    def logical(self, e: A.BinOp) -> Atom:
        fs = self.fs
        t = fs.temp()
        left = self.expr(e.left, target=t)  # (an operand computed into t directly: no copy)
        if left.text != t:
            fs.emit(f"{t} = {left.text}", e.line)
        test = t if left.is_bool else f"({t} is not None and {t} is not False)"
        if e.op == "or":
            test = f"not {test}"
        node = If(test, [], [], OpInfo(e.line))
        fs.out.append(node)
        with fs.nested(node.body):
            right = self.expr(e.right, target=t)
            if right.text != t:
                fs.emit(f"{t} = {right.text}", e.line)
        return Atom(t, is_bool=left.is_bool and right.is_bool)



def _is_int_literal(a: Atom) -> bool:
    if not a.const:
        return False
    try:
        return isinstance(eval(a.text), int) and a.text not in ("True", "False")
    except Exception:
        return False


def _is_simple(e: A.Expr) -> bool:
    """Evaluating e runs no Lua code (so earlier operands cannot change meanwhile)."""
    return isinstance(e, (A.Nil, A.TrueE, A.FalseE, A.Number, A.String, A.Vararg)) or (
        isinstance(e, A.UnOp) and e.op == "not" and _is_simple(e.operand)
    )


def _pure_eq(a: Atom, b: Atom) -> str | None:
    """Equality that cannot involve __eq: one side is a constant nil/boolean/string/number."""
    if b.const and not a.const:
        a, b = b, a
    if not a.const:
        if b.ty in ("int", "float") and a.ty not in ("int", "float"):
            a, b = b, a
        if a.ty in ("int", "float") and b.ty not in ("int", "float"):
            # a number known statically equals only a number (never a boolean: 1 == True
            # in Python; no __eq for a number): one class test instead of the two of
            # `fastpath.equal`, and a plain expression where it is used
            x = b.operand
            return f"({a.operand} == {x} if {x}.__class__ is _int or {x}.__class__ is _float else False)"
        if a.ty in ("int", "float") and b.ty in ("int", "float"):
            return f"({a.operand} == {b.operand})"
        return None
    if b.const:
        return repr(_const_eq(_const_value(a.text), _const_value(b.text)))
    c = a.text
    if c == "None":
        return f"({b.text} is None)"
    if c in ("True", "False"):
        return f"({b.text} is {c})"
    if c.startswith("b") or b.ty in ("int", "float"):
        return f"({b.text} == {c})"  # (a number known statically is no boolean: 1 == True)
    if b.ty == "table":
        return "False"
    return f"({b.text} == {c} and {b.operand}.__class__ is not _bool)"


def _const_eq(x: object, y: object) -> bool:
    """Lua's `==` of two constants (nil, booleans, numbers, strings: no metamethod
    applies): numbers compare by value across int and float, and no number equals
    a boolean (Python's `1 == True` does not hold in Lua)."""
    if x is None or y is None or type(x) is bool or type(y) is bool:
        return x is y
    if type(x) in (int, float) and type(y) in (int, float):
        return x == y
    return type(x) is type(y) and x == y


def _const_value(text: str) -> object:
    import math

    return eval(text, {"_INF": math.inf, "_NAN": math.nan})


def _num_literal(v: int | float) -> str:
    if isinstance(v, int):
        return repr(v)
    if v != v:
        return "_NAN"
    if v in (float("inf"), float("-inf")):
        return "_INF" if v > 0 else "(-_INF)"
    r = repr(v)
    return r if r.startswith("-") is False else f"({r})"


def _start_line(e: A.Expr) -> int:
    """The line of an expression's first token."""
    while isinstance(e, (A.BinOp, A.Index, A.Call, A.MethodCall)):
        e = e.left if isinstance(e, A.BinOp) else e.func if isinstance(e, A.Call) else e.obj
    return e.line


def yielded(argt: list[str], star: bool) -> str:
    """What a generator form yields for `coroutine.yield(args)`: one value as
    itself, else a Ret (the driver tells them apart without a tuple per yield)."""
    if not argt:
        return "_NORET"
    if star:
        if len(argt) == 1:  # yield(f()): the values of a call, as a tuple
            t = argt[0][1:]
            return f"({t}[0] if _plen({t}) == 1 else {t})"
        return f"_yvals(({', '.join(argt)},))"  # may be one value
    if len(argt) == 1:
        return f"({argt[0]})"
    return f"({', '.join(argt)},)"


def _mentions(text: str, name: str) -> bool:
    """Whether generated text uses the Python name `name` (not as part of a longer name)."""
    return re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", text) is not None
