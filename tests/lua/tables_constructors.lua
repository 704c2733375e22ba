local function three() return 1, 2, 3 end
local function none() end
local cases = {
  {three()}, {three(), three()}, {(three())}, {three(), nil}, {none()}, {none(), 1}, {1, none()},
  {[1] = "a", [2] = "b"}, {"x", [1] = "y"}, {x = 1, "pos1", y = 2, "pos2"},
}
for i, t in ipairs(cases) do
  local parts = {}
  for j = 1, 8 do parts[j] = tostring(t[j]) end
  print(i, table.concat(parts, " "))
end
local t = {
  1, 2, 3;
  a = "A"; b = "B",
  ["with space"] = true,
  [10] = "ten",
  [1 + 1] = "override?",
  nested = {deep = {deeper = {"bottom"}}},
  fn = function(self) return self.a end,
  [{}] = "table key",
}
print(t[1], t[2], t[3], t.a, t.b, t["with space"], t[10], t.nested.deep.deeper[1], t:fn())
-- constructor order of evaluation for positional items
local order = {}
local function rec(x) order[#order + 1] = x; return x end
local o = {rec(1), rec(2), k = rec(3), rec(4)}
print(table.concat(order, ","), #o)
-- large constructor
local big = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
  21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
  41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60}
print(#big, big[60])
local s = 0
for _, v in ipairs(big) do s = s + v end
print(s)
-- vararg expansion at end of a long constructor
local function va(...) return {"a", "b", ...} end
local r = va(1, 2, 3)
print(#r, r[5])
-- trailing separators and empty
print(#{}, #{1,}, #{1;}, #{1, 2,})
-- nested constructors sharing references
local shared = {v = 1}
local holder = {shared, shared, {shared}}
holder[1].v = 42
print(holder[2].v, holder[3][1].v)
-- table.unpack on constructor with nils
print(table.unpack({1, nil, 3}, 1, 3))
print(select("#", table.unpack({n = 3}, 1, 3)))
