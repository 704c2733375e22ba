-- Reads with computed integer keys: inside the array part, past its end, zero
-- and negative keys, keys in the hash part, empty tables, __index, non-tables
local t = {10, 20, 30}
local out = {}
for i = -1, 5 do out[#out + 1] = tostring(t[i]) end
print(table.concat(out, " "))

local sparse = {}
for i = 1, 5 do sparse[i * 1000] = i end
local s = 0
for i = 1, 5 do s = s + sparse[i * 1000] end
print(s, sparse[3], sparse[0])

local empty = {}
for i = 1, 3 do io.write(tostring(empty[i]), " ") end print()

local proxy = setmetatable({1}, {__index = function(_, k) return k * 100 end})
for i = 0, 3 do io.write(proxy[i], " ") end print()

local holes = {1, nil, 3}
for i = 1, 4 do io.write(tostring(holes[i]), " ") end print()

local function sum(a, n) local r = 0 for i = 1, n do r = r + (a[i] or 0) end return r end
print(sum({1, 2, 3}, 10), sum({}, 3), pcall(sum, "abc", 2))
print(pcall(sum, 5, 1))
local big = {}
for i = 1, 100 do big[i] = i end
local k = math.maxinteger
print(big[k], big[k - 1], big[math.mininteger], big[100], big[101])
