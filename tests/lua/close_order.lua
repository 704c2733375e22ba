local log = {}
local function tbc(name)
  return setmetatable({}, {__close = function(_, err)
    log[#log + 1] = name .. (err ~= nil and ("!" .. tostring(err)) or "")
  end})
end
local function flush(label) print(label, table.concat(log, " ")); log = {} end
-- nested blocks close inner-first
do
  local a <close> = tbc("a")
  do
    local b <close> = tbc("b")
    local c <close> = tbc("c")
  end
  local d <close> = tbc("d")
end
flush("nested")
-- close in while loop each iteration
local i = 0
while i < 3 do
  i = i + 1
  local w <close> = tbc("w" .. i)
end
flush("while")
-- close in repeat: until expression evaluated before closing
local r = 0
repeat
  local x <close> = tbc("r" .. r)
  r = r + 1
until (function() log[#log + 1] = "until" .. r; return r >= 2 end)()
flush("repeat")
-- return value computed before close
local function getv()
  local v <close> = tbc("v")
  log[#log + 1] = "computing"
  return (function() log[#log + 1] = "retexpr"; return 42 end)()
end
print(getv())
flush("return")
-- error propagation through several tbc with an error in one __close
local function errs()
  local a <close> = tbc("A")
  local b <close> = setmetatable({}, {__close = function(_, e) log[#log + 1] = "B!" .. tostring(e); error("Berr", 0) end})
  local c <close> = tbc("C")
  error("orig", 0)
end
print(pcall(errs))
flush("errors")
-- close called with nil on normal exit even after caught error inside block
do
  local z <close> = tbc("z")
  pcall(error, "ignored")
end
flush("caught")
-- goto out of a block closes
do
  local n = 0
  ::again::
  do
    local g <close> = tbc("g" .. n)
    n = n + 1
    if n < 2 then goto again end
  end
end
flush("goto")
-- break from nested loop closes only exited scopes
for a = 1, 2 do
  local outer <close> = tbc("o" .. a)
  for b = 1, 3 do
    local inner <close> = tbc("i" .. a .. b)
    if b == 2 then break end
  end
end
flush("break")
-- tail call: tbc closes before? (tail call is not a tail call when tbc is active)
local function callee() log[#log + 1] = "callee"; return "cv" end
local function caller()
  local t <close> = tbc("t")
  return callee()
end
print(caller())
flush("tail")
-- __close receives the object itself
local obj
obj = setmetatable({name = "self"}, {__close = function(o) print("closing", o == obj, o.name) end})
do local h <close> = obj end
-- multiple returns preserved with tbc
local function many()
  local m <close> = tbc("m")
  return 1, nil, 3
end
print(select("#", many()), many())
flush("many")
