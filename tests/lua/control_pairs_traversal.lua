-- pairs over hash tables: assigning to existing fields and clearing them during the
-- traversal (what Lua allows), boolean and float keys, nested traversals, break
local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = tostring(k) end
  table.sort(ks)
  return table.concat(ks, " ")
end
local t = {a = 1, b = 2, c = 3, d = 4, [true] = "T", [false] = "F", [2.5] = "f"}
print(sorted_keys(t))
local sum = 0
for k, v in pairs(t) do
  if type(v) == "number" then
    t[k] = v * 10          -- existing field: allowed
    sum = sum + v
  end
end
print(sum, t.a, t.d)
local seen = 0
for k in pairs(t) do
  seen = seen + 1
  t.a, t.b, t.c, t.d = nil, nil, nil, nil   -- clearing fields: allowed
end
print(seen >= 1, sorted_keys(t))
local u = {x = 1, y = 2, z = 3}
local n = 0
for k1 in pairs(u) do for k2 in pairs(u) do n = n + 1 end end
print(n)
for k, v in pairs(u) do if v == 2 then print("found", k) break end end
-- many clears force the hash part to be rebuilt while a traversal goes on
local big = {}
for i = 1, 200 do big["k" .. i] = i end
local visited = 0
for k, v in pairs(big) do
  visited = visited + 1
  big[k] = nil
end
print(visited, next(big))
-- next by hand agrees with the loop
local w = {p = 1, q = 2}
local viaNext, viaFor = {}, {}
local k, v = next(w)
while k do viaNext[#viaNext + 1] = k .. v; k, v = next(w, k) end
for k2, v2 in pairs(w) do viaFor[#viaFor + 1] = k2 .. v2 end
table.sort(viaNext) table.sort(viaFor)  -- (the order of a hash part is lua5.4's own)
print(table.concat(viaNext, ","), table.concat(viaFor, ","))
-- a table with an array part still goes through next
local m = {10, 20, x = 30}
local cnt = 0
for _ in pairs(m) do cnt = cnt + 1 end
print(cnt)
