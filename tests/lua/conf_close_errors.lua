-- __close during error unwinding and in tracebacks
local function func2close (f) return setmetatable({}, {__close = f}) end
local function foo ()
  local x <close> = func2close(function (self, msg)
    -- after the error, 'foo' is gone: the caller is now 'pcall'
    print("x", debug.getinfo(2).name, msg)
  end)
  local y <close> = func2close(function (self, msg)
    print("y", debug.getinfo(2).name, msg)
    error("@y", 0)
  end)
  error("orig", 0)
end
print(pcall(foo))
local function bar (...)
  local x123 <close> = func2close(function () error("@x123") end)
end
local _, msg = xpcall(bar, debug.traceback)
print((msg:gsub("function <[^>]*>", "function <bar>"):gsub("function 'bar'", "function <bar>")))
local function baz ()
  local xyz <close> = setmetatable({}, {__close = print})
  getmetatable(xyz).__close = nil   -- remove metamethod
end
print(pcall(baz))
-- a message handler sees the stack of the error
local function lvl3 () error("deep") end
local function lvl2 () lvl3() end
print(select(2, xpcall(lvl2, function (m) return debug.traceback(m, 1) end)))
-- assignment targets are evaluated before any assignment
local t = {}
;(function (a) t[a], a = 10, 20 end)(1)
print(t[1], t[20])
-- an error inside a __close while returning: each frame listed once
local function two ()
  local x <close> = setmetatable({}, {__close = function () end})
  local y <close> = setmetatable({}, {__close = function () error("in y") end})
  return 1
end
local _, tb = xpcall(two, debug.traceback)
local n = 0
for _ in tb:gmatch("in local 'two'") do n = n + 1 end
for _ in tb:gmatch("in function <[^>]*>") do n = n + 1 end
print(n)
