-- metamethods that are not functions
local mt = {__add = 34, __index = 1, __newindex = 2, __lt = 3, __le = 4, __concat = 5,
            __len = 6, __unm = 7, __eq = 8, __call = 9, __close = 10, __bnot = 11, __band = 12}
local a = setmetatable({}, mt)
local b = setmetatable({}, mt)
print(pcall(function () return a + 1 end))
print(pcall(function () return a.x end))
print(pcall(function () a.x = 1 end))
print(pcall(function () return a < 1 end))
print(pcall(function () return a <= 1 end))
print(pcall(function () return a .. 1 end))
print(pcall(function () return #a end))
print(pcall(function () return -a end))
print(pcall(function () return ~a end))
print(pcall(function () return a & 1 end))
print(pcall(function () return a == b end))
print(pcall(function () return a() end))
print(pcall(function () local x <close> = a end))
-- __index / __newindex may be any indexable value
local s = setmetatable({}, {__index = "abc"})
print(s.len == string.len, s.x)
local log = {}
local proxy = setmetatable({}, {__newindex = setmetatable({}, {__newindex = function (_, k, v) log[#log + 1] = k .. "=" .. v end})})
proxy.a = 1
print(log[1], rawget(proxy, "a"))
-- a table with __call as a metamethod
local callable = setmetatable({}, {__call = function (self, x, y) return "called", rawequal(self, callable), y end})
print(setmetatable({}, {__add = callable}) + 5)
