-- next with keys that are not in the table; ipairs wraps around
print(pcall(next, {10, 20}, 3))
print(pcall(next, {}, 1))
print(pcall(next, {10, 20}, "x"))
local t = {1, 2, 3, 4, 5, x = 1, y = 2}
for k in pairs(t) do t[k] = nil end
print(next(t))
t = {1, 2, 3}
for k, v in pairs(t) do table.remove(t) end
print(next(t))
local f = ipairs{}
local k, v = f({[math.mininteger] = 10}, math.maxinteger)
print(k == math.mininteger, v)
print(f({[math.mininteger] = 10}, k))
print(f({1, 2}, 1.0))
print(pcall(f, {1, 2}, "x"))
print(pcall(function () for k in f, {1, 2}, "x" do end end))
print(pcall(function () for k in next, {1, 2}, "x" do end end))
