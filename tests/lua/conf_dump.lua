-- string.dump / binary chunks: header, upvalues, stripping, truncation
local f = load(string.dump(function () return 1 end), nil, "b", {})
print(type(f), f())
local x; XX = 123
local function h ()
  local y=x
  return XX
end
local d = string.dump(h)
x = load(d, "", "b")
print(debug.getupvalue(x, 2))
debug.setupvalue(x, 2, _G)
print(x())
local a, b = 20, 30
x = load(string.dump(function (x)
  if x == "set" then a = 10+b; b = b+1 else
  return a
  end
end), "", "b", nil)
print(x(), debug.setupvalue(x, 1, "hi"), x(), debug.setupvalue(x, 2, 13), debug.setupvalue(x, 3, 10))
x("set") print(x())
local s = string.dump(load("return 1 + ..."))
print(load(s)(2), load(s:sub(1, -2)), (load(s, nil, "t")))
local f2 = load(string.dump(function (a) return a + 1 end, true))
print(f2(3), pcall(f2, {}))
local f3 = load(string.dump(function () local a; a = {}; return a + 2 end, true))
print(pcall(f3))
print(pcall(string.dump, print))
local c = string.dump(function () return 10 end)
for i = 1, #c - 1 do
  local st, msg = load(string.sub(c, 1, i))
  assert(not st and string.find(msg, "truncated"), msg)
end
print(select(2, load(c:sub(1, 5) .. "x" .. c:sub(7))))
print(select(2, load("\27Lux")))
print((select(2, load(function () error("in reader") end)):match("^[^\n]*")))
print((select(2, load(function () return {} end)):match("^[^\n]*")))
-- the same text loaded under two names keeps both names
local fa = load("return function () error('x') end", "=a")()
local fb = load("return function () error('x') end", "=b")()
print(pcall(fa))
print(pcall(fb))
-- tail calls through a chain of __call metamethods stay tail calls
local n = 10000
local function foo ()
  if n == 0 then return 1023 end
  n = n - 1
  return foo()
end
for _ = 1, 100 do foo = setmetatable({}, {__call = foo}) end
print(coroutine.wrap(function () return foo() end)())
print(pcall(debug.upvaluejoin, print, 1, foo, 1))
