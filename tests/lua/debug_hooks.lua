do
  local co = coroutine.create(function ()
    coroutine.yield(10)
    return 20;
  end)
  local trace = {}
  local function dotrace (event)
    trace[#trace + 1] = event
  end
  debug.sethook(co, dotrace, "clr")
  repeat until not coroutine.resume(co)
  print(table.concat(trace, " "))
end
local function func2close(f) return setmetatable({}, {__close = f}) end
do
  local trace = {}
  local function hook (event)
    trace[#trace + 1] = event .. " " .. debug.getinfo(2).name
  end
  local function foo (...)
    local x <close> = func2close(function (_,msg)
      trace[#trace + 1] = "x"
    end)
    local y <close> = func2close(function (_,msg)
      debug.sethook(hook, "r")
    end)
    return ...
  end
  local t = {foo(10,20,30)}
  debug.sethook()
  print(table.concat(trace, " "), #t)
end
local lines = {}
debug.sethook(function(e, l) lines[#lines + 1] = l end, "l")
local s = 0
for i = 1, 3 do
  s = s + i
end
debug.sethook()
print(table.concat(lines, " "), debug.gethook())
-- call and return events of Lua functions and builtins, with their names
local ev = {}
local function sq(x) return x * x end
local function twice(x) return sq(x) + sq(x) end
debug.sethook(function(e) local i = debug.getinfo(2, "n") ev[#ev + 1] = e .. ":" .. tostring(i and i.name) end, "cr")
local r = twice(3)
local n = select("#", 1, 2)
debug.sethook()
print(r, n, table.concat(ev, " "))
-- an error unwinding frames calls no return hook
ev = {}
debug.sethook(function(e) ev[#ev + 1] = e end, "r")
local ok = pcall(function() error("x") end)
debug.sethook()
print(ok, table.concat(ev, " "))
