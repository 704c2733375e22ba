"""Hypothesis strategies for random, valid, deterministic Lua programs.

`programs()` builds programs that call a host function `fetch(v)` at random
places: inside nested calls, loops, closures sharing upvalues, coroutines (also
nested), pcall/xpcall, __index/__add/__call metamethods, generic-for iterators,
with <close> variables pending, varargs, tail calls, deep recursion and cyclic
tables. Each program defines a Lua fallback `fetch` so that lua5.4 can run it
too; the host's answer for `fetch(v)` is the same: "<" .. tostring(v) .. ">".
Output goes through `out(...)` into a log printed at the end and at each step.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PRELUDE = """\
fetch = fetch or function(v) return "<" .. tostring(v) .. ">" end
local log = {}
local function out(...)
  local parts = table.pack(...)
  for i = 1, parts.n do parts[i] = tostring(parts[i]) end
  log[#log + 1] = table.concat(parts, ",")
end
"""

EPILOGUE = """\
print(table.concat(log, "\\n"))
return #log
"""


def host_answer(v: Any) -> str:
    """What the host returns for fetch(v): the Lua fallback's result."""
    if isinstance(v, bool):
        return f"<{'true' if v else 'false'}>"
    if isinstance(v, float):  # as Lua's tostring writes it (%.14g)
        from luavm.runtime.values import fmt_float

        return f"<{fmt_float(v).decode()}>"
    return f"<{v}>"


class _Gen:
    def __init__(self, draw: Any, max_depth: int) -> None:
        self.draw = draw
        self.max_depth = max_depth
        self.n = 0

    def fresh(self, base: str) -> str:
        self.n += 1
        return f"{base}{self.n}"

    def arg(self) -> str:
        if self.draw(st.booleans()):
            return str(self.draw(st.integers(-5, 50)))
        return repr(self.draw(st.sampled_from(["a", "b", "xy", "k"])))

    def block(self, depth: int) -> list[str]:
        n = self.draw(st.integers(1, 3 if depth < self.max_depth else 2))
        lines: list[str] = []
        for _ in range(n):
            lines += self.stmt(depth)
        return lines

    def stmt(self, depth: int) -> list[str]:
        kinds = ["leaf", "leaf_expr"]
        if depth < self.max_depth:
            kinds += ["loop", "while", "func", "closures", "pcall", "xpcall", "coroutine",
                      "meta_index", "meta_add", "meta_call", "iterator", "close", "varargs",
                      "tail", "deep", "cycle", "nested_co", "floats"]
        k = self.draw(st.sampled_from(kinds))
        return getattr(self, "s_" + k)(depth)

    def inner(self, depth: int) -> list[str]:
        return ["  " + x for x in self.block(depth + 1)]

    # statements ---------------------------------------------------------------

    def s_leaf(self, depth: int) -> list[str]:
        return [f"out(fetch({self.arg()}))"]

    def s_leaf_expr(self, depth: int) -> list[str]:
        v = self.fresh("v")
        return [f"local {v} = fetch({self.arg()}) .. fetch({self.arg()})", f"out(#{v}, {v})"]

    def s_loop(self, depth: int) -> list[str]:
        i = self.fresh("i")
        n = self.draw(st.integers(1, 3))
        return [f"for {i} = 1, {n} do", f"  out('{i}', {i}, fetch({i}))", *self.inner(depth), "end"]

    def s_while(self, depth: int) -> list[str]:
        w = self.fresh("w")
        return [f"local {w} = 0", f"while {w} < 2 do", f"  {w} = {w} + 1", *self.inner(depth),
                f"  out('{w}', {w})", "end"]

    def s_func(self, depth: int) -> list[str]:
        f = self.fresh("f")
        return [f"local function {f}(a, b)", *self.inner(depth),
                "  return fetch(a) .. tostring(b)", "end", f"out({f}({self.arg()}, {self.arg()}))"]

    def s_closures(self, depth: int) -> list[str]:
        c, inc, get = self.fresh("c"), self.fresh("inc"), self.fresh("get")
        return [f"local {c} = 0", f"local function {inc}() {c} = {c} + 1; return fetch({c}) end",
                f"local function {get}() return {c} end", f"out({inc}(), {inc}(), {get}())",
                *self.block(depth + 1), f"out({get}())"]

    def s_pcall(self, depth: int) -> list[str]:
        ok, err = self.fresh("ok"), self.fresh("err")
        fail = self.draw(st.booleans())
        return [f"local {ok}, {err} = pcall(function()", *self.inner(depth),
                f"  {'error({code = fetch(1)})' if fail else 'return fetch(2)'}", "end)",
                f"out({ok}, type({err}) == 'table' and {err}.code or {err})"]

    def s_xpcall(self, depth: int) -> list[str]:
        r = self.fresh("r")
        return [f"local {r} = table.pack(xpcall(function(x)", *self.inner(depth),
                "  error(fetch(x), 0)", f"end, function(m) return 'handled ' .. m end, {self.arg()}))",
                f"out({r}[1], {r}[2])"]

    def s_coroutine(self, depth: int) -> list[str]:
        co = self.fresh("co")
        return [f"local {co} = coroutine.wrap(function(a)", "  local x = coroutine.yield(fetch(a))",
                *self.inner(depth), "  return fetch(x) .. 'done'", "end)",
                f"out({co}({self.arg()}))", f"out({co}({self.arg()}))"]

    def s_nested_co(self, depth: int) -> list[str]:
        outer = self.fresh("outer")
        return [f"local {outer} = coroutine.create(function()",
                "  local inner = coroutine.wrap(function() coroutine.yield(fetch('in1')); return fetch('in2') end)",
                "  coroutine.yield(inner())", *self.inner(depth), "  return inner()", "end)",
                f"out(coroutine.resume({outer}))", f"out(coroutine.resume({outer}))",
                f"out(coroutine.status({outer}))"]

    def s_meta_index(self, depth: int) -> list[str]:
        t = self.fresh("t")
        return [f"local {t} = setmetatable({{}}, {{__index = function(_, k)", *self.inner(depth),
                "  return fetch(k) end})", f"out({t}.key, {t}[{self.arg()}])"]

    def s_meta_add(self, depth: int) -> list[str]:
        t = self.fresh("t")
        return [f"local {t} = setmetatable({{v = 3}}, {{__add = function(a, b)", *self.inner(depth),
                "  return fetch(a.v + b) end})", f"out({t} + 4, 1 + #({t} + 1))"]

    def s_meta_call(self, depth: int) -> list[str]:
        t = self.fresh("t")
        return [f"local {t} = setmetatable({{}}, {{__call = function(self, x)", *self.inner(depth),
                "  return fetch(x), 'second' end})", f"out({t}({self.arg()}))"]

    def s_iterator(self, depth: int) -> list[str]:
        it, k = self.fresh("it"), self.fresh("k")
        return [f"local function {it}(n, i)", "  if i >= n then return nil end",
                "  return i + 1, fetch(i + 1)", "end",
                f"for {k}, v in {it}, {self.draw(st.integers(1, 3))}, 0 do", f"  out({k}, v)",
                *self.inner(depth), "end"]

    def s_close(self, depth: int) -> list[str]:
        x = self.fresh("x")
        return ["do", f"  local {x} <close> = setmetatable({{}}, {{__close = function() out('closed {x}') end}})",
                f"  out(fetch('{x}'))", *self.inner(depth), "end"]

    def s_varargs(self, depth: int) -> list[str]:
        f = self.fresh("va")
        return [f"local function {f}(...)", *self.inner(depth),
                "  return select('#', ...), fetch(select('#', ...)), ...", "end",
                f"out({f}({self.arg()}, nil, {self.arg()}))", f"out(({f}()))"]

    def s_tail(self, depth: int) -> list[str]:
        f = self.fresh("tc")
        n = self.draw(st.integers(0, 30))
        return [f"local function {f}(n, acc)", "  if n == 0 then return fetch(acc) end",
                f"  return {f}(n - 1, acc + 1)", "end", f"out({f}({n}, 0))", *self.block(depth + 1)]

    def s_deep(self, depth: int) -> list[str]:
        f = self.fresh("deep")
        return [f"local function {f}(n)", "  if n == 0 then return fetch('bottom') end",
                f"  return '.' .. {f}(n - 1)", "end", f"out(#{f}(200))"]

    def s_cycle(self, depth: int) -> list[str]:
        t = self.fresh("cyc")
        return [f"local {t} = {{}}", f"{t}.self = {t}", f"{t}.fn = function() return {t}.self end",
                f"{t}.v = fetch('{t}')", *self.block(depth + 1), f"out({t}.fn().self.v)"]

    def s_floats(self, depth: int) -> list[str]:
        # float locals the compiler speculates on: a value of another kind makes the
        # function leave for its generic copy, before or after a suspension in it
        f = self.fresh("fl")
        vals = [self.draw(st.sampled_from(["1.5", "2", "'3'", "0.25", "-4", "2^53"])) for _ in range(3)]
        items = ", ".join(f"{{w = {v}}}" for v in vals)
        at = self.draw(st.integers(1, 3))
        k = self.draw(st.sampled_from(["1", "-0.5", "'2'"]))  # a number (a string converts)
        return [f"local function {f}(items, k)", "  local s = 0.0", "  for i = 1, #items do",
                "    local v = items[i].w", "    local y = v * k + 0.5", "    s = s + y / 2",
                f"    if i == {at} then out('{f}', i, y, math.type(v), #fetch(s)) end", "  end",
                "  return s", "end", f"out({f}({{{items}}}, 2.0), {f}({{{items}}}, {k}))"]

    def program(self) -> str:
        body = self.block(0)
        return PRELUDE + "\n".join(body) + "\n" + EPILOGUE


@st.composite
def programs(draw: Any, max_depth: int = 2) -> str:
    """A random Lua program calling fetch() at random places."""
    return _Gen(draw, max_depth).program()
