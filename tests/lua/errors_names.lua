-- variable kinds in error messages
local upv = nil
glob_nil = nil
local t = {sub = {}}
local cases = {
  function() local loc; return loc.x end,
  function() return glob_nil.x end,
  function() return upv.x end,
  function() return t.sub.missing.x end,
  function() return t.nofunc() end,
  function() return t:nomethod() end,
  function() return glob_nil() end,
  function() local fn; fn() end,
  function() return upv() end,
  function() return t.sub.a + 1 end,
  function() local s = "str"; return s * {} end,
  function() return -t.sub end,
  function() return t.sub.x .. "a" end,
  function() local n = nil; return n .. "x" end,
  function() return upv < 1 end,
  function() return #upv end,
  function() return #t.sub.q end,
  function() return upv.a.b end,
  function() t.sub.x.y = 1 end,
  function() glob_nil.field = 1 end,
  function() upv[1] = 2 end,
  function() return ("x")() end,
  function() return (1)() end,
  function() return t[1]() end,
  function() return t.sub[true].x end,
  function() return string.nonexistent("a") end,
  function() return math.sin("a") end,
  function() return ("abc"):nomethod() end,
  function() return true + 1 end,
  function() local b = false; return b.x end,
  function() return 1 & 1.5 end,
  function() local f = 2.5; return f | 1 end,
  function() return "a" | 1 end,
  function() return 10 // 0 end,
  function() return 10 % 0 end,
  function() return {} .. {} end,
  function() return print .. "x" end,
  function() return coroutine.create(print) + 1 end,
  function() for i = 1, "x" do end end,
  function() local a = {} ; return a.b.c.d end,
  function() return setmetatable({}, {__index = function() error("from __index") end}).k end,
  function() return setmetatable({}, {__add = function(a, b) return a.nope.x end}) + 1 end,
}
for i, f in ipairs(cases) do
  local ok, e = pcall(f)
  print(i, ok, e)
end
