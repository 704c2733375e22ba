-- found by fuzz/ differential: resuming a dead coroutine.wrap function gets one
-- position prefix (auxwrap adds it), not two
local g = coroutine.wrap(function() end)
g()
print(pcall(g))
print(pcall(function() g() end))
local co = coroutine.wrap(function() coroutine.yield(1) end)
co()
co()
print(pcall(co))
print(pcall(function() local w; w = coroutine.wrap(function() return w() end) return w() end))
