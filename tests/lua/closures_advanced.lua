-- memoize higher-order
local function memoize(f)
  local cache = {}
  local calls = 0
  return function(n)
    if cache[n] == nil then calls = calls + 1; cache[n] = f(n) end
    return cache[n]
  end, function() return calls end
end
local slow_sq, ncalls = memoize(function(n) return n * n end)
for i = 1, 5 do slow_sq(i); slow_sq(i) end
print(slow_sq(4), ncalls())
-- compose / curry
local function compose(...)
  local fns = table.pack(...)
  return function(x)
    for i = fns.n, 1, -1 do x = fns[i](x) end
    return x
  end
end
local inc = function(x) return x + 1 end
local dbl = function(x) return x * 2 end
print(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(7))
local function curry3(f) return function(a) return function(b) return function(c) return f(a, b, c) end end end end
print(curry3(function(a, b, c) return a .. b .. c end)("x")("y")("z"))
-- closures with goto-based loops keep fresh locals
local fns = {}
local i = 1
::again::
do
  local k = i
  fns[#fns + 1] = function() return k end
end
i = i + 1
if i <= 3 then goto again end
print(fns[1](), fns[2](), fns[3]())
-- upvalue shared after the creating function returns, and across coroutines
local function shared()
  local x = 0
  local co = coroutine.wrap(function() while true do x = x + 1; coroutine.yield(x) end end)
  return co, function() return x end
end
local step, peek = shared()
step(); step(); step()
print(peek())
-- recursive anonymous via Y-like
local function Y(f) return function(...) return f(Y(f), ...) end end
print(Y(function(self, n) if n == 0 then return 1 end return n * self(n - 1) end)(6))
-- closure capturing vararg via table
local function capture(...)
  local args = {...}
  return function() return table.unpack(args) end
end
print(capture(1, 2, 3)())
-- mutual recursion with local functions declared ahead
local isodd
local function iseven(n) if n == 0 then return true end return isodd(n - 1) end
function isodd(n) if n == 0 then return false end return iseven(n - 1) end
print(iseven(10), isodd(7), iseven(7))
-- string.gsub with closure accumulating
local seen = {}
local n = 0
local out = ("a b c a b a"):gsub("%a", function(c)
  seen[c] = (seen[c] or 0) + 1
  n = n + 1
  return c .. seen[c]
end)
print(out, n)
-- table.sort comparator closure with captured state
local cmpcount = 0
local arr = {5, 2, 8, 1, 9, 3}
table.sort(arr, function(a, b) cmpcount = cmpcount + 1; return a > b end)
print(table.concat(arr, " "), cmpcount > 0)
-- closure identity
local function mk() return function() end end
local f1, f2 = mk(), mk()
print(f1 == f1, f1 == f2)
