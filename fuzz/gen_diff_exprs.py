"""Typed expressions for the program generator (`gen_diff.py`): `expr(ty)` gives a
valid expression of type int, float, str or bool over literals, variables in
scope, operators and library calls; plus the pieces some of them need (Lua
patterns, gsub replacements, `string.format` calls). Never raises at run time."""

from __future__ import annotations

from hypothesis import strategies as st

from .gen_diff_lua import (
    FLOAT_LITS,
    FMT_FLOAT,
    FMT_INT,
    FMT_STR,
    INT_LITS,
    PAT_BAD,
    PAT_ITEMS,
    PAT_SUBJECTS,
    STR_ALPHA,
    lua_str,
)
from .gen_diff_scope import NUMERIC, SCALARS, GenState


class ExprGen(GenState):
    """Expressions by type; `expr` dispatches to `e_<type>`."""

    def expr(self, ty: str, depth: int = 0) -> str:
        self.budget -= 1
        leaf = depth >= 3 or self.budget <= 0
        return getattr(self, "e_" + ty)(depth, leaf)

    def e_int(self, depth: int, leaf: bool) -> str:
        vs = self.vars("int")
        if leaf or self.chance(0.3):
            if vs and self.chance(0.6):
                return self.pick(vs).name
            return self.pick(INT_LITS)
        k = self.d(st.integers(0, 20))
        a = lambda: self.expr("int", depth + 1)  # noqa: E731
        if k <= 4:
            return f"({a()} {self.pick(['+', '-', '*'])} {a()})"
        if k == 5:
            return f"({a()} {self.pick(['//', '%'])} nz({a()}))"
        if k == 6:
            return f"({a()} {self.pick(['&', '|', '~', '<<', '>>'])} {a()})"
        if k == 7:
            return f"{self.pick(['-', '~'])}({a()})"
        if k == 8:
            return f"#{self.expr('str', depth + 1)}"
        if k == 9:
            seqs = self.vars("seq") + self.vars("sseq")
            if seqs:
                return f"#{self.pick(seqs).name}"
            return f"select('#', {a()}, nil, {a()})"
        if k == 10:
            f = self.pick(["math.abs", "math.max", "math.min"])
            if f == "math.abs":
                return f"math.abs({a()})"
            return f"{f}({a()}, {a()})"
        if k == 11:
            return f"(math.tointeger({self.expr('float', depth + 1)}) or -1)"
        if k == 12:
            return f"({self.expr('str', depth + 1)}):len()"
        if k == 13:
            return f"(({self.expr('str', depth + 1)}):byte({a()}) or -1)"
        if k == 14:
            seqs = self.vars("seq")
            if seqs:
                return f"({self.pick(seqs).name}[{a()}] or 0)"
            return f"({{{a()}, {a()}}})[{self.d(st.integers(1, 2))}]"
        if k == 15:
            objs = self.vars("obj")
            if objs:
                o = self.pick(objs).name
                return self.pick([f"{o}.v", f"{o}:get()", f"#{o}", f"{o}({a()})"])
            return f"({a()} + {a()})"
        if k == 16:
            fns = self.vars("fn")
            if fns:
                fv = self.pick(fns)
                self.yields += fv.may_yield
                return f"{fv.name}({a()})"
            return f"(({self.expr('bool', depth + 1)}) and {a()} or {a()})"
        if k == 17:
            return self.pick(['("10" + 0)', '(" 0x1F " * 1)', '("-7" // 1)', '(" 12 " // 5)', '("3" * 2)',
                              "(math.ult(1, -1) and 1 or 0)", "(3 % -2)", "(-3 % 2)", "(-7 // 2)",
                              "(math.mininteger // -1)", "(math.mininteger % -1)", "(7 // -1)",
                              '(math.tointeger("8") or 0)', "(1 << 63)", "(1 << 64)", "(-1 >> 1)",
                              "(1 >> -2)", "(math.maxinteger * 2)", "(math.mininteger - 1)"])
        if k == 18:
            maps = self.vars("map")
            if maps:
                return f"({self.pick(maps).name}.{self.pick(['a', 'b', 'c', 'key'])} or 0)"
            return f"(({self.expr('bool', depth + 1)}) and {a()} or {a()})"
        if k == 19:
            return f"(select({self.d(st.integers(1, 3))}, {a()}, {a()}, {a()}))"
        return f"(({self.expr('bool', depth + 1)}) and {a()} or {a()})"

    def e_float(self, depth: int, leaf: bool) -> str:
        vs = self.vars("float")
        if leaf or self.chance(0.3):
            if vs and self.chance(0.5):
                return self.pick(vs).name
            return self.pick(FLOAT_LITS)
        k = self.d(st.integers(0, 12))
        f = lambda: self.expr("float", depth + 1)  # noqa: E731
        n = lambda: self.expr(self.pick(NUMERIC), depth + 1)  # noqa: E731
        if k <= 3:
            return f"({f()} {self.pick(['+', '-', '*', '//', '%'])} {n()})"
        if k == 4:
            return f"({n()} / {n()})"
        if k == 5:
            return f"(({n()}) ^ {self.pick(['2', '0.5', '-1', '3', '0', '1/3', '63', '-0.5'])})"
        if k == 6:
            fn = self.pick(["math.sqrt", "math.sin", "math.cos", "math.exp", "math.log", "math.atan",
                            "math.abs", "math.ceil", "math.floor"])
            if fn in ("math.abs", "math.ceil", "math.floor"):
                return f"({fn}({f()}) + 0.0)"
            if fn == "math.exp":
                return f"math.exp({self.pick(['0', '1', '-1', '0.5', '700', '710', '-750'])})"
            return f"{fn}({n()})"
        if k == 7:
            return f"math.fmod({f()}, {n()})"
        if k == 8:
            return f"-({f()})"
        if k == 9:
            return f"({self.expr('int', depth + 1)} + 0.0)"
        if k == 10:
            return self.pick(['("1.5" + 0)', '(" 1e2 " * 1)', '("0x1p-2" + 0)', '("-.5" + 0)',
                              "math.log(8, 2)", "math.log(100, 10)", "math.log(2, 0)",
                              "(math.maxinteger + 0.0)", "(math.mininteger * -1.0)",
                              "math.atan(1, -1)", "math.fmod(-6.0, 4)", "math.fmod(5.5, math.huge)",
                              "(0/0)", "-(0/0)", "(1/-0.0)", "(-5 // 0.0)", "(5 % math.huge)",
                              "(-5 % math.huge)", "(5.0 % -0.0)", "(math.ult(2, 3) and 1.5 or 2.5)"])
        if k == 11:
            return f"(({self.expr('bool', depth + 1)}) and {f()} or {f()})"
        return f"math.{self.pick(['max', 'min'])}({f()}, {f()})"

    def str_lit(self) -> str:
        k = self.d(st.integers(0, 9))
        if k <= 4:
            return lua_str(self.d(st.text(STR_ALPHA, max_size=8)))
        if k == 5:
            return self.pick(['"\\65\\066\\x43"', '"tab\\there"', '"nl\\nx"', '"\\0z"', '"\\u{20AC}"',
                              '"\\u{7FFFFFFF}"', "'single'", '"q\\"uote"', '"\\z\n   skip"',
                              '"\\xff\\xfe"', '"a\\\\b"', '"\\x00\\x01"', '"\\r\\v\\f\\a\\b"'])
        if k == 6:
            return self.pick(["[[long]]", "[==[a]]b]==]", "[[\nfirst newline skipped]]",
                              "[=[x\n y]=]", "[[]]"])
        if k == 7:
            return self.pick(['"10"', '"0x10"', '" 3.5 "', '"1e3"', '"-0"', '"inf"', '"nan"', '"0x"',
                              '"1e"', '"  "', '"9223372036854775808"', '"0x7fffffffffffffff"'])
        return lua_str(self.pick(PAT_SUBJECTS))

    def e_str(self, depth: int, leaf: bool) -> str:
        vs = self.vars("str")
        if leaf or self.chance(0.25):
            if vs and self.chance(0.6):
                return self.pick(vs).name
            return self.str_lit()
        k = self.d(st.integers(0, 22))
        s = lambda: self.expr("str", depth + 1)  # noqa: E731
        i = lambda: self.expr("int", depth + 1)  # noqa: E731
        if k <= 3:
            return f"({s()} .. {self.expr(self.pick(['str', 'str', 'int', 'float']), depth + 1)})"
        if k == 4:
            return f"tostring({self.expr(self.pick(['int', 'float', 'bool']), depth + 1)})"
        if k == 5:
            return self.format_expr(depth)
        if k == 6:
            return f"({s()}):sub({i()}, {i()})" if self.chance(0.7) else f"string.sub({s()}, {i()})"
        if k == 7:
            return f"({s()}):{self.pick(['upper', 'lower', 'reverse'])}()"
        if k == 8:
            return f"string.rep({s()}, {self.small()}{', ' + s() if self.chance(0.3) else ''})"
        if k == 9:
            return f"(({s()}):gsub({self.pattern()}, {self.repl()}{', ' + str(self.small()) if self.chance(0.3) else ''}))"
        if k == 10:
            return f"tostring(({s()}):match({self.pattern()}))"
        if k == 11:
            return f"string.char({', '.join(f'{i()} % 256' for _ in range(self.d(st.integers(0, 3))))})"
        if k == 12:
            seqs = self.vars("sseq") + self.vars("seq")
            if seqs:
                # clipped: appended back to its own table in a loop it would double each time
                return f"(table.concat({self.pick(seqs).name}, {lua_str(self.pick([',', '', ' - ']))})):sub(1, 60)"
            return f"table.concat({{{s()}, {i()}}}, '/')"
        if k == 13:
            return f"utf8.char({i()} % 1114112)"
        if k == 14:
            objs = self.vars("obj")
            if objs:
                o = self.pick(objs).name
                return self.pick([f"tostring({o})", f"({o} .. {s()})", f"({s()} .. {o})"])
            return "tostring(nil)"
        if k == 15:
            px = self.vars("proxy")
            if px:
                return f"{self.pick(px).name}.{self.pick(['foo', 'bar', 'x'])}"
            return f"type({self.expr(self.pick(SCALARS), depth + 1)})"
        if k == 16:
            if self.fetch and self.yieldable:
                self.yields += 1
                return f"fetch({self.expr(self.pick(['int', 'str']), depth + 1)})"
            return f"math.type({self.expr(self.pick(NUMERIC), depth + 1)})"
        if k == 17:
            return f"(({self.expr('bool', depth + 1)}) and {s()} or {s()})"
        if k == 18:
            return f"(tostring(tonumber({s()})))"
        if k == 19:
            return f"tostring(tonumber({lua_str(self.pick(['10', 'ff', 'z', '777', '-11', '1e1', '8']))}, {self.pick(['2', '8', '10', '16', '36'])}))"
        if k == 20:
            return f"string.format('%q', {self.expr(self.pick(['str', 'int', 'float']), depth + 1)})"
        if k == 21:
            maps = self.vars("smap")
            if maps:
                return f"({self.pick(maps).name}[{s()}] or '-')"
            return f"select(-1, {s()}, {s()})"
        if self.fetch and self.yieldable:
            self.yields += 1
            return f"fetch({s()})"
        return f"({s()} .. {i()})"

    def e_bool(self, depth: int, leaf: bool) -> str:
        vs = self.vars("bool")
        if leaf or self.chance(0.2):
            if vs and self.chance(0.5):
                return self.pick(vs).name
            return self.pick(["true", "false"])
        k = self.d(st.integers(0, 10))
        if k <= 3:
            ty = self.pick(["int", "float", "num", "str"])
            op = self.pick(["<", "<=", ">", ">=", "==", "~="])
            if ty == "num":
                return f"({self.expr('int', depth + 1)} {op} {self.expr('float', depth + 1)})"
            return f"({self.expr(ty, depth + 1)} {op} {self.expr(ty, depth + 1)})"
        if k == 4:
            return f"not {self.expr('bool', depth + 1)}"
        if k == 5:
            return f"({self.expr('bool', depth + 1)} {self.pick(['and', 'or'])} {self.expr('bool', depth + 1)})"
        if k == 6:
            a, b = self.pick(SCALARS), self.pick(SCALARS)
            return f"({self.expr(a, depth + 1)} == {self.expr(b, depth + 1)})"
        if k == 7:
            objs = self.vars("obj")
            if objs:
                return f"({self.pick(objs).name} {self.pick(['==', '<', '<=', '~=', '>'])} {self.pick(objs).name})"
            return f"(math.type({self.expr(self.pick(NUMERIC), depth + 1)}) == 'integer')"
        if k == 8:
            return f"(({self.expr('str', depth + 1)}):find({self.pattern()}) ~= nil)"
        if k == 9:
            return self.pick(["(math.maxinteger < 2^63)", "(math.maxinteger + 0.0 == 2^63)",
                              "(math.maxinteger == 2^63)", "(-0.0 == 0)", "(0/0 ~= 0/0)",
                              "(1 == 1.0)", "(math.mininteger <= -2^63)", "(2^53 + 1 == 2^53)",
                              "(9007199254740993 < 9007199254740992.0)", '("a" < "b")',
                              '("Z" < "a")', '("" < "a")', '("a\\0b" > "a")', "math.ult(-1, 1)",
                              "rawequal('a', 'a')", "(math.huge > math.maxinteger)",
                              "(-math.huge < math.mininteger)", "(1 < 0/0)", "(0/0 == 0/0)"])
        return f"math.ult({self.expr('int', depth + 1)}, {self.expr('int', depth + 1)})"

    def any_expr(self, depth: int = 1) -> str:
        return self.expr(self.pick(SCALARS), depth)

    # ------------------------------------------------------------ pieces

    def pattern(self, valid: bool = True) -> str:
        if not valid:
            return lua_str(self.pick(PAT_BAD))
        parts: list[str] = []
        ncap = 0
        if self.chance(0.2):
            parts.append("^")
        for _ in range(self.d(st.integers(1, 4))):
            k = self.d(st.integers(0, 9))
            item = self.pick(PAT_ITEMS)
            q = self.pick(["", "", "*", "+", "-", "?"])
            if k <= 5:
                parts.append(item + q)
            elif k == 6:
                parts.append(f"({item}{q})")
                ncap += 1
            elif k == 7:
                parts.append("()")
                ncap += 1
            elif k == 8 and ncap:
                parts.append(f"%{self.d(st.integers(1, ncap))}")
            else:
                parts.append(self.pick(["%b()", "%b[]", "%f[%w]", "%f[%W]", "%f[%a_]", "%bxy"]))
        if self.chance(0.15):
            parts.append("$")
        return lua_str("".join(parts))

    def repl(self) -> str:
        k = self.d(st.integers(0, 4))
        if k <= 1:
            pieces = [self.pick(["<", ">", "%0", "%1", "%%", "x", "-"]) for _ in range(self.d(st.integers(0, 3)))]
            return lua_str("".join(pieces))
        if k == 2:
            return "{a = 'A', b = 1.5, c = false, x = 7}"
        if k == 3:
            return self.pick(["string.upper", "function(c) return c .. c end",
                              "function(c) if c == 'a' then return nil end return '[' .. c .. ']' end",
                              "function(...) return select('#', ...) end", "function() return false end"])
        return self.pick(['""', '"%0%0"', '"%1-%0"'])

    def format_expr(self, depth: int) -> str:
        specs: list[str] = []
        args: list[str] = []
        for _ in range(self.d(st.integers(1, 3))):
            k = self.d(st.integers(0, 3))
            if k == 0:
                sp = self.pick(FMT_INT)
                specs.append(sp)
                args.append(self.expr("int", depth + 1) + (" % 256" if sp == "%c" else ""))
            elif k == 1:
                specs.append(self.pick(FMT_FLOAT))
                args.append(self.expr(self.pick(NUMERIC), depth + 1))
            elif k == 2:
                sp = self.pick(FMT_STR)
                specs.append(sp)
                args.append(self.expr(self.pick(["str", "str", "int", "float"]) if sp == "%q" else
                                      self.pick(SCALARS), depth + 1))
            else:
                specs.append(self.pick(["%%", " ", "x=", "[", "]"]))
        return f"string.format({lua_str(''.join(specs))}{''.join(', ' + a for a in args)})"
