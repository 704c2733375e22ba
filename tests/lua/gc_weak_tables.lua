-- weak tables release entries nothing else refers to, at collectgarbage()
-- (luavm keeps what a block's ended locals or a temporary in a cycle refer to
-- until their function returns: these programs make garbage in functions)
local function count(t) local n = 0 for _ in pairs(t) do n = n + 1 end return n end

local keep = {}
local wk = setmetatable({}, {__mode = "k"})
wk[keep] = "kept"; wk[{}] = "dropped"; wk.str = {}; wk[1] = {}; wk[true] = 1
local wv = setmetatable({}, {__mode = "v"})
wv[1] = {}; wv[2] = keep; wv[3] = "s"; wv.f = function() end; wv.g = print; wv.n = 42
local wkv = setmetatable({}, {__mode = "kv"})
wkv[keep] = {}; wkv.x = keep; wkv[{}] = 1; wkv[2] = 2
collectgarbage()
print(count(wk), wk[keep], wk.str ~= nil, wk[1] ~= nil, wk[true])
print(wv[1], wv[2] == keep, wv[3], wv.f, wv.g == print, wv.n)
print(count(wkv), wkv.x == keep, wkv[2])

-- cycles only weak tables refer to
local function cycles()
  local a = {}; a.self = a
  wv.cyc = a
  local f; f = function() return f end
  wv.fn = f
end
cycles()
collectgarbage()
print(wv.cyc, wv.fn)

-- a dropped local: the value goes once the local is overwritten
local t = {}
wv.t = t
t = nil
collectgarbage()
print(wv.t)

-- traversal while clearing; next goes on
local w = setmetatable({}, {__mode = "v"})
for i = 1, 10 do w["k" .. i] = (i % 2 == 0) and keep or {} end
collectgarbage("collect")
local n = 0
for k, v in pairs(w) do assert(v == keep); n = n + 1 end
print(n)

-- coroutines and the closures they made
local C = setmetatable({}, {__mode = "kv"})
local co = coroutine.wrap(function()
  local a = 10
  while true do a = a + 1; coroutine.yield(function() a = a + 10 return a end) end
end)
C[1] = co
local g = co()
co = nil
collectgarbage()
print(C[1], g(), g())

-- a weak table as a cache keyed by objects
local cache = setmetatable({}, {__mode = "k"})
local function memo(o) local v = cache[o] if not v then v = {o} cache[o] = v end return v end
local function fill(n) local objs = {} for i = 1, n do objs[i] = {}; memo(objs[i]) end return objs end
local objs = fill(5)
local function churn() for i = 1, 20 do memo({}) end end
churn()
collectgarbage()
print(count(cache))
objs = nil
collectgarbage()
print(count(cache))
print(getmetatable(cache).__mode)
