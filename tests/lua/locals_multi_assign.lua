-- `local a, b = e1, e2`: each value computed straight into its local, in order
local x = "outer"
do local x, y = 1, x; print(x, y) end
do local y, x = x, 2; print(x, y) end
local function f() return 1, 2, 3 end
local a, b, c = f(), f(), f()
print(a, b, c)
local p, q = (f())
print(p, q)
local t = {n = 5}
local i, j = t.n, t.n + 1
print(i, j)
local ok, err = pcall(function() local u, v = 1, nil + 1 end)
print(ok, (err:gsub("^.-:%d+: ", "")))
local co = coroutine.wrap(function(a0)
  local m, n, o = a0, coroutine.yield(a0 + 1), a0 * 2
  print("in", m, n, o)
  local r, s = coroutine.yield(m), coroutine.yield(n)
  return r, s
end)
print(co(10)); print(co(20)); print(co(30)); print(co(40))
local function g(k) local s, e = k * 2.5, k + 1 return s + e end
print(g(2), g(3), pcall(g, "x"), g("4"))
for k = 1, 3 do local u, w = k, k * k; io.write(u + w, " ") end print()
local h1, h2 = function() return x end, function() return i end
print(h1(), h2())
