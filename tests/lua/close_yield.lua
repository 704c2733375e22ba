-- a __close may yield on a normal way out of its scope: block end, return,
-- a generic for's closing value, nested functions called through pcall
local trace = {}
local function tbc(name)
  return setmetatable({}, {__close = function(_, err)
    trace[#trace + 1] = name .. "1"
    local v = coroutine.yield(name)
    trace[#trace + 1] = name .. "2:" .. tostring(v)
  end})
end
local co = coroutine.wrap(function(...)
  local x <close> = tbc("x")
  do
    local y <close> = tbc("y")
    trace[#trace + 1] = "body"
  end
  local r = {pcall(function(a, b)
    local z <close> = tbc("z")
    local w <close> = tbc("w")
    return a + b, "r"
  end, 1, 2)}
  trace[#trace + 1] = table.concat({tostring(r[1]), tostring(r[2]), tostring(r[3])}, ",")
  local function iter(s, i) if i < 2 then return i + 1 end end
  for i in iter, nil, 0, tbc("for") do trace[#trace + 1] = "i" .. i end
  for i in iter, nil, 0, tbc("forbreak") do break end
  return "done", ...
end)
local out = {}
local v = co("arg")
while v ~= "done" do out[#out + 1] = v; v = co(#out) end
print(table.concat(out, " "))
print(table.concat(trace, " "))
-- the values returned are computed before the closes
local function f()
  local n = 1
  local c <close> = setmetatable({}, {__close = function() n = n + 1; coroutine.yield(n) end})
  return n
end
local g = coroutine.wrap(function() return "ret", f() end)
print(g()) print(g())
-- and on a way out by an error: the handlers get the error (or the one a
-- __close made), yield, and the error goes on to the pcall
local log = {}
local h = coroutine.wrap(function()
  local function foo(err)
    local z <close> = setmetatable({}, {__close = function(_, msg) log[#log + 1] = "z:" .. tostring(msg); coroutine.yield("z") end})
    local y <close> = setmetatable({}, {__close = function(_, msg)
      log[#log + 1] = "y:" .. tostring(msg); coroutine.yield("y"); if err then error(err + 20, 0) end end})
    local x <close> = setmetatable({}, {__close = function(_, msg) log[#log + 1] = "x:" .. tostring(msg); coroutine.yield("x") end})
    if err == 10 then error(err, 0) else return 10, 20 end
  end
  coroutine.yield(pcall(foo, nil))
  coroutine.yield(pcall(foo, 1))
  return pcall(foo, 10)
end)
local got = {}
for i = 1, 12 do local a, b = h(); got[#got + 1] = tostring(a) .. "/" .. tostring(b) end
print(table.concat(got, " "))
print(table.concat(log, " "))
-- a frame suspended below a to-be-closed block whose callee fails after resuming
local k = coroutine.wrap(function()
  local function inner() coroutine.yield("in") error("boom", 0) end
  local function outer()
    local v <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "v:" .. tostring(e) end})
    inner()
  end
  return pcall(outer)
end)
print(k()) print(k()) print(log[#log])
