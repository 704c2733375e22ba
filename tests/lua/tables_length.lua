-- # on proper sequences
local t = {}
for i = 1, 20 do t[i] = i; io.write(#t, " ") end print()
for i = 20, 1, -1 do t[i] = nil; io.write(#t, " ") end print()
print(#{}, #{nil}, #{1, 2, 3}, #{n = 1}, #{1, 2, x = 3})
local s = {"a", "b", "c"}
s[#s + 1] = "d"
s[#s + 1] = "e"
print(#s, s[#s])
table.insert(s, "f")
print(#s, table.remove(s), #s)
-- strings
print(#"", #"abc", #("x"):rep(1000))
-- __len used for #
local L = setmetatable({}, {__len = function(t) return 99 end})
print(#L, rawlen(L))
-- length of table built by table.pack with nils has field n
local p = table.pack(1, 2, 3)
print(#p, p.n)
-- sequence built with float keys that are integral
local f = {}
f[1.0] = "a"; f[2.0] = "b"; f[3] = "c"
print(#f, f[2], math.type(next(f)))
-- ipairs stops at first nil; # on a fresh constructor
local arr = {10, 20, 30, nil}
print(#arr)
local cnt = 0
for _ in ipairs({1, 2, 3, nil, 5}) do cnt = cnt + 1 end
print(cnt)
-- growing via t[#t+1] in loop then shrinking
local g = {}
for i = 1, 1000 do g[#g + 1] = i * 2 end
print(#g, g[1000])
while #g > 10 do g[#g] = nil end
print(#g, g[10])
-- unpack uses #
print(table.unpack({1, 2, 3}))
print(select("#", table.unpack({1, 2, 3})))
-- nested length
local m = {{1, 2}, {3, 4, 5}, {}}
for i = 1, #m do io.write(#m[i], " ") end print()
-- string keys don't count
local h = {1, 2, 3, a = 1, b = 2, c = 3}
print(#h)
