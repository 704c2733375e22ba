local statuses = {}
local co
co = coroutine.create(function()
  statuses[#statuses + 1] = coroutine.status(co)
  local inner = coroutine.create(function()
    statuses[#statuses + 1] = "outer:" .. coroutine.status(co)
    coroutine.yield()
  end)
  coroutine.resume(inner)
  statuses[#statuses + 1] = "inner:" .. coroutine.status(inner)
  coroutine.yield()
end)
statuses[#statuses + 1] = coroutine.status(co)
coroutine.resume(co)
statuses[#statuses + 1] = coroutine.status(co)
coroutine.resume(co)
statuses[#statuses + 1] = coroutine.status(co)
print(table.concat(statuses, " "))
-- isyieldable in various places
print(coroutine.isyieldable())
print(coroutine.wrap(function() return coroutine.isyieldable() end)())
print(coroutine.isyieldable(coroutine.create(print)))
-- running returns main thread outside
local m, ismain = coroutine.running()
print(type(m), ismain, coroutine.status(m))
print(coroutine.wrap(function() local c, im = coroutine.running(); return type(c), im, coroutine.status(c) end)())
-- wrap calling itself
local self_wrap
self_wrap = coroutine.wrap(function() return pcall(self_wrap) end)
print(self_wrap())
-- resume passing many args and returning many
local echo = coroutine.create(function(...)
  local args = table.pack(...)
  while true do args = table.pack(coroutine.yield(table.unpack(args, 1, args.n))) end
end)
print(coroutine.resume(echo, 1, 2, 3))
print(coroutine.resume(echo))
print(coroutine.resume(echo, nil, nil))
print(select("#", coroutine.resume(echo, nil, nil)))
-- yield returns resume args; first resume args go to function
local co2 = coroutine.create(function(a) local b = coroutine.yield(a * 2); local c = coroutine.yield(a + b); return a + b + c end)
print(coroutine.resume(co2, 5)); print(coroutine.resume(co2, 6)); print(coroutine.resume(co2, 7)); print(coroutine.resume(co2, 8))
-- wrap errors carry position of caller when string
local bad = coroutine.wrap(function() error("wrapped") end)
local ok, e = pcall(bad)
print(ok, e)
local bad2 = coroutine.wrap(function() error("lvl0", 0) end)
local function callit() return bad2() end
print(pcall(callit))
-- coroutine.close on suspended, returns true; status becomes dead
local c3 = coroutine.create(function() coroutine.yield(1) coroutine.yield(2) end)
print(coroutine.resume(c3))
print(coroutine.close(c3), coroutine.status(c3))
print(coroutine.resume(c3))
-- close on a coroutine that is normal (resuming another) fails
local outerc
outerc = coroutine.create(function()
  local innerc = coroutine.create(function() return pcall(coroutine.close, outerc) end)
  return coroutine.resume(innerc)
end)
print(coroutine.resume(outerc))
-- table of coroutines round-robin scheduler
local tasks, out = {}, {}
for id = 1, 3 do
  tasks[#tasks + 1] = coroutine.create(function()
    for step = 1, id do out[#out + 1] = id .. "." .. step; coroutine.yield() end
  end)
end
while #tasks > 0 do
  for idx = #tasks, 1, -1 do
    local t = tasks[idx]
    coroutine.resume(t)
    if coroutine.status(t) == "dead" then table.remove(tasks, idx) end
  end
end
print(table.concat(out, " "))

-- coroutine.status runs inline for a live generator that is not executing
local status = coroutine.status
local co
co = coroutine.create(function()
  print("inside", status(co), coroutine.status(co))
  local w = coroutine.wrap(function() print("nested sees", status(co)) coroutine.yield() end)
  w()
  coroutine.yield(1)
  return 2
end)
print(status(co)); coroutine.resume(co); print(status(co)); coroutine.resume(co); print(status(co))
print(pcall(status, nil), pcall(status, {}), status(coroutine.running()))
local g = coroutine.create(function() local x = {} for i = 1, 3 do coroutine.yield(i) end end)
while status(g) ~= "dead" do coroutine.resume(g) io.write(status(g), " ") end print()
local t = {status = function(x) return "mine" end}
print(t.status(g))
local c2 = coroutine.create(print)
print(status(c2)); coroutine.close(c2); print(status(c2))
local c3 = coroutine.wrap(function() error("boom") end)
