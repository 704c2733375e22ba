"""Control flow for the program generator (`gen_diff.py`): `if`, every kind of loop
(numeric with integer-edge and float bounds, generic, `while`, `repeat`, with
`break` and `goto continue`), `goto`, `do` blocks, functions, closures, varargs,
recursion, and valid `pcall`/`xpcall`/`error` use. Every loop is bounded."""

from __future__ import annotations

from hypothesis import strategies as st

from .gen_diff_stmts import StmtGen


class ControlGen(StmtGen):
    """Statements with nested blocks or function bodies."""

    def s_if(self, depth: int) -> list[str]:
        lines = [f"if {self.expr('bool')} then", *self.inner(depth)]
        for _ in range(self.d(st.integers(0, 2))):
            lines += [f"elseif {self.expr('bool')} then", *self.inner(depth)]
        if self.chance(0.5):
            lines += ["else", *self.inner(depth)]
        return lines + ["end"]

    def s_do(self, depth: int) -> list[str]:
        return ["do", *self.inner(depth), "end"]

    def s_goto(self, depth: int) -> list[str]:
        g = self.fresh("g")
        return [f"local {g} = 0", f"::top{g}::", f"{g} = {g} + 1",
                f"if {g} < {self.d(st.integers(1, 4))} then goto top{g} end", f"print('{g}', {g})",
                "do", f"  goto skip{g}", "  print('unreachable')", f"  ::skip{g}::", "end"]

    # ------------------------------------------------------------ loops

    def loop_body(self, depth: int, var: str | None = None, ty: str = "int",
                  allow_continue: bool = True) -> list[str]:
        self.push()
        self.in_loop += 1
        try:
            if var:
                self.declare(var, ty, const=True)
            # conditions first: they must not use locals the body declares
            brk = f"if {self.expr('bool')} then break end" if self.chance(0.25) else None
            cont = (f"if {self.expr('bool')} then goto continue end"
                    if allow_continue and self.chance(0.2) else None)
            stmts = self.block_stmts(depth + 1)
            if brk:
                stmts.insert(self.d(st.integers(0, len(stmts))), [brk])
            if cont:
                stmts.insert(self.d(st.integers(0, len(stmts))), [cont])
                stmts.append(["::continue::"])
            return ["  " + x for s in stmts for x in s]
        finally:
            self.in_loop -= 1
            self.pop()

    def s_for_num(self, depth: int) -> list[str]:
        i = self.fresh("i")
        form = self.d(st.integers(0, 4))
        if form == 0:
            lo = self.fresh("lo")
            return [f"local {lo} = {self.expr('int')}",
                    f"for {i} = {lo}, {lo} + {self.d(st.integers(0, 3))} do", f"  print('{i}', {i})",
                    *self.loop_body(depth, i), "end"]
        if form == 1:
            a, b, s = self.pick([("1", "3", "1"), ("3", "1", "-1"), ("1", "0", "1"), ("10", "1", "-4"),
                                 ("-2", "2", "2"), ("1", "2.5", "1"), ("3", "1.5", "-1"), ("0", "1", "3")])
            return [f"for {i} = {a}, {b}, {s} do", f"  print('{i}', {i})", *self.loop_body(depth, i), "end"]
        if form == 2:
            a, b, s = self.pick([("0", "1", "0.25"), ("1.0", "3", "1"), ("1", "0", "-0.5"), ("0.1", "0.35", "0.1"),
                                 ("1e15", "1e15 + 2", "1"), ("-1", "1", "0.75")])
            return [f"for {i} = {a}, {b}, {s} do", f"  print('{i}', {i})", *self.loop_body(depth, i, "float"),
                    "end"]
        if form == 3:
            return self.s_integer_loops(depth)
        n = self.fresh("n")
        return [f"local {n} = 0", f"for {i} = 1, {self.d(st.integers(0, 4))} do", f"  {n} = {n} + {i}",
                *self.loop_body(depth, i), "end", f"print('{n}', {n})"]

    def s_integer_loops(self, depth: int) -> list[str]:
        i = self.fresh("i")
        a, b, s = self.pick([("math.maxinteger - 2", "math.maxinteger", "1"),
                             ("math.mininteger", "math.mininteger + 2", "1"),
                             ("math.mininteger + 2", "math.mininteger", "-1"),
                             ("math.maxinteger", "math.maxinteger - 1", "-1"),
                             ("1", "math.huge", "1 << 62"), ("-1", "-math.huge", "-(1 << 62)"),
                             ("0", "math.maxinteger", "math.maxinteger // 2"),
                             ("math.maxinteger - 1", "2^63", "1"), ("1", "3", "math.maxinteger"),
                             ("3", "1", "math.mininteger")])
        return [f"for {i} = {a}, {b}, {s} do", f"  print('{i}', {i}, math.type({i}))", "end"]

    def s_for_range(self, depth: int) -> list[str]:
        r, i = self.fresh("range"), self.fresh("x")
        n = self.d(st.integers(0, 3))
        return [f"local function {r}(n)", "  local i = 0", "  return function()", "    i = i + 1",
                "    if i <= n then return i, i * i end", "  end", "end",
                f"for {i}, sq in {r}({n}) do", f"  print({i}, sq)", *self.loop_body(depth, i), "end"]

    def s_while(self, depth: int) -> list[str]:
        c = self.fresh("w")
        return [f"local {c} = 0", f"while {c} < {self.d(st.integers(0, 4))} do", f"  {c} = {c} + 1",
                *self.loop_body(depth), "end", f"print('{c}', {c})"]

    def s_repeat(self, depth: int) -> list[str]:
        c = self.fresh("r")
        self.push()
        self.in_loop += 1
        try:
            body = ["  " + x for x in self.block(depth + 1)]
            lv = self.fresh("u")
            body.append(f"  local {lv} = {c} * 2")
            cond = f"{c} >= {self.d(st.integers(1, 4))} or {lv} > 100"
        finally:
            self.in_loop -= 1
            self.pop()
        return [f"local {c} = 0", "repeat", f"  {c} = {c} + 1", *body, f"until {cond}", f"print('{c}', {c})"]

    def s_for_ipairs(self, depth: int) -> list[str]:
        seqs = self.vars("seq") + self.vars("sseq")
        i = self.fresh("k")
        if seqs and self.chance(0.7):
            t = self.pick(seqs).name
        else:
            t = "{" + ", ".join(self.expr("int", 1) for _ in range(self.d(st.integers(0, 3)))) + "}"
        # the body may append to the table it walks: a bound keeps the loop finite
        return [f"for {i}, v in ipairs({t}) do", f"  if {i} > 12 then break end", f"  print({i}, v)",
                *self.loop_body(depth, i), "end"]

    def s_for_spairs(self, depth: int) -> list[str]:
        maps = self.vars("map")
        k = self.fresh("k")
        t = self.pick(maps).name if maps and self.chance(0.7) else "{x = 1, y = 2, [3] = 'c', [1.5] = 'f', [true] = 0}"
        return [f"for {k}, v in spairs({t}) do", f"  print({k}, v)", *self.loop_body(depth), "end"]

    def s_for_gmatch(self, depth: int) -> list[str]:
        w = self.fresh("w")
        subj = self.expr("str", 1)
        pat = self.pattern()
        init = f", {self.expr('int', 2)}" if self.chance(0.2) else ""
        c = self.fresh("c")
        return [f"local {c} = 0", f"for {w}, {w}b in string.gmatch({subj}, {pat}{init}) do", f"  {c} = {c} + 1",
                f"  if {c} > 30 then break end", f"  print('{w}', {w}, {w}b)", "end"]

    # ------------------------------------------------------------ functions

    def func_body(self, depth: int, params: list[tuple[str, str]], yieldable: bool) -> tuple[list[str], bool]:
        saved = (self.yieldable, self.in_loop, self.budget)
        self.yieldable = yieldable and self.yieldable
        self.in_loop = 0
        self.in_func += 1
        self.push()
        before = self.yields
        try:
            for p, ty in params:
                self.declare(p, ty)
            body = ["  " + x for x in self.block(depth + 1)]
        finally:
            self.pop()
            self.in_func -= 1
            self.yieldable, self.in_loop = saved[0], saved[1]
        return body, self.yields > before

    def s_func(self, depth: int) -> list[str]:
        f = self.fresh("f")
        p = self.fresh("p")
        before = self.yields
        body, _ = self.func_body(depth, [(p, "int")], True)
        ret = self.expr_in_scope("int", [(p, "int")])
        lines = [f"local function {f}({p})", *body, f"  return {ret}", "end"]
        self.declare(f, "fn", may_yield=self.yields > before)
        return lines + [f"print({f}({self.expr('int')}))"]

    def expr_in_scope(self, ty: str, params: list[tuple[str, str]]) -> str:
        self.push()
        try:
            for p, t in params:
                self.declare(p, t)
            return self.expr(ty)
        finally:
            self.pop()

    def s_recursion(self, depth: int) -> list[str]:
        f = self.fresh("rec")
        form = self.d(st.integers(0, 2))
        if form == 0:
            lines = [f"local function {f}(n)", "  if n <= 1 then return n end",
                     f"  return {f}(n - 1) + {f}(n - 2)", "end"]
        elif form == 1:
            lines = [f"local function {f}(n, acc)", "  if n <= 0 then return acc end",
                     f"  return {f}(n - 1, acc * n)", "end"]
        else:
            lines = [f"local {f}", f"{f} = function(n) if n > 0 then return 1 + {f}(n - 1) end return 0 end"]
        arg = f"{self.expr('int')} % 15"
        return lines + [f"print({f}({arg}, 1))"]

    def s_closure(self, depth: int) -> list[str]:
        mk, c1, c2 = self.fresh("mk"), self.fresh("cnt"), self.fresh("cnt")
        step = self.expr("int", 1)
        lines = [f"local function {mk}(start)", "  local n = start",
                 "  return function(d) n = n + d return n end, function() return n end", "end",
                 f"local {c1}, get{c1} = {mk}({self.expr('int', 1)})", f"local {c2} = {mk}(0)",
                 f"print({c1}({step}), {c1}(1), get{c1}(), {c2}(5), get{c1}())"]
        self.declare(c2, "fn")
        return lines

    def s_closures_loop(self, depth: int) -> list[str]:
        fs = self.fresh("fs")
        k = self.expr("int", 1)
        return [f"local {fs} = {{}}", "for i = 1, 3 do",
                "  local j = i * 2", f"  {fs}[i] = function(x) j = j + 1 return i * {k} + j + x end", "end",
                f"print({fs}[1](0), {fs}[2](1), {fs}[3](2), {fs}[1](0))",
                f"local w{fs} = 0",
                f"while w{fs} < 2 do w{fs} = w{fs} + 1 local c = w{fs} {fs}[w{fs}] = function() return c end end",
                f"print({fs}[1](), {fs}[2]())"]

    def s_varargs(self, depth: int) -> list[str]:
        va = self.fresh("va")
        saved = self.in_vararg
        self.in_vararg = True
        try:
            body, uses_fetch = self.func_body(depth, [], True)
        finally:
            self.in_vararg = saved
        args = ", ".join(self.pick([self.any_expr(1), "nil"]) for _ in range(self.d(st.integers(0, 4))))
        form = self.pick(["  return select('#', ...), ...",
                          "  local t = table.pack(...) return t.n, #{...} >= 0, (select(-1, 0, ...))",
                          "  local a, b = ... return b, a",
                          "  return ... , 'last'",
                          "  return (...)"])
        return [f"local function {va}(...)", *body, form, "end", f"print({va}({args}))",
                f"print(S({va}({args})))"]

    # ------------------------------------------------------------ protected calls

    def s_pcall(self, depth: int) -> list[str]:
        ok, err = self.fresh("ok"), self.fresh("e")
        saved = self.in_loop
        self.in_loop = 0
        self.in_func += 1
        try:
            body = self.inner(depth)
        finally:
            self.in_loop = saved
            self.in_func -= 1
        k = self.d(st.integers(0, 5))
        tail = [f"  error({self.expr('str', 1)})", f"  error({self.expr('str', 1)}, 0)",
                f"  error({self.expr('str', 1)}, 2)", "  error({code = 42})", "  error()",
                f"  return {self.any_expr()}, {self.any_expr()}"][k]
        return [f"local {ok}, {err} = pcall(function()", *body, tail, "end)",
                f"print({ok}, type({err}) == 'table' and {err}.code or {err})"]

    def s_xpcall(self, depth: int) -> list[str]:
        r = self.fresh("r")
        v = self.expr("str", 1)
        return [f"local {r} = table.pack(xpcall(function(a, b)", f"  if a > b then error({v}) end",
                "  return a + b", "end, function(m) return 'H:' .. tostring(m) end, "
                f"{self.expr('int', 1)}, {self.expr('int', 1)}))", f"print({r}.n, {r}[1], {r}[2])"]

    def s_error_values(self, depth: int) -> list[str]:
        v = self.pick(["'msg'", "42", "4.5", "nil", "true", "{code = 7}", "setmetatable({}, {__tostring = function() return 'TS' end})"])
        lvl = self.pick(["", ", 0", ", 1", ", 2", ", 3"])
        f = self.fresh("ev")
        return [f"local function {f}() error({v}{lvl}) end", f"print(S(pcall({f})))",
                f"print(S(pcall(error, {v}{lvl})))",
                "print(select('#', pcall(error)))"]
