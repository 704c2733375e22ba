-- found by fuzz/ differential: a backward goto inside the scope of a <close>
-- variable closed it (the jump left the Python try around the rest of the block)
local function mk(name) return setmetatable({}, {__close = function(_, e) print('close', name, e) end}) end
do
  local cl1 <close> = mk("a")
  local g = 0
  ::top::
  g = g + 1
  if g < 3 then goto top end
  print('g', g)
end
print("after")
-- a jump back to a label before the variable leaves its scope: closed each time
do
  local n = 0
  ::again::
  n = n + 1
  local c <close> = mk("b" .. n)
  if n < 3 then goto again end
  print("n", n)
end
-- a label ending the block is outside the scope: jumping there closes
do
  local c <close> = mk("c")
  ::inner::
  if c then goto out end
  print("not here")
  ::out::
end
-- nested: two close variables, labels after both
do
  local x <close> = mk("x")
  local i = 0
  ::l1::
  local y <close> = mk("y" .. i)
  i = i + 1
  ::l2::
  if i < 2 then goto l1 end
  print("i", i)
end
-- in a loop with continue
for i = 1, 3 do
  local z <close> = mk("z" .. i)
  if i == 2 then goto continue end
  print("body", i)
  ::continue::
end
-- error inside, after a label
print(pcall(function()
  local e <close> = mk("e")
  local k = 0
  ::t::
  k = k + 1
  if k < 2 then goto t end
  error("boom")
end))
print(load("do goto l; local q <close> = nil; ::l:: print(1) end"))
