-- A field/method site remembers the last metatable it saw and its value; every
-- way the answer can change must be seen at once.
local Base = {}
Base.__index = Base
function Base.hello() return "base hello" end
local C = setmetatable({}, {__index = Base})
C.__index = C
function C.name() return "C" end
local o = setmetatable({}, C)
local function call_all(x) return x.name(), x.hello() end
for _ = 1, 3 do print(call_all(o)) end
function C.name() return "C2" end                  -- method replaced
print(call_all(o))
rawset(C, "hello", function() return "C hello" end) -- shadows Base's, through rawset
print(call_all(o))
C.hello = nil                                       -- back to Base's
print(call_all(o))
local Base2 = {hello = function() return "base2 hello" end}
setmetatable(C, {__index = Base2})                  -- the chain changes
print(call_all(o))
getmetatable(C).__index = Base                      -- the chain's __index field changes
print(call_all(o))
o.name = function() return "own" end                -- the object's own field
print(call_all(o))
o.name = nil
print(call_all(o))
local D = {name = function() return "D" end, hello = function() return "D hello" end}
D.__index = D
setmetatable(o, D)                                  -- another metatable
print(call_all(o))
setmetatable(o, C)
print(call_all(o))
setmetatable(o, nil)                                -- none: nil fields
print(pcall(call_all, o))
-- plain tables without metatables missing a field, then gaining one
local function get_x(t) return t.x end
local p = {}
print(get_x(p), get_x(p))
p.x = 5
print(get_x(p))
-- an __index function in the chain: not cached
local calls = 0
local F = setmetatable({}, {__index = function(_, k) calls = calls + 1 return k .. "!" end})
print(get_x(F), get_x(F), calls)
-- strings: the string metatable's __index
local function up(s) return s:upper() end
print(up("abc"))
local smt = getmetatable("")
local old = smt.__index
smt.__index = {upper = function(s) return "custom " .. s end}
print(up("abc"))
smt.__index = old
print(up("abc"))
string.upper = function(s) return "replaced " .. s end
print(up("abc"))
