"""Blocks and simple statements for the program generator (`gen_diff.py`):
`block`/`stmt` (which picks a statement kind and calls `s_<kind>`, the nesting
ones living in `gen_diff_control.py` and `gen_diff_meta.py`), declarations and
assignments, prints, tables and maps, and string-library statements."""

from __future__ import annotations

from hypothesis import strategies as st

from .gen_diff_errors import FailingGen
from .gen_diff_lua import lua_str
from .gen_diff_scope import Var


class StmtGen(FailingGen):
    """Blocks, the statement dispatch and the statements that do not nest."""

    def block_stmts(self, depth: int, lo: int = 1, hi: int | None = None) -> list[list[str]]:
        hi = hi if hi is not None else (self.max_stmts if depth == 0 else 3)
        return [self.stmt(depth) for _ in range(self.d(st.integers(lo, hi)))]

    def block(self, depth: int, lo: int = 1, hi: int | None = None) -> list[str]:
        return [line for s in self.block_stmts(depth, lo, hi) for line in s]

    def inner(self, depth: int, lo: int = 1) -> list[str]:
        self.push()
        try:
            return ["  " + x for x in self.block(depth + 1, lo)]
        finally:
            self.pop()

    # `stmt` draws an index into these lists: their order is part of every generated program.
    # Kinds are `s_<kind>` methods of this class or of the subclasses that nest blocks.
    STMTS_LEAF = ["local", "local", "assign", "print", "print", "table", "map", "call_fn"]

    STMTS_NEST = ["if", "for_num", "for_range", "while", "repeat", "for_ipairs", "for_spairs",
                  "for_gmatch", "func", "closure", "closures_loop", "varargs", "pcall", "meta",
                  "proxy", "coroutine", "coroutine_gen", "goto", "do", "recursion", "patterns",
                  "close", "multi_assign", "global", "float_keys", "sort", "string_lib", "xpcall",
                  "error_values", "co_pcall", "integer_loops", "newindex", "lt_only", "speculated"]

    def stmt(self, depth: int) -> list[str]:
        kinds = list(self.STMTS_LEAF)
        if depth < self.max_depth:
            kinds += self.STMTS_NEST
        if self.errors and self.chance(0.08):
            return self.s_error_pcall(depth)
        k = self.pick(kinds)
        return getattr(self, "s_" + k)(depth)

    # ------------------------------------------------------------ variables and output

    def s_local(self, depth: int) -> list[str]:
        ty = self.pick(["int", "int", "float", "str", "str", "bool"])
        name = self.fresh(ty[0])
        const = self.chance(0.1)
        e = self.expr(ty)
        if ty == "str":
            e = f"({e}):sub(1, 40)"
        self.declare(name, ty, const)
        return [f"local {name}{' <const>' if const else ''} = {e}"]

    def s_global(self, depth: int) -> list[str]:
        ty = self.pick(["int", "float", "str", "bool"])
        name = self.fresh("G" + ty[0])
        e = self.expr(ty)
        if depth == 0 and self.in_loop == 0 and self.in_func == 0:
            self.scopes[0].append(Var(name, ty))
        return [f"{name} = {e}"]

    def s_assign(self, depth: int) -> list[str]:
        ty = self.pick(["int", "float", "str", "bool"])
        vs = self.vars(ty, assignable=True)
        if not vs:
            return self.s_local(depth)
        v = self.pick(vs)
        e = self.expr(ty)
        if ty == "str":
            e = f"({e}):sub(1, 40)"
        return [f"{v.name} = {e}"]

    def s_multi_assign(self, depth: int) -> list[str]:
        ty = self.pick(["int", "str", "float"])
        vs = self.vars(ty, assignable=True)
        if len(vs) >= 2:
            a, b = self.pick(vs), self.pick(vs)
            return [f"{a.name}, {b.name} = {b.name}, {a.name}", f"print({a.name}, {b.name})"]
        x, y = self.fresh("m"), self.fresh("m")
        ex = self.expr("int")
        self.declare(x, "int")
        lines = [f"local {x}, {y} = {ex}", f"print({x}, {y})"]
        return lines

    def s_print(self, depth: int) -> list[str]:
        n = self.d(st.integers(1, 3))
        return [f"print({', '.join(self.any_expr(0) for _ in range(n))})"]

    def s_call_fn(self, depth: int) -> list[str]:
        fns = self.vars("fn")
        if fns:
            fv = self.pick(fns)
            self.yields += fv.may_yield
            return [f"print({fv.name}({self.expr('int')}))"]
        return self.s_print(depth)

    # ------------------------------------------------------------ tables

    def s_table(self, depth: int) -> list[str]:
        seqs = self.vars("seq") + self.vars("sseq")
        if not seqs or self.chance(0.3):
            ty = self.pick(["seq", "sseq"])
            name = self.fresh("t")
            et = "int" if ty == "seq" else "str"
            items = ", ".join(self.expr(et, 1) for _ in range(self.d(st.integers(0, 4))))
            self.declare(name, ty)
            return [f"local {name} = {{{items}}}", f"print(#{name}, table.concat({name}, ','))"]
        v = self.pick(seqs)
        et = "int" if v.ty == "seq" else "str"
        t = v.name
        k = self.d(st.integers(0, 7))
        if k == 0:
            return [f"{t}[#{t} + 1] = {self.expr(et, 1)}"]
        if k == 1:
            return [f"table.insert({t}, {self.expr(et, 1)})"]
        if k == 2:
            return [f"table.insert({t}, 1, {self.expr(et, 1)})", f"print(#{t}, {t}[1])"]
        if k == 3:
            return [f"print(table.remove({t}), #{t})"]
        if k == 4:
            return [f"print(table.remove({t}, 1), #{t})"]
        if k == 5:
            return [f"print(table.unpack({t}))"]
        if k == 6:
            return [f"print(select('#', table.unpack({t}, 2)), table.concat({t}, '+', 1, #{t}))"]
        return [f"if #{t} > 0 then {t}[#{t}] = nil end", f"print(#{t})"]

    def s_map(self, depth: int) -> list[str]:
        maps = self.vars("map")
        if not maps or self.chance(0.3):
            name = self.fresh("h")
            fields = ", ".join(f"{k} = {self.expr('int', 1)}" for k in
                               self.d(st.lists(st.sampled_from(["a", "b", "c", "key"]), max_size=3, unique=True)))
            self.declare(name, "map")
            return [f"local {name} = {{{fields}}}", f"print(dump({name}))"]
        h = self.pick(maps).name
        k = self.d(st.integers(0, 4))
        key = self.pick(["a", "b", "c", "key"])
        if k == 0:
            return [f"{h}.{key} = {self.expr('int', 1)}"]
        if k == 1:
            return [f"{h}[{lua_str(key)}] = nil", f"print(dump({h}))"]
        if k == 2:
            return [f"{h}.{key} = ({h}.{key} or 0) + 1", f"print({h}.{key})"]
        if k == 3:
            c = self.fresh("n")
            return [f"local {c} = 0", f"for _ in pairs({h}) do {c} = {c} + 1 end", f"print({c})"]
        return [f"print(dump({h}), rawlen({h}), next({{}}))"]

    def s_float_keys(self, depth: int) -> list[str]:
        t = self.fresh("fk")
        return [f"local {t} = {{}}", f"{t}[1.0] = 'one'", f"{t}[2^53] = 'big'", f"{t}[-0.0] = 'zero'",
                f"{t}[{self.expr('int', 1)}] = 'i'", f"local k{t} = {self.expr('float', 1)} + 0.5",
                f"if k{t} == k{t} then {t}[k{t}] = 'f' end",
                f"print({t}[1], {t}[0], {t}[math.tointeger(2^53)], #{t} >= 0, dump({t}))"]

    def s_speculated(self, depth: int) -> list[str]:
        # a local and an upvalue the compiler speculates on (an integer guess with a way
        # back), of a type known only at run time; the functions' results used where
        # a caller would type them (concatenation, arithmetic, math.type)
        f = self.fresh("sp")
        vals = [self.pick(["1", "2", "1.5", "-0.5", "'3'", "2^53", "7 // 2", "7 / 2"]) for _ in range(3)]
        at = self.draw(st.integers(1, 3))
        k = self.pick(["3", "0.5", "'4'", "-2"])
        return [f"local {f}t = {{{', '.join(vals)}}}", f"local {f}u = {f}t[{at}]",
                f"local function {f}(i) local v = {f}t[i] return v + 1 end",
                f"local function {f}2(x) return x * {f}u + {k} end",
                f"print({f}({at}) .. '|', {f}({at}) * 2, math.type({f}({at})), {f}2(2) .. '', {f}2(1.5) // 1)"]

    def s_sort(self, depth: int) -> list[str]:
        t = self.fresh("st")
        ty = self.pick(["int", "str", "float"])
        items = ", ".join(self.expr(ty, 2) for _ in range(self.d(st.integers(0, 6))))
        cmp = self.pick(["", ", function(a, b) return a > b end"])
        if ty == "float":
            items = items.replace("(0/0)", "1.0")
            return [f"local {t} = {{{items}}}", f"for i = #{t}, 1, -1 do if {t}[i] ~= {t}[i] then table.remove({t}, i) elseif {t}[i] == 0 then {t}[i] = 0.0 end end",
                    f"table.sort({t}{cmp})", f"print(#{t}, table.concat({t}, ' '))"]
        return [f"local {t} = {{{items}}}", f"table.sort({t}{cmp})", f"print(#{t}, table.concat({t}, ' '))"]

    # ------------------------------------------------------------ string library

    def s_patterns(self, depth: int) -> list[str]:
        subj = self.expr("str", 1)
        pat = self.pattern()
        k = self.d(st.integers(0, 4))
        if k == 0:
            init = f", {self.expr('int', 2)}" if self.chance(0.4) else ""
            plain = ", true" if init and self.chance(0.3) else ""
            return [f"print(string.find({subj}, {pat}{init}{plain}))"]
        if k == 1:
            init = f", {self.expr('int', 2)}" if self.chance(0.3) else ""
            return [f"print(string.match({subj}, {pat}{init}))"]
        if k == 2:
            n = f", {self.small()}" if self.chance(0.3) else ""
            return [f"print(string.gsub({subj}, {pat}, {self.repl()}{n}))"]
        if k == 3:
            return [f"print(string.find({subj}, {self.expr('str', 2)}, 1, true))"]
        return [f"print(({subj}):find({pat}, -{self.d(st.integers(1, 5))}))"]

    def s_string_lib(self, depth: int) -> list[str]:
        s = self.expr("str", 1)
        k = self.d(st.integers(0, 6))
        if k == 0:
            return [f"print(string.byte({s}, {self.expr('int', 2)}, {self.expr('int', 2)}))"]
        if k == 1:
            return [f"print({self.format_expr(1)})"]
        if k == 2:
            return [f"print(#{s}, utf8.len({s}), utf8.len('h\\xe9llo'), utf8.codepoint('\\u{{48}}\\u{{20AC}}', 1, -1))"]
        if k == 3:
            return [f"print(tonumber({s}), tonumber('  0x10  '), tonumber('1e1'), tonumber('0x1p4'), tonumber(''), tonumber('10', 16))"]
        if k == 4:
            return [f"print(string.rep({s}, 2, '|'), ({s}):len(), {s} < {self.expr('str', 2)})"]
        if k == 5:
            return [f"for p, c in utf8.codes({lua_str(self.pick(['héllo', 'a€b', '', 'abc']))}) do print(p, c) end"]
        return [f"print(string.format('%q', {s}))"]
