local Obj = {}
Obj.__index = Obj
function Obj.new(...) return setmetatable({args = table.pack(...)}, Obj) end
function Obj:count() return self.args.n end
function Obj:get(...) local r = {} for i, idx in ipairs({...}) do r[i] = self.args[idx] end return table.unpack(r) end
function Obj:each(fn, ...) for i = 1, self.args.n do fn(self.args[i], ...) end end
local o = Obj.new("a", nil, "c", nil)
print(o:count(), o:get(1, 3), o:get(2), select("#", o:get()))
o:each(function(v, prefix, suffix) io.write(prefix, tostring(v), suffix, " ") end, "<", ">")
print()
-- varargs forwarded through multiple layers
local function l3(...) return select("#", ...), ... end
local function l2(...) return l3(...) end
local function l1(...) return l2(...) end
print(l1())
print(l1(nil))
print(l1(1, nil, nil))
-- vararg in middle vs end of call args
local function f(...) return ... end
print(f(1, 2), f(3, 4))
print(f(f(1, 2), f(3, 4)))
print((f(1, 2)), f())
-- table.pack / unpack symmetry with holes
local packed = table.pack(nil, 2, nil)
print(packed.n, table.unpack(packed, 1, packed.n))
-- varargs with string.format
local function logf(fmt, ...) return (string.format(fmt, ...)) end
print(logf("%s=%d (%s)", "x", 10, nil))
-- varargs in coroutine.wrap
local co = coroutine.wrap(function(...)
  local args = {...}
  local more = {coroutine.yield(#args)}
  return #more, ...
end)
print(co(1, 2, 3))
print(co("a", "b"))
-- select with negative index on varargs
local function last(...) return (select(-1, ...)) end
print(last(1, 2, 3), last("only"))
-- vararg sum with math functions
print(math.max(f(3, 9, 4)), math.min(f(3, 9, 4)), string.char(f(76, 117, 97)))
-- varargs in table constructor after named field
local function tbl(...) return {n = select("#", ...), ...} end
local t = tbl(5, 6, 7)
print(t.n, t[1], t[3])
-- ... in main chunk is the script arguments
print(select("#", ...))
