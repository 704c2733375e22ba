local callable = setmetatable({}, {__call = function(self, a, b) return "called with", a, b end})
print(callable(1, 2))
print(callable())
local counter = setmetatable({n = 0}, {__call = function(self, inc) self.n = self.n + (inc or 1); return self.n end})
counter(); counter(5)
print(counter(), counter.n)
print(pcall(callable, "x"))
-- __call chained: the __call value is itself callable table
local inner = setmetatable({}, {__call = function(self, ...) return "inner", select("#", ...) end})
local outer = setmetatable({}, {__call = inner})
print(outer(1, 2))
-- __tostring
local P = {}
P.__tostring = function(p) return "Point(" .. p.x .. ", " .. p.y .. ")" end
local pt = setmetatable({x = 1, y = 2}, P)
print(pt, tostring(pt))
print(string.format("%s!", pt))
-- __tostring must return a string
local bad = setmetatable({}, {__tostring = function() return 42 end})
print(pcall(tostring, bad))
print(pcall(tostring, setmetatable({}, {__tostring = function() return {} end})))
-- __name
local named = setmetatable({}, {__name = "MyClass"})
print((tostring(named):gsub("0x%x+", "ADDR")))
print(pcall(function() return named + 1 end))
print(pcall(function() return #named < 1 end))
print(pcall(function() return named < named end))
-- __name with non-string is ignored
local n2 = setmetatable({}, {__name = 42})
print((tostring(n2):gsub("0x%x+", "ADDR")))
-- __tostring + print of multiple objects
print(pt, pt, 1, nil, true)
-- __call in method call syntax
local obj = {m = setmetatable({}, {__call = function(self, o, x) return x * 2 end})}
print(obj:m(21))
-- call a non-callable
print(pcall(function() local t = {}; t() end))
print(pcall(function() local t = setmetatable({}, {}); t() end))
