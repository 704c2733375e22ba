local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "finished", a + b + c
end)
print(type(co), coroutine.status(co))
print(coroutine.resume(co, 1, 2))
print(coroutine.status(co))
print(coroutine.resume(co, 10))
print(coroutine.resume(co, "x", "y"))
print(coroutine.status(co))
print(coroutine.resume(co))
print(coroutine.resume(co))
-- wrap
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end return "last" end)
print(gen(), gen(), gen(), gen())
print(pcall(gen))
-- isyieldable / running
print(coroutine.isyieldable())
local main, ismain = coroutine.running()
print(type(main), ismain)
local inner
inner = coroutine.create(function()
  print("yieldable inside:", coroutine.isyieldable())
  local me, im = coroutine.running()
  print("running is self:", me == inner, im)
  print("status inside:", coroutine.status(me))
end)
coroutine.resume(inner)
-- status normal
local outerco
outerco = coroutine.create(function()
  local child = coroutine.create(function() print("outer status from child:", coroutine.status(outerco)) end)
  coroutine.resume(child)
end)
coroutine.resume(outerco)
-- yield multiple values and no values
local m = coroutine.create(function() coroutine.yield(); coroutine.yield(1, 2, 3); coroutine.yield(nil, nil) end)
print(select("#", coroutine.resume(m)), select("#", coroutine.resume(m)), select("#", coroutine.resume(m)))
-- generators
local function gen_squares(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i, i * i) end end)
end
for i, sq in gen_squares(5) do io.write(i, "^2=", sq, " ") end print()
-- producer/consumer
local function producer()
  return coroutine.create(function()
    for _, item in ipairs({"apple", "banana", "cherry"}) do coroutine.yield(item) end
  end)
end
local p = producer()
while true do
  local ok, item = coroutine.resume(p)
  if not item then break end
  io.write(item, ";")
end
print(coroutine.status(p))
-- resuming dead/running
print(coroutine.resume(p))
print(coroutine.resume(coroutine.running()))
local selfres = coroutine.create(function() return coroutine.resume(coroutine.running()) end)
print(coroutine.resume(selfres))
-- yield outside a coroutine
print(pcall(coroutine.yield, 1))
-- wrap a dead coroutine
local w = coroutine.wrap(function() end)
w()
print(pcall(w))
-- error arguments
print(pcall(coroutine.create, 1))
print(pcall(coroutine.resume, 1))
print(pcall(coroutine.status, nil))
