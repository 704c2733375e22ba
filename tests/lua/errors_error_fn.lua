-- error with strings and levels
local function lvl1() error("level1 msg") end
local function lvl2() error("level2 msg", 2) end
local function lvl0() error("level0 msg", 0) end
local function caller() lvl2() end
print(pcall(lvl1))
print(pcall(caller))
print(pcall(lvl0))
print(pcall(error))
print(pcall(error, nil))
print(pcall(error, "plain"))
print(pcall(error, "lvl2 from pcall", 2))
-- error with non-string values
print(pcall(error, 42))
print(pcall(error, true))
local ok, e = pcall(error, {code = 404, msg = "not found"})
print(ok, type(e), e.code, e.msg)
-- number error values get no position
print(pcall(function() error(3.5) end))
-- error objects with __tostring
local Err = {}
Err.__index = Err
Err.__tostring = function(self) return "Err(" .. self.msg .. ")" end
local function throw(msg) error(setmetatable({msg = msg}, Err)) end
local ok2, e2 = pcall(throw, "bad thing")
print(ok2, tostring(e2), getmetatable(e2) == Err, e2.msg)
-- rethrow preserves object identity
local ok3, e3 = pcall(function()
  local ok, inner = pcall(throw, "inner")
  error(inner)
end)
print(ok3, tostring(e3))
-- error in nested pcall
print(pcall(pcall, error, "x"))
print(pcall(pcall))
-- assert
print(pcall(assert, false))
print(pcall(assert, nil, "custom assert msg"))
print(type(select(2, pcall(assert, false, {1}))), select(2, pcall(assert, false, {1}))[1])
print(assert(1, "unused"), select("#", assert(1, 2, 3)))
print(pcall(assert))
print(pcall(assert, 1 == 2, 42))
-- xpcall with handlers
print(xpcall(function() error("oops") end, function(m) return "handled: " .. m end))
print(xpcall(function() return 1, 2, 3 end, print))
print(xpcall(function(a, b) return a + b end, print, 3, 4))
print(xpcall(function() error({1, 2}) end, function(m) return type(m), #m end))
print(xpcall(function() local x = nil; return x.y end, function(m) return (m:gsub("^.-:%d+: ", "")) end))
-- handler that errors
print(xpcall(function() error("first") end, function(m) error("in handler") end))
-- error with level pointing at caller location
local function check(x) if type(x) ~= "number" then error("expected number, got " .. type(x), 2) end return x end
local function user() return check("str") end
print(pcall(user))
local function level3() error("three", 3) end
local function l3a() level3() end
local function l3b() l3a() end
print(pcall(l3b))
-- tostring of error message with numbers: error(42) at level 1 is not decorated
local ok4, e4 = pcall(function() error(42) end)
print(ok4, e4, math.type(e4))
-- error message with position for string only
local ok5, e5 = pcall(function() error("msg", 1) end)
print(e5)
