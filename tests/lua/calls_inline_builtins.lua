-- Calls of math.sqrt / math.floor run inline when the callee is that builtin: any
-- other function of the same name, argument or result takes the call.
local sqrt, floor = math.sqrt, math.floor
print(sqrt(4), sqrt(2.0), sqrt(-1), sqrt(0/0) ~= sqrt(0/0), math.sqrt(9), pcall(sqrt, "x"), sqrt("16"))
print(floor(3.7), floor(-3.5), floor(2^70), floor(5), math.type(floor(3.7)), floor(1/0), floor("2.5"), pcall(floor, {}))
local m = {sqrt = function(x) return "mine" end}
print(m.sqrt(4))

-- s:byte / s:sub / string.byte / string.sub / type run inline for strings and
-- integer positions in range; every other case is the library function's
local s = "hello"
print(s:byte(), s:byte(1), s:byte(5), s:byte(0), s:byte(6), s:byte(-1), s:byte(2.0), s:byte("3"))
print(select("#", s:byte(0)), select("#", s:byte(9)), ("x"):byte(), (""):byte(), pcall(string.byte, {}, 1))
print(string.byte(s, 2), string.byte(123, 1), ("7"):byte(), pcall(s.byte, s, "z"))
print(s:sub(2), s:sub(0), s:sub(-2), s:sub(9), s:sub(2, 3), s:sub(3, 2), s:sub(2, 0), s:sub(2, -1))
print(s:sub(1, 99), s:sub(-99, 2), s:sub(2.0, 3.0), s:sub("2", "3"), string.sub(12345, 2, 3), pcall(s.sub, s, 1.5))
print(pcall(string.sub), pcall(string.sub, s, {}), #s:sub(3, 3), s:sub(math.maxinteger), s:sub(1, math.mininteger))
local function kinds(...)
  local out = {}
  for i = 1, select("#", ...) do out[#out + 1] = type((select(i, ...))) end
  return table.concat(out, " ")
end
print(kinds(nil, true, 1, 2.5, "s", {}, print, kinds, coroutine.create(print), io.stdout))
print(pcall(type), type(nil), type(type))
local meta = getmetatable("")
local oldbyte, oldsub = string.byte, string.sub
string.byte = function(str, i) return "byte " .. tostring(i) end
meta.__index = {sub = function(str, i, j) return "sub " .. i .. " " .. j end, byte = string.byte}
print(s:byte(1), s:sub(1, 2), string.byte(s, 1))
meta.__index = string
string.byte, string.sub = oldbyte, oldsub
print(s:byte(1), s:sub(1, 2))
local type = function(v) return "shadowed" end
print(type(1))

-- one method-call site meeting strings, tables with the method of their own or
-- through a metatable, numbers, and the string metatable changing in between
local obj = {sub = function(self, i, j) return "own " .. i .. j end}
local Cls = {}; Cls.__index = Cls
function Cls:sub(i, j) return "class " .. i .. j end
local inst = setmetatable({}, Cls)
local function cut(x) return x:sub(1, 2) end
for _, x in ipairs({"abc", obj, "xyz", inst, "q", obj}) do io.write(tostring(cut(x)), " ") end
print()
getmetatable("").__index = setmetatable({sub = function() return "patched" end}, {__index = string})
print(cut("abc"), cut(inst), ("abc"):upper())
getmetatable("").__index = string
print(cut("abc"), pcall(cut, true), pcall(cut, {}), pcall(cut, 12345))

-- math.type runs inline too (the same name as type: each is tested for)
local mtype = math.type
print(math.type(1), math.type(1.0), math.type("1"), math.type(nil), mtype(2^53), pcall(math.type))
print(type(1), math.type(-0.0), math.type(math.mininteger), math.type({}))

-- tostring of an integer runs inline while numbers have no metatable
print(tostring(1), tostring(-0), tostring(math.mininteger), tostring(2.5), tostring(1e100), tostring("x"), tostring(nil), tostring(true))
local ts = tostring
print(ts(42) .. "!", pcall(tostring))
debug.setmetatable(0, {__tostring = function(n) return "num" end, __name = "N"})
print(tostring(1), tostring(2.5), ts(7))
debug.setmetatable(0, nil)
print(tostring(1), ts(3))
local tostring = function(v) return "over" end
print(tostring(1))

-- tonumber of a short string of digits runs inline
print(tonumber("12"), tonumber("007"), tonumber("1234567890123456789"), tonumber("12345678901234567890"), tonumber(""), tonumber(" 5 "))
print(tonumber("1.5"), tonumber("0x10"), tonumber("1e2"), tonumber("-3"), tonumber("abc"), tonumber(7), tonumber(2.5), tonumber(nil))
print(math.type(tonumber("42")), pcall(tonumber), tonumber("10", 2), tonumber("٣"))
local tn = tonumber
print(tn("99") + 1, tn("9223372036854775807"), tn("9223372036854775808"))

-- s:len / s:lower / s:upper run inline (small strings)
local s = "Hello, World! \200\255 äö"
print(s:upper(), s:lower(), s:len(), string.upper("abc"), string.lower("ABC"), string.len(""), ("x"):rep(3))
print(pcall(string.upper), pcall(string.lower, {}), string.upper(12), string.len(123), (""):upper())
local big = string.rep("a", 2000)
print(#big:upper(), big:upper():sub(1, 3), #big:lower())
