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
