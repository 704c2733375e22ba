-- table.concat: the one-join fast path (a plain sequence of strings) and the rest
local t = {"a", "bb", "ccc", "d", "e", "f"}
print(table.concat(t), table.concat(t, ", "), table.concat(t, 7))
print(table.concat({1, 2.5, "x"}, ","), table.concat({"x", 1, 2.5}, ","), table.concat({}, ","))
print(pcall(table.concat, {1, nil, 3}))
print(pcall(table.concat, {"a", nil, "c"}))
print(pcall(table.concat, {"a", {}, "c"}))
print(pcall(table.concat, {"a", true}))
print(table.concat({"a", "b", "c"}, "-", 2), table.concat({"a", "b", "c"}, "-", 2, 3), table.concat({"a"}, "-", 3))
local h = {"a", "b"}
h.x = 1
print(table.concat(h, "."))
local e = {"a", "b"}
e[2] = nil
print(table.concat(e, "."))
print(table.concat(setmetatable({}, {__index = function(_, i) return "i" .. i end, __len = function() return 3 end})))
print(table.concat(setmetatable({"p", "q"}, {__index = function() return "z" end})))
print(pcall(table.concat, {"a"}, {}))
print(table.concat({"\0", "b\0"}, "\0") == "\0\0b\0")
