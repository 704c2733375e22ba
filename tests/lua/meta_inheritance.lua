-- deep inheritance chain with __index tables
local Base = {}
Base.__index = Base
function Base.new(x) return setmetatable({x = x}, Base) end
function Base:describe() return "Base(" .. self.x .. ")" end
function Base:name() return "base" end
function Base:hello() return "hello from " .. self:name() end

local Mid = setmetatable({}, {__index = Base})
Mid.__index = Mid
function Mid.new(x, y) local o = Base.new(x); o.y = y; return setmetatable(o, Mid) end
function Mid:name() return "mid" end
function Mid:describe() return "Mid(" .. Base.describe(self) .. "," .. self.y .. ")" end

local Leaf = setmetatable({}, {__index = Mid})
Leaf.__index = Leaf
function Leaf.new(x, y, z) local o = Mid.new(x, y); o.z = z; return setmetatable(o, Leaf) end
function Leaf:name() return "leaf" end

local objs = {Base.new(1), Mid.new(2, 3), Leaf.new(4, 5, 6)}
for _, o in ipairs(objs) do print(o:describe(), o:hello(), o:name()) end
-- metamethods are not inherited through __index (must be in metatable itself)
Base.__tostring = function(o) return "tostring-base" end
print(tostring(objs[1]), tostring(objs[2]):match("^table: ") ~= nil)
Mid.__tostring = Base.__tostring
print(tostring(objs[2]))
-- __index function at end of chain
local Root = setmetatable({}, {__index = function(t, k) return "root:" .. k end})
local Child = setmetatable({own = "own"}, {__index = Root})
local GrandChild = setmetatable({}, {__index = Child})
print(GrandChild.own, GrandChild.missing, rawget(GrandChild, "own"))
-- __newindex inheritance: goes to first table with __newindex
local store = {}
local P = setmetatable({}, {__newindex = store})
local C = setmetatable({}, {__index = P, __newindex = P})
C.v = 1
print(rawget(C, "v"), rawget(P, "v"), store.v)
-- super calls
local A = {}
A.__index = A
function A:greet() return "A" end
local B = setmetatable({}, {__index = A})
B.__index = B
function B:greet() return "B>" .. A.greet(self) end
local Cc = setmetatable({}, {__index = B})
Cc.__index = Cc
function Cc:greet() return "C>" .. B.greet(self) end
print(setmetatable({}, Cc):greet())
-- overriding fields after creation affects existing instances
local inst = setmetatable({}, Cc)
function A:extra() return "late method" end
print(inst:extra())
-- class-level counters shared
local Counter = {count = 0}
Counter.__index = Counter
function Counter.new() Counter.count = Counter.count + 1; return setmetatable({}, Counter) end
local c1, c2 = Counter.new(), Counter.new()
print(c1.count, c2.count, Counter.count)
c1.count = 100
print(c1.count, c2.count, Counter.count)
