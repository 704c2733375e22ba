-- Calls of `local function`s never assigned again: compiled for what the callee
-- returns (one value; its type when inference finds one)
local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end
print(fib(20), fib(20.0), math.type(fib(10)), math.type(fib(10.0)))
print(pcall(fib, "x"))            -- a string: the generic copy, Lua's own error

-- integer results that wrap around
local function big(n) if n == 0 then return math.maxinteger end return big(n - 1) + 1 end
print(big(3), math.type(big(3)))

-- a table result, and a function of tables using it
local function tree(d) if d == 0 then return {} end d = d - 1 return {tree(d), tree(d)} end
local function count(t) local l = t[1] if l == nil then return 1 end return 1 + count(l) + count(t[2]) end
print(count(tree(6)))

-- float results
local function A(i, j) local ij = i + j - 1 return 1.0 / (ij * (ij - 1) * 0.5 + i) end
local s = 0
for i = 1, 5 do for j = 1, 5 do s = s + A(i, j) end end
print(string.format("%.12f", s), math.type(A(1, 2)))

-- one value from functions returning one, none or several
local function none() local x = 1 end
local function two() return 1, 2 end
local function either(b) if b then return 1 end end     -- may end without a value
local function tail(x) return two(x) end               -- a tail call: its results pass through
print(none(), (two()), either(true), either(false), tail())
local a, b = tail()
print(a, b, select("#", none()), select("#", tail()))
none() two() tail()

-- a callee that errors, under pcall, with the caller typed
local function checked(n) if n > 3 then error("too big: " .. n) end return n * 2 end
local function sum(k) local t = 0 for i = 1, k do t = t + checked(i) end return t end
print(sum(3), pcall(sum, 5))

-- calls to a local function held by a closure (an upvalue of the value kind)
local function sq(x) return x * x end
local function apply(n) local t = 0 for i = 1, n do t = t + sq(i) end return t end
print(apply(10))

-- a local function passed around is still an ordinary value
local fs = {fib, sq}
print(fs[1](10), fs[2](3), select(2, pcall(fs[2], {})) ~= nil)

-- one value in the last place of a list: a constructor, arguments, returns
local function nothing() return nil end
local function double(x) return x * 2 end
local t = {1, nothing()}
local u = {double(1), double(2)}
print(#t, #u, u[2], select("#", double(3)), select("#", 1, nothing()))
print((function() return 5, double(3) end)(), math.max(double(3), double(4)))

-- arity: called with fewer arguments, with more, with a call's values spread
local function two_params(a, b) return (a or 0) + (b or 0) end
local function takes_one(a) return a end
local function spread() return 7, 8, 9 end
local function first_of(a) return a end
print(two_params(1), two_params(1, 2), two_params(), takes_one(1, 2, 3), first_of(spread()),
      first_of(double(4)))

-- a known callee whose speculated copy can be left mid-call (a speculated local) or
-- is chosen by an upvalue's type: its result is typed as the generic copy's
do
local t = {1.5, 2}
local function g(x) local v = t[x] return x + v end
print(g(1) .. "", g(2) .. "")
local function h(a, i) local v = a[i] local w = v * 2 return w end
print(h(t, 1) .. "", h(t, 2) .. "")
local r = {x = 1.5, s = "2"}
local k = r.x
local function g(x) return x + k end
local y = g(1)
print(y .. "", g(1) .. "|", math.type(g(1)))
local k2 = r.s
local function h(x) return x * k2 end
print(h(3) .. "")
end
