-- Upvalues of locals never written after their declaration (held as values by
-- the closures) next to ones that are written (shared boxes)
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(15))

local function outer() local function inner() return outer end return inner end
print(outer()() == outer)

-- fresh per iteration, numeric and generic for, and locals in loop bodies
local fs = {}
for i = 1, 3 do local j = i * 10; fs[#fs + 1] = function() return i + j end end
for _, v in ipairs({"a", "b"}) do fs[#fs + 1] = function() return v end end
local k = 0
while k < 2 do k = k + 1; local c = k; fs[#fs + 1] = function() return c end end
for n = 1, #fs do io.write(tostring(fs[n]()), " ") end print()

-- a written local stays shared: the closure sees later writes, and writes back
local count = 0
local function bump() count = count + 1; return count end
bump(); bump()
print(count, bump(), count)

-- parameters: captured read-only, captured and written
local function adder(a) return function(b) return a + b end end
local function acc(total) return function(x) total = total + x; return total end end
local add5, a = adder(5), acc(100)
print(add5(1), add5(2), a(1), a(2))

-- typed and untyped constants through closures, <const> too
local N, F, S <const> = 7, 2.5, "s"
local function use() return N * 2, F * 2, S .. S, N // 2, math.type(N) end
print(use())

-- mutual recursion through a written local (declared first, assigned later)
local isodd
local function iseven(n) if n == 0 then return true end return isodd(n - 1) end
isodd = function(n) if n == 0 then return false end return iseven(n - 1) end
print(iseven(10), isodd(7))

-- coroutine bodies reading value upvalues
local base = 1000
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(base + i) end end)
print(gen(), gen(), gen())

-- the debug library sees them as upvalues
local t = {}
local function get() return t, base end
print(debug.getupvalue(get, 1) == "t", select(2, debug.getupvalue(get, 1)) == t,
      select(2, debug.getupvalue(get, 2)))
print(debug.upvalueid(get, 1) == debug.upvalueid(get, 1), type(debug.upvalueid(get, 2)))

-- a loaded copy of a function that calls itself gets fresh upvalues (_ENV first)
local function self_ref() return self_ref end
local copy = load(string.dump(self_ref))
print(copy() == _G, self_ref() == self_ref)

-- upvalues holding numbers keep their type inside closures (typed `%`, `//`)
local M, Z, N1 = 7, 0, -1
local function mods(a) return a % M, a // M, a % N1, a // N1 end
print(mods(20)) print(mods(-20)) print(mods(math.mininteger))
print(pcall(function(a) return a % Z end, 3))
print(pcall(function(a) return a // Z end, 3))
local acc = 0
for i = 1, 10 do acc = (acc * 31 + i) % M end
print(acc, math.type(acc))
