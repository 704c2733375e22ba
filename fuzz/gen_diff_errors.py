"""Deliberate failures for the program generator (`gen_diff.py`): expressions that
raise a runtime error (arithmetic on nil, calling or indexing nil, bad library
arguments, malformed patterns and formats, bad `load` sources, failing
metamethods …), and the statement that runs one inside `pcall`/`xpcall`. Kept
apart from the valid expressions: their point is to compare error messages."""

from __future__ import annotations

from hypothesis import strategies as st

from .gen_diff_exprs import ExprGen
from .gen_diff_lua import FMT_BAD, lua_str


class FailingGen(ExprGen):
    """`error_expr` and the `pcall` statement around it."""

    def error_expr(self) -> str:
        """An expression that raises a runtime error."""
        k = self.d(st.integers(0, 30))
        u = self.fresh("u")
        if k == 0:
            return f"(function() local {u}; return {u} + 1 end)()"
        if k == 1:
            return f"undefined_{u} + 1"
        if k == 2:
            return "({}).missing.x"
        if k == 3:
            return f"undefined_fn_{u}()"
        if k == 4:
            return "(function() local t = {} return t.nomethod() end)()"
        if k == 5:
            return "(function() local t = {} return t:nomethod() end)()"
        if k == 6:
            return f"(function() local {u} return {u}.field end)()"
        if k == 7:
            return "'a' .. {}"
        if k == 8:
            return f"(function() local {u} return 'a' .. {u} end)()"
        if k == 9:
            return self.pick(["1 < 'x'", "{} < {}", "nil < 1", "'a' <= 1", "true > false", "{} <= 1"])
        if k == 10:
            return self.pick(["'abc' + 1", "'10' + {}", "-{}", "#5", "#nil", "~1.5", "1.5 | 0", "'1.5' | 0",
                              "2^63 | 0", "'x' & 1", "math.huge // 1 | 0", "{} .. 'x'", "-'abc'",
                              "(0/0) | 0", "true + 1"])
        if k == 11:
            return self.pick(["1 // 0", "1 % 0", "math.mininteger // 0", "(1 // nz(0)) // 0"])
        if k == 12:
            return "(function() local c <const> = 'abc' return c + 1 end)()"
        if k == 13:
            return self.pick(["string.rep()", "('x'):rep()", "('abc'):sub()", "string.sub()", "('x'):rep(1e100)",
                              "string.char(256)", "string.char(-1)", "('x'):bad()", "string.byte('a', {})",
                              "tostring()", "tonumber()", "tonumber('10', 99)", "tonumber(10, 16)",
                              "setmetatable(1, {})", "setmetatable({}, 1)", "getmetatable()",
                              "select(0, 1)", "select(-5, 1)", "select('x')", "rawlen(5)", "rawget(1)",
                              "ipairs()", "next({}, 'nokey')", "math.floor('x')", "math.max()", "math.random(0.5)",
                              "math.random(3, 1)", "math.tointeger()", "math.fmod(1, 0)", "math.abs()",
                              "utf8.char(-1)", "utf8.codepoint('\\xff')", "utf8.len('abc', 10)",
                              "table.concat({{}})", "table.concat({1, {}, 3})", "table.insert({}, 1, 2, 3)",
                              "table.insert({}, 5, 1)", "table.insert(nil, 1)", "table.remove({}, 5)",
                              "table.unpack({}, 1, 1e7)", "table.sort({3, 'a', 1})", "table.sort({1,2,3}, 1)",
                              "string.format('%d', 1.5)", "string.format('%d', 'x')", "string.format('%d')",
                              "string.format('%s')", "string.format('%c', 'x')", "('%d'):format(2^63)",
                              "string.rep('x', -1, {})", "coroutine.resume(1)", "coroutine.wrap(1)",
                              "coroutine.yield(1)", "coroutine.status(nil)", "load(1)", "error('plain', 0)",
                              "assert(false)", "assert(nil, 'assert msg')", "assert(false, {code=1})",
                              "assert()", "string.gsub('x', 'x', true)", "string.gsub('abc', '%w', '%2')",
                              "string.gsub('abc', '(%w)', '%9')", "string.gsub('abc', '%w', '%z')",
                              "string.gsub('abc', '%w', {a = true})", "string.find('a', 'a', 1, 1, 1)",
                              "utf8.offset('abc', 1, 10)", "string.pack('i17', 1)", "string.unpack('i4', 'ab')",
                              "table.move({}, 1, math.maxinteger, 2)", "os.time({})", "os.date('%Ez', 0)",
                              "os.time({year = 2000})"])
        if k == 14:
            pat = self.pattern(valid=False)
            return self.pick([f"string.find('abc', {pat})", f"string.match('abc', {pat})",
                              f"string.gsub('abc', {pat}, 'x')", f"string.gmatch('abc', {pat})()"])
        if k == 15:
            return f"string.format({lua_str(self.pick(FMT_BAD))}, 1)"
        if k == 16:
            return self.pick(["(function() local t = {} t[nil] = 1 end)()", "(function() local t = {} t[0/0] = 1 end)()",
                              "rawset({}, nil, 1)", "rawset({}, 0/0, 1)", "({})[nil]"])
        if k == 17:
            return self.pick(["(function() for i = 1, 10, 0 do end end)()",
                              "(function() for i = 'a', 2 do end end)()",
                              "(function() for i = 1, {} do end end)()",
                              "(function() for i = 1.0, 2, 0 do end end)()",
                              "(function() for i = 1, 2, 'x' do end end)()"])
        if k == 18:
            return self.pick(["(function() local g = coroutine.wrap(function() end) g() g() end)()",
                              "(function() local co = coroutine.create(function() end) coroutine.resume(co) return select(2, coroutine.resume(co)) .. error('x') end)()",
                              "coroutine.wrap(function() error('in wrap') end)()",
                              "coroutine.wrap(function() error({}) end)()",
                              "coroutine.wrap(function() local x = nil; return x.y end)()"])
        if k == 19:
            objs = self.vars("obj")
            if objs:
                o = self.pick(objs).name
                return self.pick([f"{o} - 1", f"{o} * {o}", f"{o}.nofield.x", f"{o}:nomethod()", f"{o} % 2",
                                  f"{o} & 1", f"{o} < 1", f"{o} >> 1"])
            return "nil .. 'x'"
        if k == 20:
            return self.pick(["(function() local t = setmetatable({}, {__index = function(t, k) error('idx ' .. k) end}) return t.x end)()",
                              "(function() local t = setmetatable({}, {__newindex = 'oops'}) t.x = 1 end)()",
                              "(function() local t = setmetatable({}, {__call = 1}) return t() end)()",
                              "setmetatable(setmetatable({}, {__metatable = 'locked'}), {})",
                              "(function() local t = setmetatable({}, {__index = function(t, k) return t[k .. 'x'] end}) return #t.a end)()",
                              "tostring(setmetatable({}, {__tostring = function() return 1 end}))",
                              "(function() local a = setmetatable({}, {__eq = function() error('eq!') end}) return a == setmetatable({}, getmetatable(a)) end)()",
                              "(function() local a = setmetatable({}, {__lt = function() return {} end}) return a < a, a > a end)()",
                              "(function() local t = setmetatable({}, {__len = function() error('len') end}) return #t end)()",
                              "(function() local t = setmetatable({}, {__concat = function(a, b) return nil end}) return (t .. 'x') .. 'y' end)()"])
        if k == 21:
            return self.pick(["(function() local t = {} return t.a.b.c end)()", "(function() local t = {a = {}} return t.a.b.c end)()",
                              "(function() return math.nofn() end)()", "(function() return string.nofn('x') end)()",
                              "(function() local s = 'x' return s.y.z end)()", "(function() return ('x').y.z end)()",
                              "(function() local t = {} t.x.y = 1 end)()", "(function() local a = {} return a[1][2] end)()",
                              "(function() local up = nil return (function() return up.x end)() end)()",
                              "(function() local up = nil return (function() return up() end)() end)()",
                              "(function() return _ENV.nothing.x end)()",
                              "(function() local t = {} return t[{}].x end)()",
                              "(function() return (nil)() end)()", "(function() return (1)() end)()",
                              "(function() local t = {f = 1} return t.f() end)()",
                              "(function() local t = {f = 1} return t:f() end)()"])
        if k == 22:
            return self.pick(["(function() local x = 'a' + nil end)()", "(function() return 1 + {} end)()",
                              "(function() local t = {} return t.x + 1 end)()",
                              "(function() local t = {} return 1 - t[1] end)()",
                              "(function() return 2 ^ {} end)()", "(function() return {} // 2 end)()",
                              "(function() local a, b = 1 return a .. b end)()",
                              "(function() local t = {} return t.name .. 'x' end)()",
                              "(function() return -nil end)()", "(function() local s = 'x' return -s end)()",
                              "(function() local f = print return f .. 'x' end)()",
                              "(function() return #print end)()"])
        if k == 23:
            return self.pick(["load('x =')()", "load('return 1 +')", "select(2, load('x ='))",
                              "load('goto nowhere')", "load('break')", "load('local x <const> = 1; x = 2')",
                              "load('::a:: ::a::')", "load('return ...')(1, 2)", "load('for i = 1 do end')",
                              "load('local x <foo> = 1')", "load('f(')", "load('\"abc')", "load('x = [[')",
                              "load('x = 1e')", "load('x = 0x')", "load('x = \"\\\\q\"')", "load('a.b:c = 1')",
                              "load('return \"\\\\300\"')", "load('return \"\\\\u{110000000}\"')",
                              "load('--[[ unfinished')", "load(string.rep('(', 300) .. '1' .. string.rep(')', 300))"])
        if k == 24:
            return self.pick(["error(setmetatable({}, {__tostring = function() return 'custom' end}))",
                              "error('lvl2', 2)", "error(nil)", "error(12)", "error(1.5)", "error(true)"])
        if k == 25:
            return self.pick(["math.tointeger(2^63) + 1", "(math.tointeger('x') or nil) + 1",
                              "string.format('%5.2f', 'abc')", "('x'):rep(2, 3, 4) .. {}",
                              "utf8.char(0x80000000)", "string.char(1, 2, 'a')", "os.date('*t', 2^60)",
                              "table.concat({1, 2}, ', ', 1, 3)", "select(2^31, 1)", "tostring(nil) .. nil"])
        if k == 26:
            return self.pick(["(function(...) local a = ... return a + 1 end)()",
                              "(function(...) return select(1, ...) + 1 end)()",
                              "(function(...) local t = {...} return t[1].x end)()"])
        if k == 27:
            return self.pick(["string.rep('x', 1 << 40)", "('x'):rep(math.maxinteger)", "string.rep('ab', 1 << 62, ',')",
                              "table.unpack({}, math.mininteger, math.maxinteger)",
                              "table.unpack({}, 1, 2^31)", "string.format('%099d', 1)", "string.format('%.99f', 1)"])
        if k == 28:
            return self.pick(["(function() local a <close> = 1 end)()",
                              "(function() local a <close> = {} end)()",
                              "(function() local a <close> = setmetatable({}, {__close = function() error('in close') end}) end)()",
                              "(function() local a <close> = setmetatable({}, {__close = function(_, e) error('close2:' .. tostring(e)) end}) error('body') end)()"])
        if k == 29:
            return self.pick(["xpcall()", "xpcall(error)", "pcall()", "select(2, xpcall(error, function(m) return m .. '!' end, 'e'))",
                              "select(2, xpcall(error, error, 'e'))",
                              "select(2, xpcall(function() local x = nil; x() end, function(m) return 'H ' .. m end))"])
        return self.pick(["(function() local t = {} for i = 1, 3 do t = t[i] end end)()",
                          "(function() local n = nil for k in pairs(n) do end end)()",
                          "(function() for k in pairs() do end end)()",
                          "(function() for k in next, 1 do end end)()",
                          "(function() for k in 1 do end end)()",
                          "(function() for i, v in ipairs(nil) do end end)()"])

    def s_error_pcall(self, depth: int) -> list[str]:
        e = self.error_expr()
        form = self.d(st.integers(0, 3))
        if form == 0:
            return [f"print(S(pcall(function() return {e} end)))"]
        if form == 1:
            return [f"print(pcall(function() local r = {e} return r end))"]
        if form == 2:
            return ["do", f"  local ok, m = pcall(function() return {e} end)", "  print(ok, S(m))", "end"]
        return [f"print(S(xpcall(function() return {e} end, function(m) return 'H:' .. S(m) end)))"]
