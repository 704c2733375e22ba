-- _ENV as a local
local function sandbox(code, env)
  local f, err = load(code, "sandbox", "t", env)
  if not f then return "compile error: " .. err end
  local ok, r = pcall(f)
  if ok then return r end
  return "runtime error: " .. tostring(r)
end
print(sandbox("return 1 + 1", {}))
print(sandbox("return x * 2", {x = 21}))
print(sandbox("return print", {}))
print(sandbox("y = 5; return y", {}))
print(sandbox("return string.upper('x')", {string = string}))
print(sandbox("return undefinedfn()", {}))
print(sandbox("return +", {}))
-- global writes go to the env table
local env = {}
load("a = 1; b = 'two'; function c() return 3 end", "envtest", "t", env)()
local keys = {}
for k in pairs(env) do keys[#keys + 1] = k end
table.sort(keys)
print(table.concat(keys, ","), env.a, env.b, env.c())
-- local _ENV shadows globals within a block
local print = print
do
  local _ENV = {x = "inner x"}
  print(x)
  y = "set in inner"
  print(_ENV.y)
end
print(x, y)
-- _ENV as upvalue in functions
local function make()
  local _ENV = {val = 10}
  return function() val = val + 1; return val end
end
local inc = make()
print(inc(), inc())
-- _ENV with __index fallback to _G
local proxyenv = setmetatable({}, {__index = _G})
local f = load("z = 100; return z + math.floor(2.5)", "p", "t", proxyenv)
print(f(), rawget(proxyenv, "z"), rawget(_G, "z"))
-- tracking global accesses
local reads = {}
local tracked = setmetatable({}, {__index = function(_, k) reads[#reads + 1] = k; return _G[k] end})
load("local a = tostring(1); local b = type(a); return math.abs(-1)", "t", "t", tracked)()
print(table.concat(reads, ","))
-- strict mode
local strict = setmetatable({}, {__index = function(_, k) error("undeclared global '" .. k .. "'", 2) end,
  __newindex = function(t, k, v) rawset(t, k, v) end})
local sf = load("declared = 1; return declared + undeclared", "=strict", "t", strict)
print(pcall(sf))
-- _G is just a regular global
print(_G._G == _G, _ENV == _G)
local saved = _G.tostring
_G.tostring = function(v) return "patched" end
print(tostring(1))
_G.tostring = saved
print(tostring(1))
-- function defined as global goes into _ENV
function globalfn() return "gf" end
print(_G.globalfn(), rawget(_G, "globalfn") ~= nil)
globalfn = nil
print(globalfn)
