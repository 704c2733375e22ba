-- table.insert(t, v) and table.remove(t) on plain arrays, and everything around them.
local t = {}
table.insert(t, 1); table.insert(t, 2); table.insert(t, nil); table.insert(t, 3)
print(#t, t[1], t[2], t[3], t[4])
print(table.remove(t), table.remove(t), #t, table.remove(t), table.remove(t), table.remove(t), #t)
local e = {}
print(table.remove(e), #e, table.remove(e, 0), table.remove(e, 1))
print(pcall(table.remove, e, 2))
-- holes at the end are trimmed when the last element goes
local h = {1, 2, nil, nil, 5}
print(#h, table.remove(h), #h)
-- a hash part present: the general path
local m = {1, 2, 3, x = "x"}
table.insert(m, 4); print(#m, table.remove(m), #m, m.x)
-- metatables: __len and __index / __newindex are honoured
local log = {}
local p = setmetatable({}, {__len = function() return 2 end,
  __index = function(_, k) return "i" .. k end,
  __newindex = function(tt, k, v) log[#log + 1] = k .. "=" .. tostring(v); rawset(tt, k, v) end})
table.insert(p, "a")
print(table.remove(p), table.concat(log, " "))
-- removing while traversing with next
local r = {10, 20, 30, 40}
local seen = {}
for k, v in pairs(r) do seen[#seen + 1] = k .. ":" .. v; if k == 2 then table.remove(r); table.remove(r) end end
print(table.concat(seen, " "), #r)
-- errors
print(pcall(table.insert, nil, 1))
print(pcall(table.insert, {}, 1, 2, 3))
print(pcall(table.remove, "abc"))
print(pcall(table.insert, {}))
print(select("#", table.insert({}, 1)), select("#", table.remove({})))
-- a stack
local st, acc = {}, 0
for i = 1, 100 do
  table.insert(st, i)
  if i % 3 == 0 then acc = acc + table.remove(st); table.insert(st, i * 2) end
end
while #st > 0 do acc = acc + table.remove(st) end
print(acc, #st, st[1])
