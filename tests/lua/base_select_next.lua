print(select("#"), select("#", 1), select("#", nil), select("#", 1, nil, nil))
print(select(1, "a", "b", "c"))
print(select(3, "a", "b", "c"))
print(select(4, "a", "b", "c"))
print(select(-1, "a", "b", "c"))
print(select(-3, "a", "b", "c"))
print(pcall(select, -4, "a", "b", "c"))
print(pcall(select, 0))
print(select(2.0, "x", "y"))
print(pcall(select, 1.5, "x"))
print(select("2", "x", "y"))
-- next semantics
local t = {10, 20, 30}
local k, v = next(t)
local seen = {}
while k do seen[#seen + 1] = k .. "=" .. v; k, v = next(t, k) end
print(table.concat(seen, " "))
print(next({}, nil), rawequal(next, pairs({})))
local p1, p2, p3 = pairs({})
print(p1 == next, type(p2), p3)
local i1, i2, i3 = ipairs({})
print(type(i1), type(i2), i3)
print(pcall(next))
print(pcall(pairs))
local okn, fnn, sn, in0 = pcall(ipairs, nil)
print(okn, type(fnn), sn, in0)
-- ipairs on non-table with __index
local s = setmetatable({}, {__index = function(_, i) if i < 4 then return i * 11 end end})
for i, val in ipairs(s) do io.write(i, ":", val, " ") end print()
-- ipairs on a string fails gracefully? (string has __index=string table)
print(pcall(function() for i, c in ipairs("abc") do end return "no iterations" end))
-- rawequal / rawlen / rawget / rawset
local r = {}
print(rawset(r, "k", "v") == r, rawget(r, "k"), rawlen({1, 2, 3}), rawlen("four"))
print(pcall(rawset, r, nil, 1))
print(pcall(rawset, "str", 1, 1))
print(rawequal(r, r), rawequal(r, {}), rawequal(1, 1.0), rawequal("x", "x"))
-- tostring/tonumber round trip
for _, n in ipairs({0, -1, 3.5, 1e100, -2^63, 2^63, 255}) do
  local s1 = tostring(n)
  io.write(s1, "->", tostring(tonumber(s1)), " ")
end
print()
-- type() of all kinds
local kinds = {nil, true, 1, "s", {}, print, coroutine.create(print)}
for i = 1, 7 do io.write(type(kinds[i]), " ") end print()
