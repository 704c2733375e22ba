-- yield from nested function calls
local function deep(n) if n == 0 then coroutine.yield("bottom") return "up" end return deep(n - 1) .. "." end
local co = coroutine.wrap(function() return deep(5) end)
print(co())
print(co())
-- yield inside generic-for iterator
local function chars(s)
  return coroutine.wrap(function() for i = 1, #s do coroutine.yield(i, s:sub(i, i)) end end)
end
for i, c in chars("lua") do io.write(i, c, " ") end print()
-- iterator that itself yields to outer coroutine
local outer = coroutine.wrap(function()
  local function it(_, i)
    i = i + 1
    if i > 3 then return nil end
    coroutine.yield("iter step " .. i)
    return i
  end
  for i in it, nil, 0 do coroutine.yield("body " .. i) end
  return "loop done"
end)
for _ = 1, 7 do print(outer()) end
-- yield inside __index metamethod
local lazy = setmetatable({}, {__index = function(t, k)
  local v = coroutine.yield("need " .. k)
  return v
end})
local c = coroutine.wrap(function() return "result: " .. lazy.foo .. lazy.bar end)
print(c())
print(c("FOO"))
print(c("BAR"))
-- yield inside __add
local Y = setmetatable({}, {__add = function(a, b) return coroutine.yield("adding") end})
local c2 = coroutine.wrap(function() local r = Y + 1; return "sum is " .. r end)
print(c2())
print(c2(99))
-- yield inside __lt and __concat and __eq
local M = {}
M.__lt = function() return coroutine.yield("lt?") end
M.__concat = function() return coroutine.yield("concat?") end
M.__eq = function() return coroutine.yield("eq?") end
local o1, o2 = setmetatable({}, M), setmetatable({}, M)
local c3 = coroutine.wrap(function()
  local a = o1 < o2
  local b = o1 .. "x"
  local e = o1 == o2
  return a, b, e
end)
print(c3()); print(c3(true)); print(c3("joined")); print(c3(false))
-- yield inside table.sort comparator is not allowed (C boundary)
local c4 = coroutine.create(function() table.sort({3, 2, 1}, function(a, b) coroutine.yield() return a < b end) end)
print(coroutine.resume(c4))
-- yield in __call
local callable = setmetatable({}, {__call = function(self, x) return coroutine.yield(x * 2) end})
local c5 = coroutine.wrap(function() return "call gave " .. callable(21) end)
print(c5())
print(c5("answer"))
-- ping-pong between coroutines
local log = {}
local ping, pong
ping = coroutine.create(function()
  for i = 1, 3 do log[#log + 1] = "ping" .. i; coroutine.yield() end
end)
pong = coroutine.create(function()
  for i = 1, 3 do log[#log + 1] = "pong" .. i; coroutine.yield() end
end)
for _ = 1, 3 do coroutine.resume(ping); coroutine.resume(pong) end
print(table.concat(log, " "))
-- many coroutines
local cos = {}
for i = 1, 100 do cos[i] = coroutine.create(function(x) local y = coroutine.yield(x * 2); return x + y end) end
local total = 0
for i = 1, 100 do local _, v = coroutine.resume(cos[i], i); total = total + v end
for i = 1, 100 do local _, v = coroutine.resume(cos[i], 1); total = total + v end
print(total)
-- wrap inside wrap generator composition
local function filter(pred, gen)
  return coroutine.wrap(function() for v in gen do if pred(v) then coroutine.yield(v) end end end)
end
local function nums(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end) end
for v in filter(function(x) return x % 3 == 0 end, nums(20)) do io.write(v, " ") end print()
-- yield across pcall within metamethod within coroutine
local c6 = coroutine.wrap(function()
  local ok, v = pcall(function() return lazy.zzz end)
  return ok, v
end)
print(c6())
print(c6("zval"))
