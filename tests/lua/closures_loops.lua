-- closures capturing loop variables in all loop kinds
local fns = {}
for i = 10, 1, -3 do fns[#fns + 1] = function() return i end end
for _, f in ipairs(fns) do io.write(f(), " ") end print()
fns = {}
for i = 1.0, 2.0, 0.5 do fns[#fns + 1] = function() return i end end
for _, f in ipairs(fns) do io.write(f(), " ") end print()
fns = {}
for k, v in pairs({a = 1}) do fns[#fns + 1] = function() return k, v end end
print(fns[1]())
fns = {}
local i = 0
while i < 3 do
  i = i + 1
  local j = i
  fns[#fns + 1] = function() j = j + 10; return j end
end
print(fns[1](), fns[1](), fns[2](), fns[3]())
-- closure over shared (non-loop) variable sees final value
fns = {}
local shared = 0
for n = 1, 3 do shared = n; fns[n] = function() return shared end end
print(fns[1](), fns[2](), fns[3]())
-- closures created in a loop and called within the same iteration
local acc = {}
for n = 1, 3 do
  local x = n
  local function bump() x = x * 2 end
  bump(); bump()
  acc[#acc + 1] = x
end
print(table.concat(acc, ","))
-- closures in nested loops with break
fns = {}
for a = 1, 3 do
  for b = 1, 3 do
    if b > a then break end
    fns[#fns + 1] = function() return a .. b end
  end
end
local parts = {}
for _, f in ipairs(fns) do parts[#parts + 1] = f() end
print(table.concat(parts, " "))
-- repeat-until: until sees loop body local captured by closure
local rfns = {}
local c = 0
repeat
  local v = c
  rfns[#rfns + 1] = function() return v end
  c = c + 1
until v == 2
print(rfns[1](), rfns[2](), rfns[3]())
-- upvalue closed on loop exit via goto
local gfns = {}
do
  local n = 0
  ::loop::
  local captured = n
  gfns[#gfns + 1] = function() return captured end
  n = n + 1
  if n < 3 then goto loop end
end
print(gfns[1](), gfns[2](), gfns[3]())
-- sibling closures share per-iteration variable
local getters, setters = {}, {}
for q = 1, 2 do
  getters[q] = function() return q end
  setters[q] = function(v) q = v end
end
setters[1](100)
print(getters[1](), getters[2]())
