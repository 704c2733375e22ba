"""Metatables and coroutines for the program generator (`gen_diff.py`): a `Vec`
class with arithmetic, comparison, `__concat`/`__len`/`__call`/`__tostring`
metamethods, `__index`/`__newindex` proxies, `__lt` without `__le`, `<close>`
variables, and coroutines (resume/yield/status/close, wrap, yield across pcall)."""

from __future__ import annotations

from hypothesis import strategies as st

from .gen_diff_control import ControlGen


class MetaGen(ControlGen):
    """Statements about metatables, `<close>` and coroutines."""

    def class_def(self) -> list[str]:
        if any(v.name == "Vec" for sc in self.scopes for v in sc):
            return []
        self.declare("Vec", "class")
        name = "__name = 'Vec', " if self.chance(0.5) else ""
        return [f"local Vec = {{{name}}}", "Vec.__index = Vec",
                "local function V(x) return setmetatable({v = x}, Vec) end",
                "Vec.__add = function(a, b) return V((type(a) == 'table' and a.v or a) + (type(b) == 'table' and b.v or b)) end",
                "Vec.__unm = function(a) return V(-a.v) end",
                "Vec.__eq = function(a, b) return a.v == b.v end",
                "Vec.__lt = function(a, b) return a.v < b.v end",
                "Vec.__le = function(a, b) return a.v <= b.v end",
                "Vec.__tostring = function(a) return 'V(' .. a.v .. ')' end",
                "Vec.__len = function(a) return a.v % 7 end",
                "Vec.__call = function(self, x) return self.v * 2 + x end",
                "Vec.__concat = function(a, b)",
                "  local function s(x) if type(x) == 'table' then return 'V' .. x.v end return tostring(x) end",
                "  return s(a) .. '&' .. s(b)", "end",
                "Vec.__idiv = function(a, b) return 'idiv' end",
                "function Vec:get() return self.v end",
                "function Vec.twice(self) return V(self.v * 2) end"]

    def s_meta(self, depth: int) -> list[str]:
        lines = self.class_def()
        o = self.fresh("o")
        objs = self.vars("obj")
        k = self.d(st.integers(0, 3))
        if objs and k == 1:
            e = f"{self.pick(objs).name} + {self.pick(objs).name}"
        elif objs and k == 2:
            e = f"-{self.pick(objs).name}"
        elif objs and k == 3:
            e = f"{self.pick(objs).name}:twice()"
        else:
            e = f"V({self.expr('int', 1)})"
        self.declare(o, "obj")
        lines += [f"local {o} = {e}", f"print(tostring({o}), {o}.v, #{o}, {o}(1), {o} // 1, {o} .. 'x', 1 .. {o})",
                  f"print({o} == V({o}.v), {o} < V(0), rawequal({o}, {o}), getmetatable({o}) == Vec, rawlen({o}))"]
        return lines

    def s_proxy(self, depth: int) -> list[str]:
        p = self.fresh("px")
        self.declare(p, "proxy")
        form = self.d(st.integers(0, 2))
        if form == 0:
            mt = "{__index = function(t, k) return tostring(k) .. '!' end}"
        elif form == 1:
            mt = "{__index = setmetatable({foo = 'F'}, {__index = function(_, k) return 'deep ' .. k end})}"
        else:
            mt = "{__index = function(t, k) rawset(t, k, k .. k) return 'first' end}"
        return [f"local {p} = setmetatable({{}}, {mt})", f"print({p}.foo, {p}.bar, {p}.foo, rawget({p}, 'foo'))"]

    def s_lt_only(self, depth: int) -> list[str]:
        """Objects with __lt but no __le: `<=` is `not (b < a)` (LUA_COMPAT_LT_LE in the reference)."""
        a, b = self.fresh("lt"), self.fresh("lt")
        mt = self.fresh("ltm")
        return [f"local {mt} = {{__lt = function(x, y) return x.n < y.n end}}",
                f"local {a}, {b} = setmetatable({{n = {self.expr('int', 1)}}}, {mt}), setmetatable({{n = {self.expr('int', 1)}}}, {mt})",
                f"print({a} < {b}, {a} <= {b}, {a} >= {b}, {b} <= {a}, {a} <= {a})"]

    def s_newindex(self, depth: int) -> list[str]:
        t, log = self.fresh("ni"), self.fresh("log")
        return [f"local {log} = {{}}",
                f"local {t} = setmetatable({{}}, {{__newindex = function(t, k, v) {log}[#{log} + 1] = tostring(k) rawset(t, k, v) end}})",
                f"{t}.a = 1", f"{t}.a = 2", f"{t}[{self.expr('int', 1)}] = {self.expr('str', 1)}",
                f"print(table.concat({log}, ','), {t}.a, dump({t}))"]

    def s_close(self, depth: int) -> list[str]:
        x = self.fresh("cl")
        return ["do", f"  local {x} <close> = setmetatable({{}}, {{__close = function(_, e) print('close {x}', e) end}})",
                "  local nothing <close> = nil", *self.inner(depth), "end"]

    # ------------------------------------------------------------ coroutines

    def s_coroutine(self, depth: int) -> list[str]:
        co = self.fresh("co")
        saved = (self.in_loop, self.yieldable)
        self.in_loop = 0
        self.in_func += 1
        try:
            body = self.inner(depth)
        finally:
            self.in_loop, self.yieldable = saved
            self.in_func -= 1
        return [f"local {co} = coroutine.create(function(a, b)", "  local x = coroutine.yield(a + b)",
                *body, "  local y, z = coroutine.yield(x)", "  return y, z, coroutine.isyieldable()", "end)",
                f"print(coroutine.status({co}), coroutine.isyieldable())",
                f"print(coroutine.resume({co}, {self.expr('int', 1)}, {self.expr('int', 1)}))",
                f"print(coroutine.resume({co}, {self.expr('str', 1)}))",
                f"print(coroutine.status({co}))",
                f"print(coroutine.resume({co}, 1, 2))", f"print(coroutine.status({co}))",
                f"print(coroutine.resume({co}))",
                f"print(coroutine.close({co}), select(2, coroutine.running()))"]

    def s_coroutine_gen(self, depth: int) -> list[str]:
        g = self.fresh("gen")
        n = self.d(st.integers(0, 3))
        lines = [f"local {g} = coroutine.wrap(function(a)", f"  for i = 1, {n} do coroutine.yield(i * a) end",
                 "  return 'done'", "end)", f"print({g}({self.expr('int', 1)}))"]
        lines += [f"print({g}())" for _ in range(n)]
        lines += [f"local c{g} = coroutine.create(function() error('in co') end)",
                  f"print(coroutine.resume(c{g}))", f"print(coroutine.status(c{g}), coroutine.close(c{g}))"]
        return lines

    def s_co_pcall(self, depth: int) -> list[str]:
        co = self.fresh("co")
        return [f"local {co} = coroutine.wrap(function(a)",
                "  local ok, v = pcall(function() local x = coroutine.yield(a + 1) return x * 2 end)",
                "  coroutine.yield(ok, v)",
                "  local ok2, e2 = pcall(function() coroutine.yield('in pcall') error('after yield') end)",
                "  return ok2, e2", "end)",
                f"print({co}({self.expr('int', 1)}))", f"print({co}({self.expr('int', 1)}))",
                f"print({co}())", f"print({co}())"]
