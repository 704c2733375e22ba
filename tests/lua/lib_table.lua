local t = {}
table.insert(t, "a"); table.insert(t, "c"); table.insert(t, 2, "b"); table.insert(t, 1, "start")
print(table.concat(t, ","), #t)
print(table.remove(t), table.concat(t, ","))
print(table.remove(t, 1), table.concat(t, ","))
print(table.remove({}), table.remove({}, 0), #t)
local e = {}
print(table.remove(e, #e), table.remove(e, #e + 1))
print(pcall(table.insert, {1, 2}, 5, "x"))
print(pcall(table.remove, {1, 2}, 5))
print(table.concat({1, 2, 3}), table.concat({1, 2, 3}, "-"), table.concat({1, 2, 3}, "-", 2), table.concat({1, 2, 3}, "-", 2, 3), table.concat({}, "x"))
print(table.concat({1, 2.5, "s"}, " "), table.concat({"a", "b"}, ", ", 3), table.concat({"a"}, ", ", 1, 1))
-- sort
local nums = {5, 3, 8, 1, 9, 2, 7, 4, 6, 10}
table.sort(nums)
print(table.concat(nums, " "))
table.sort(nums, function(a, b) return a > b end)
print(table.concat(nums, " "))
local words = {"banana", "Apple", "cherry", "apple", "Banana"}
table.sort(words)
print(table.concat(words, " "))
table.sort(words, function(a, b) return a:lower() < b:lower() or (a:lower() == b:lower() and a < b) end)
print(table.concat(words, " "))
local recs = {{name = "bob", age = 30}, {name = "alice", age = 25}, {name = "carol", age = 35}, {name = "dave", age = 25}}
table.sort(recs, function(a, b) if a.age ~= b.age then return a.age < b.age end return a.name < b.name end)
for _, r in ipairs(recs) do io.write(r.name, ":", r.age, " ") end print()
local okc, errc = pcall(table.sort, {3, "a", 1})
print(okc, errc:match("^attempt to compare %a+ with %a+$") ~= nil)
local big = {}
for i = 1, 200 do big[i] = (i * 7919) % 211 end
table.sort(big)
local sorted = true
for i = 2, #big do if big[i - 1] > big[i] then sorted = false end end
print(sorted, big[1], big[200])
local fl = {3.5, -1, 2, 2.5, 1e10, -math.huge, math.huge, 0}
table.sort(fl)
print(table.concat(fl, " "))
-- unpack
print(table.unpack({1, 2, 3}))
print(table.unpack({1, 2, 3}, -1, 1))
print(select("#", table.unpack({}, 1, 3)))
-- move
local src = {1, 2, 3, 4, 5}
local dst = table.move(src, 2, 4, 1, {})
print(table.concat(dst, ","))
table.move(src, 1, 3, 3)
print(table.concat(src, ","))
local s2 = {1, 2, 3, 4, 5}
table.move(s2, 3, 5, 1)
print(table.concat(s2, ","))
print(#table.move({}, 1, 0, 1, {9}))
-- pack
local p = table.pack("a", nil, "c")
print(p.n, p[1], p[2], p[3])
-- insert with __index/__newindex metamethods (5.4 table lib respects them)
local log = {}
local proxy = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v) end})
table.insert(proxy, "x"); table.insert(proxy, "y")
print(table.concat(log, ","), #proxy)
-- concat with numbers and invalid values
print(pcall(table.concat, {1, nil, 3}, ",", 1, 3))
-- remove shifting
local r = {1, 2, 3, 4, 5}
table.remove(r, 2)
print(table.concat(r, ","), #r)
table.remove(r, #r + 1)
print(table.concat(r, ","))
-- stack and queue simulation
local stack = {}
for i = 1, 5 do stack[#stack + 1] = i * i end
local popped = {}
while #stack > 0 do popped[#popped + 1] = table.remove(stack) end
print(table.concat(popped, " "))
