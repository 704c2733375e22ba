-- Closures and higher-order functions: map/filter/reduce/compose pipelines,
-- function factories, currying, upvalue mutation, closures created in loops.
local function map(f, t)
  local r = {}
  for i = 1, #t do r[i] = f(t[i]) end
  return r
end

local function filter(p, t)
  local r, n = {}, 0
  for i = 1, #t do
    local v = t[i]
    if p(v) then n = n + 1; r[n] = v end
  end
  return r
end

local function reduce(f, acc, t)
  for i = 1, #t do acc = f(acc, t[i]) end
  return acc
end

local function compose(...)
  local fs = { ... }
  local nf = #fs
  return function(x)
    for i = nf, 1, -1 do x = fs[i](x) end
    return x
  end
end

local function adder(k) return function(x) return x + k end end
local function multiplier(k) return function(x) return x * k end end
local function modulo(m) return function(x) return x % m end end

local function counter()
  local c = 0
  return function() c = c + 1; return c end
end

local function curry(f)
  return function(a) return function(b) return f(a, b) end end
end

local function divisible_by(k) return function(v) return v % k == 0 end end

function bench(n)
  local xs = {}
  for i = 1, n do xs[i] = i end
  local tick = counter()
  local mixer = curry(function(a, b) return (a * 31 + b) % 1000000007 end)
  local plus = function(a, b) return (a + b) % 1000000007 end
  local total = 0
  for round = 1, 8 do
    local f = compose(modulo(1000003), multiplier(round + 1), adder(round))
    local g = compose(adder(-round), f)
    local ys = map(g, xs)
    local keep = divisible_by(round % 3 + 2)
    local kept = filter(function(v) tick(); return keep(v) end, ys)
    local s = reduce(plus, 0, kept)
    -- closures created in a loop, each capturing its own loop variable
    local fns = {}
    for i = 1, n // 8 do
      fns[i] = function(x) return x * i + round end
    end
    local s2 = reduce(function(acc, h) return (acc + h(3)) % 1000000007 end, 0, fns)
    total = mixer(mixer(total)(s))(s2)
  end
  return string.format("%d %d", total, tick())
end
