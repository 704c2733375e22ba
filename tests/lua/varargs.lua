local function count(...) return select("#", ...) end
print(count(), count(nil), count(nil, nil), count(1, nil, 3, nil))
local function pass(...) return ... end
print(pass(1, 2, 3))
print((pass(1, 2, 3)))
print(pass(1, 2, 3), pass(4, 5))
print(pass(), "x")
print(({pass(1, 2, 3)})[3], ({pass(1, 2, 3), 4})[2])
local function first(...) local a = ... return a end
print(first(9, 8, 7))
local function mid(...) local a, b = ..., "fixed" return a, b end
print(mid(1, 2, 3))
local function tail(a, ...) return ... end
print(tail(1, 2, 3), tail(1))
local function packed(...)
  local t = table.pack(...)
  local parts = {}
  for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) end
  return t.n, table.concat(parts, ",")
end
print(packed(1, nil, "x", nil))
print(select(2, pass("a", "b", "c")))
print(select("#", select(2, "a", "b", "c")))
print(pcall(select, "x"))
-- vararg in table constructor positions
local function t(...) return {...}, {..., "end"}, {"start", ...} end
local a, b, c = t(1, 2, 3)
print(#a, #b, #c, b[1], b[2], c[4])
-- multiple assignment
local x, y, z = 1, 2
print(x, y, z)
local p, q = 1, 2, 3
print(p, q)
x, y = y, x
print(x, y)
local arr = {1, 2, 3}
arr[1], arr[2], arr[3] = arr[3], arr[1], arr[2]
print(arr[1], arr[2], arr[3])
local m, n, o = pass(1, 2), 10
print(m, n, o)
m, n, o = 10, pass(1, 2)
print(m, n, o)
m, n, o = (pass(7, 8, 9))
print(m, n, o)
-- varargs in main chunk
print(select("#", ...))
-- string.format with varargs
local function fmt(f, ...) return string.format(f, ...) end
print(fmt("%d-%s-%5.2f", 3, "x", 2.5))
-- varargs through pcall
print(pcall(pass, 1, 2, 3))
print(pcall(count, nil, nil))
-- large vararg count
local big = {}
for k = 1, 200 do big[k] = k end
print(count(table.unpack(big)), select(200, table.unpack(big)))
local function sum(...)
  local s = 0
  for k = 1, select("#", ...) do s = s + (select(k, ...)) end
  return s
end
print(sum(table.unpack(big)))
-- vararg function with named params
local function named(a, b, ...) return a, b, select("#", ...) end
print(named(1), named(1, 2, 3, 4, 5))
-- adjusting in middle of arglist
print(pass(1, 2), pass(3, 4))
print(math.max(pass(5, 9, 2)), string.char(pass(72, 105)))
