-- a label may reuse the name of a label of an enclosing block declared later
local function f(a)
  if a == 1 then
    goto l1
    ::l1:: a = a + 10   -- the inner l1
  else
    goto l1
  end
  do return a end
  ::l1:: return "outer"
end
print(f(1), f(2))
-- same name in sibling blocks
do ::x:: end
do ::x:: end
::x::
-- errors: same name as a visible label
print(load("::a:: do ::a:: end"))
print(load("::a:: ::a::"))
print(load("::a:: do local x ::b:: end ::a::"))
print(load("do ::a:: end ::a::") ~= nil)
print(load("goto a; local x; ::a:: print(x)"))
print(load("do goto a end ::a::") ~= nil)
