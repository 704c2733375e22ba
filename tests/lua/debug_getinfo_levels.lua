-- debug.getinfo by level on Lua frames: what, source, lines, func, names
local function show(i)
  return string.format("%s %s %s cur=%s def=%s last=%s", i.what, i.short_src, i.source,
    tostring(i.currentline), tostring(i.linedefined), tostring(i.lastlinedefined))
end

local function f()
  local i = debug.getinfo(1, "Sfl")
  print(show(i), i.func == f)
  local j = debug.getinfo(2, "Sl")
  print(show(j))
  return i
end
f()
print(show(debug.getinfo(1)))
print(debug.getinfo(1, "f").func ~= nil)

function g() return debug.getinfo(1, "f").func == g end
print(g())

-- the running function through pcall, a metamethod, sort, gsub, a coroutine
print(pcall(function() return debug.getinfo(1, "S").what end))
local self_ref
self_ref = function() return debug.getinfo(1, "f").func == self_ref end
print(pcall(self_ref))
local mt = setmetatable({}, {__index = function(t, k)
  local i = debug.getinfo(1, "Sn")
  return i.what .. " " .. tostring(i.name) .. " " .. i.namewhat
end})
print(mt.x)
local cmp_ok
local function cmp(a, b) cmp_ok = debug.getinfo(1, "f").func == cmp; return a < b end
table.sort({3, 1, 2}, cmp)
print(cmp_ok)
local function rep(s) return debug.getinfo(1, "S").what end
print((string.gsub("ab", "%w", rep)))
local co = coroutine.create(function(a)
  local i = debug.getinfo(1, "Sl")
  coroutine.yield(i.what .. " " .. i.currentline)
  local k = debug.getinfo(1, "Slf")
  return k.what .. " " .. k.currentline .. " " .. tostring(k.func ~= nil)
end)
print(coroutine.resume(co))
print(coroutine.resume(co))

-- getfenv emulation (as compat libraries write it)
local function getfenv(fn)
  fn = type(fn) == "function" and fn or debug.getinfo(fn + 1, "f").func
  local up = 0
  repeat
    up = up + 1
    local name, val = debug.getupvalue(fn, up)
    if name == "_ENV" then return val end
  until name == nil
end
local function uses_env() return print end
print(getfenv(uses_env) == _ENV, getfenv(1) == _ENV)

-- strict-mode style: who is assigning?
local function what()
  local d = debug.getinfo(3, "S")
  return d and d.what or "C"
end
local strict = setmetatable({}, {__newindex = function(t, k, v)
  print("assign from", what()); rawset(t, k, v)
end})
strict.a = 1
local function assign() strict.b = 2 end
assign()

-- option filtering and errors
local function keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks)
  return table.concat(ks, " ")
end
print(keys(debug.getinfo(1, "S")))
print(keys(debug.getinfo(1, "l")))
print(keys(debug.getinfo(1, "u")))
print(keys(debug.getinfo(1, "t")))
print(keys(debug.getinfo(1, "r")))
print(keys(debug.getinfo(print, "Sn")))
print(keys(debug.getinfo(0, "Sn")), debug.getinfo(0, "n").name)
print(pcall(debug.getinfo, 1, "X"))
print(pcall(debug.getinfo, 1, ">S"))
print(pcall(debug.getinfo, "x"))
print(pcall(debug.getinfo, 1.5))
print(debug.getinfo(1000))
print(debug.getinfo("1", "S").what)
local function vf(a, b, ...) return debug.getinfo(1, "u") end
local u = vf()
print(u.nparams, u.isvararg, u.nups)
local function lines(fn)
  local ls = {}
  for k in pairs(debug.getinfo(fn, "L").activelines) do ls[#ls + 1] = k end
  table.sort(ls)
  return table.concat(ls, " ")
end
local function body(a)
  local b = a + 1

  return b
end
print(lines(body))
print(debug.getinfo(print, "L").activelines)
local obj = {}
function obj:m() local i = debug.getinfo(1, "n"); return i.name .. " " .. i.namewhat end
print(obj:m())
for _ in function() print(debug.getinfo(1, "n").namewhat); return nil end do end
