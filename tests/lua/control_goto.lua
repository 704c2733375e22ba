-- continue pattern
for i = 1, 10 do
  if i % 3 == 0 then goto continue end
  io.write(i, " ")
  ::continue::
end
print()
-- backward goto loop
local i = 1
::top::
io.write("g", i, " ")
i = i + 1
if i <= 5 then goto top end
print()
-- nested blocks and goto out of nested loops
for a = 1, 3 do
  for b = 1, 3 do
    if a * b == 4 then goto done end
    io.write(a, "*", b, " ")
  end
end
::done::
print("escaped")
-- goto in while with continue
local n = 0
while n < 6 do
  n = n + 1
  if n % 2 == 1 then goto cont end
  io.write("even", n, " ")
  ::cont::
end
print()
-- repeat with goto continue (label at end visible because until can't see local)
local k = 0
repeat
  k = k + 1
  if k == 2 then goto skip end
  io.write("k", k, " ")
  ::skip::
until k >= 4
print()
-- labels in nested functions are separate
local function f()
  goto x
  do return "not reached" end
  ::x::
  return "jumped"
end
print(f())
-- goto errors at compile time
print(load("goto nowhere"))
print(load("do ::a:: end goto a"))
print(load("::a:: ::a::"))
print(load("goto f; local x; ::f:: print(x)"))
print(load("do goto f; local x end ::f::") ~= nil)
-- state machine with goto
local out = {}
local state = 0
::s0:: state = state + 1; out[#out + 1] = "s0"; if state < 3 then goto s1 else goto finish end
::s1:: out[#out + 1] = "s1"; goto s0
::finish::
print(table.concat(out, ","))
