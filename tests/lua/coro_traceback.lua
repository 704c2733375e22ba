-- a traceback taken in a coroutine shows the coroutine's stack only (no resumer,
-- no C entry); error levels stop at the coroutine's base too
local function f() return debug.traceback("x") end
local co = coroutine.create(function() local s = f() coroutine.yield(s) return s end)
print(select(2, coroutine.resume(co)))
local function g() local _, s = coroutine.resume(co) return s end
print(g())
local w = coroutine.wrap(function() error("lvl2", 2) end)
print(pcall(w))
local w2 = coroutine.wrap(function() local function h() error("lvl2", 2) end h() end)
print(pcall(w2))
print(coroutine.wrap(function() return debug.getinfo(2) == nil, debug.getinfo(1, "l").currentline end)())
