local mt = {}
local function new(v) return setmetatable({v = v}, mt) end
mt.__eq = function(a, b) print("  __eq called"); return a.v == b.v end
mt.__lt = function(a, b) return a.v < b.v end
mt.__le = function(a, b) return a.v <= b.v end
mt.__concat = function(a, b)
  local av = type(a) == "table" and ("<" .. a.v .. ">") or tostring(a)
  local bv = type(b) == "table" and ("<" .. b.v .. ">") or tostring(b)
  return av .. bv
end
mt.__len = function(a) return a.v * 100 end
local a, b, c = new(1), new(2), new(1)
print(a == c, a ~= c, a == b, a == a)
print(a < b, a > b, a <= c, a >= b, b > a)
print(a .. b, a .. "s", "s" .. a, 1 .. a, a .. b .. c)
print(#a, #b)
-- __eq not called for different types or primitive equality
print(a == 1, a == "x")
-- __eq only with both tables
local other = setmetatable({v = 1}, {__eq = function() return true end})
print(a == other, other == a)
-- __lt results converted to boolean
local weird = setmetatable({}, {__lt = function() return 1 end, __le = function() return nil end})
print(weird < weird, weird <= weird, weird > weird)
-- compare errors
print(pcall(function() return {} < {} end))
print(pcall(function() return 1 < "2" end))
print(pcall(function() return {} <= 1 end))
print(pcall(function() return nil > 1 end))
-- __concat with numbers
local cc = setmetatable({}, {__concat = function(x, y) return "cat" end})
print(cc .. 1, 1 .. cc, cc .. cc)
print(pcall(function() return {} .. "x" end))
print(pcall(function() local t = {}; return "x" .. t end))
-- __len
print(#setmetatable({1, 2, 3}, {__len = function() return 42 end}), rawlen(setmetatable({1, 2, 3}, {__len = function() return 42 end})))
print(#"hello", pcall(function() return #5 end))
-- concat chain with metamethod in the middle
local m = setmetatable({}, {__concat = function(x, y)
  return (type(x) == "table" and "M" or x) .. "|" .. (type(y) == "table" and "M" or y)
end})
print("a" .. "b" .. m .. "c" .. "d")
-- sort using __lt
local list = {new(5), new(3), new(9), new(1)}
table.sort(list)
for _, o in ipairs(list) do io.write(o.v, " ") end print()
