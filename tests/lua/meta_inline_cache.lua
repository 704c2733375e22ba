-- Field and method lookups through __index chains stay right when any table
-- on the chain changes (luavm caches these lookups per site).
local A = {}; A.__index = A
function A:f() return "A.f" end
function A:g() return "A.g" end
local B = setmetatable({}, {__index = A}); B.__index = B
local o = setmetatable({}, B)

local function show(tag) print(tag, o:f(), type(o.x) == "function" and "fn" or o.x, o.g and o:g()) end
for i = 1, 3 do show(i) end
function B:f() return "B.f" end; show("B.f defined")
B.f = nil; show("B.f removed")
o.f = function() return "own" end; show("own f")
o.f = nil; show("own removed")
rawset(A, "x", 42); show("rawset A.x")
A.x = nil; show("A.x nil")
getmetatable(B).__index = { f = function() return "C.f" end }; show("chain swapped")
setmetatable(B, { __index = A }); show("chain back")
setmetatable(B, nil); print(pcall(show, "chain cut"))
setmetatable(B, { __index = function(t, k) return function() return "fn " .. k end end })
show("function __index")
B.__index = A; show("B.__index = A")
setmetatable(o, nil); print(o.f, o.x)
setmetatable(o, B)

-- polymorphic site: several classes at one call site
local classes = {}
for i = 1, 12 do
  local c = {}; c.__index = c
  c.name = function() return "class" .. i end
  classes[i] = c
end
local objs = {}
for i = 1, 12 do objs[i] = setmetatable({}, classes[i]) end
for round = 1, 2 do
  local out = {}
  for i = 1, 12 do out[#out + 1] = objs[i]:name() end
  print(table.concat(out, " "))
  classes[5].name = function() return "changed" end
end

-- a static field that changes every iteration
local Counter = {}; Counter.__index = Counter; Counter.n = 0
local c = setmetatable({}, Counter)
for _ = 1, 5 do Counter.n = c.n + 1 end
print(Counter.n, c.n)

-- string methods follow string and the string metatable
local s = "abc"
print(s:upper(), s:len())
local up = string.upper
string.upper = function(x) return "UP(" .. x .. ")" end
print(s:upper())
string.upper = up
print(s:upper())
local smt = getmetatable("")
smt.__index = setmetatable({}, { __index = string })
print(s:upper(), s:rep(2))
smt.__index.upper = function() return "shadowed" end
print(s:upper())
smt.__index = string
print(s:upper())

-- tombstones and table.remove-style churn in a class table
local K = {}; K.__index = K
local k = setmetatable({}, K)
for i = 1, 20 do K["f" .. i] = i end
print(k.f3, k.f20)
for i = 1, 20 do K["f" .. i] = nil end
print(k.f3, k.f20)
K.f3 = "back"; print(k.f3)

-- errors keep their names
print(pcall(function() local n; return n.x end))
print(pcall(function() return o:nosuch() end))
print(pcall(function() return ("x"):nosuch() end))
local loop = {}; setmetatable(loop, { __index = loop })
print(pcall(function() local t = setmetatable({}, { __index = loop }); return t.zzz end))

-- strings without a metatable, or whose metatable has no __index
local str = "x"
debug.setmetatable("", nil)
print(pcall(function() return str:upper() end))
print(pcall(function() return str.len end))
debug.setmetatable("", {})
print(pcall(function() return str:upper() end))
getmetatable("").__index = string
print(str:upper())
debug.setmetatable("", smt)
print(str:upper())
