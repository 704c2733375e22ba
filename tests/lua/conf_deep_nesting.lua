-- code nested deeper than CPython's limits (20 loops, 100 indentation levels)
local function nest(open, close, n, inner)
  return string.rep(open, n) .. inner .. string.rep(close, n)
end
-- 100 nested while loops, each running once
local src = "local n = 0\n" .. nest("local k = 0 while k < 1 do k = k + 1 ", " end ", 100, "n = n + 1") .. "\nreturn n"
print(assert(load(src))())
-- 100 nested if/else
src = "local a, n = ...; " .. nest("if a then n = n + 1 else ", " end ", 100, "n = -1") .. " return n"
print(assert(load(src))(true, 0), assert(load(src))(false, 0))
-- deep numeric for loops with break, goto and a yield in the middle
src = [[
local out = {}
]] .. nest("for i = 1, 1 do ", " end ", 30, [[
  for j = 1, 10 do
    if j == 3 then goto skip end
    out[#out + 1] = coroutine.yield(j)
    if #out >= 5 then break end
    ::skip::
  end
]]) .. [[
return table.concat(out, ",")
]]
local co = coroutine.wrap(assert(load(src)))
local r, i = co(), 0
while type(r) == "number" do i = i + 1; r = co("v" .. r) end
print(r, i)
-- a to-be-closed variable inside deep loops; leaving it by break closes it
src = [[
local log = {}
]] .. nest("for i = 1, 1 do ", " end ", 25, [[
  for j = 1, 3 do
    local x <close> = setmetatable({}, {__close = function () log[#log + 1] = "c" .. j end})
    if j == 2 then break end
    log[#log + 1] = "b" .. j
  end
]]) .. [[
return table.concat(log, " ")
]]
print(assert(load(src))())
-- 500 levels are too many for Lua too
print(load(nest("while a do ", " end ", 500, "")) == nil)
-- registers: a call with too many arguments
print(load("a = f(x" .. string.rep(",x", 260) .. ")"))
print(load("local a, b; a = f(x" .. string.rep(",x", 251) .. ")"))
print(load("a = g(1, 2, f(x" .. string.rep(",x", 250) .. "))"))
print(load("a = o:f(x" .. string.rep(",x", 251) .. ")") ~= nil)
