local function f() return 1 + f() end
local ok, msg = pcall(f)
print(ok, type(msg), msg:match("stack overflow") ~= nil)
local function g(n) local t = {g(n + 1)} return t end
print(select(2, pcall(g, 1)):match("stack overflow") ~= nil)
-- stack overflow through metamethods
local mt = {}
mt.__index = function(t, k) return t[k .. "x"] end
local obj = setmetatable({}, mt)
local ok2, msg2 = pcall(function() return obj.a end)
print(ok2, msg2:match("stack overflow") ~= nil)
-- recovery after overflow: still usable
local function small(n) if n == 0 then return "ok" end return (small(n - 1)) end
print(small(100))
-- stack overflow inside coroutine
local co = coroutine.create(function() local function r() return 1 + r() end return r() end)
local ok3, msg3 = coroutine.resume(co)
print(ok3, msg3:match("stack overflow") ~= nil, coroutine.status(co))
-- xpcall with handler on overflow
local function inf() return inf() + 1 end
print(xpcall(inf, function(m) return "handled: " .. tostring(m:match("stack overflow")) end))
-- string.rep / concat recursion depth moderate
local function build(n) if n == 0 then return "" end return "a" .. build(n - 1) end
print(#build(5000))
