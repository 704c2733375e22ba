-- runaway recursion through builtins ends in "C stack overflow"
local function f ()
  local c = coroutine.create(f)
  local _, b = coroutine.resume(c)
  return b
end
print(f())
local function g () local _, b = pcall(g) return b end
print(g())
local function h () return tostring(setmetatable({}, {__tostring = h})) end
print(select(2, pcall(h)))
local co = coroutine.wrap(function () return 1 end)
print(co())
-- light userdata and chunk ids
local x = debug.upvalueid(function () return debug end, 1)
print(pcall(debug.setuservalue, x, {}))
print(debug.getuservalue(x))
for _, n in ipairs{55, 59, 60, 61, 70} do
  local _, msg = load("x", "@" .. string.rep("x", n))
  print(#msg:match("^([^:]*):"))
  _, msg = load("x", "=" .. string.rep("x", n))
  print(#msg:match("^([^:]*):"))
  _, msg = load("x", string.rep("x", n - 10))
  print(#msg:match("^([^:]*):"))
end
-- the iterator call is on the line where the explist starts
print(pcall(load("\n\n for k,v in \n 3 \n do \n print(k) \n end")))
