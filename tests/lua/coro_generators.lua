local function gen(f) return coroutine.wrap(function(...) f(...) end) end
-- permutations generator
local function permgen(a, n)
  n = n or #a
  if n <= 1 then coroutine.yield(a)
  else
    for i = 1, n do
      a[n], a[i] = a[i], a[n]
      permgen(a, n - 1)
      a[n], a[i] = a[i], a[n]
    end
  end
end
local function permutations(a) return coroutine.wrap(function() permgen(a) end) end
for p in permutations({1, 2, 3}) do io.write(table.concat(p), " ") end print()
-- primes generator with filters
local function nums()
  return coroutine.wrap(function() local n = 2 while true do coroutine.yield(n) n = n + 1 end end)
end
local function filter(p, src)
  return coroutine.wrap(function() for n in src do if n % p ~= 0 then coroutine.yield(n) end end end)
end
local src = nums()
local primes = {}
for i = 1, 15 do
  local p = src()
  primes[#primes + 1] = p
  src = filter(p, src)
end
print(table.concat(primes, " "))
-- tree walker
local tree = {v = 5, l = {v = 3, l = {v = 1}, r = {v = 4}}, r = {v = 8, l = {v = 7}, r = {v = 9}}}
local function walk(t) if t then walk(t.l); coroutine.yield(t.v); walk(t.r) end end
for v in gen(walk), tree do io.write(v, " ") end print()
local w = coroutine.wrap(walk)
print(w(tree), w(), w())
-- same fringe
local function fringe(t) return coroutine.wrap(function() walk(t) coroutine.yield(nil) end) end
local t2 = {v = 4, l = {v = 1, r = {v = 3}}, r = {v = 9, l = {v = 5, r = {v = 8, l = {v = 7}}}}}
local f1, f2 = fringe(tree), fringe(t2)
local same = true
repeat local a, b = f1(), f2(); if a ~= b then same = false end until a == nil or b == nil
print("same fringe:", same)
-- zip two generators
local function range(a, b) return coroutine.wrap(function() for i = a, b do coroutine.yield(i) end end) end
local function zip(g1, g2)
  return coroutine.wrap(function()
    while true do
      local x, y = g1(), g2()
      if x == nil or y == nil then return end
      coroutine.yield(x, y)
    end
  end)
end
for a, b in zip(range(1, 5), range(10, 12)) do io.write(a, "-", b, " ") end print()
-- take / map
local function take(n, g) return coroutine.wrap(function() for i = 1, n do local v = g(); if v == nil then return end coroutine.yield(v) end end) end
local function map(f, g) return coroutine.wrap(function() for v in g do coroutine.yield(f(v)) end end) end
for v in take(5, map(function(x) return x * x end, nums())) do io.write(v, " ") end print()
-- coroutine passing values in both directions (accumulator)
local acc = coroutine.create(function(init)
  local total = init
  while true do
    local v = coroutine.yield(total)
    if v == nil then break end
    total = total + v
  end
  return "final", total
end)
print(coroutine.resume(acc, 10))
for _, v in ipairs({1, 2, 3}) do print(coroutine.resume(acc, v)) end
print(coroutine.resume(acc))
print(coroutine.status(acc))
