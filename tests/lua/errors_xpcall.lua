-- message handlers without traceback
local function handler(m) return "handled<" .. tostring(m) .. ">" end
print(xpcall(error, handler, "direct"))
print(xpcall(function() error("with pos") end, handler))
print(xpcall(function() error("no pos", 0) end, handler))
print(xpcall(function() error({}) end, function(e) return type(e) end))
print(xpcall(function() error() end, handler))
print(xpcall(function() return "ok", 1, 2 end, handler))
print(xpcall(function(...) return select("#", ...), ... end, handler, "a", nil, "c"))
-- handler receives runtime errors
print(xpcall(function() local t = nil; return t.x end, handler))
print(xpcall(function() return 1 + {} end, handler))
-- handler can return multiple values? only first kept? (returns all)
print(xpcall(function() error("m") end, function(e) return 1, 2, 3 end))
-- handler returning nothing
print(xpcall(function() error("m") end, function(e) end))
-- nested xpcall handlers
print(xpcall(function()
  local ok, e = xpcall(function() error("inner", 0) end, function(m) return "H1:" .. m end)
  error(e .. "|rethrown", 0)
end, function(m) return "H2:" .. m end))
-- handler that errors -> error in error handling (status false)
print(xpcall(function() error("x") end, function(m) error("handler broke") end))
-- handler being a non-function
print(pcall(xpcall, function() error("x") end, nil))
print(pcall(xpcall, function() error("x") end, 42))
-- pcall returning values, error with level 2 inside pcall'd function
local function validate(v) if not v then error("validation failed", 2) end return v end
local function use() return validate(false) end
print(pcall(use))
print(xpcall(use, handler))
-- error objects with __tostring through xpcall
local E = setmetatable({msg = "custom"}, {__tostring = function(e) return "E:" .. e.msg end})
print(xpcall(function() error(E) end, function(e) return tostring(e) end))
local ok, e = pcall(error, E)
print(ok, e == E, tostring(e))
-- handler gets the exact object
print(xpcall(function() error(E) end, function(e) return rawequal(e, E) end))
-- error in __tostring of error object when converted
local Bad = setmetatable({}, {__tostring = function() return "bad tostring" end})
print(select(2, pcall(error, Bad)) == Bad)
-- pcall with non-callable
print(pcall(42))
print(pcall(nil))
print(xpcall(nil, handler))
-- error with numbers keeps type
local ok2, v2 = pcall(error, 3.25)
print(ok2, v2, math.type(v2))
-- tostring on the error message from string.rep type errors
print(pcall(string.rep, {}, 2))
print(pcall(("x").rep, "x", "y"))
