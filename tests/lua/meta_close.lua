local function closer(name)
  return setmetatable({}, {__close = function(self, err) print("close", name, err) end})
end
do
  local a <close> = closer("a")
  local b <close> = closer("b")
  local c <close> = nil
  local d <close> = false
  print("in block")
end
print("after block")
-- closing on break
for i = 1, 3 do
  local x <close> = closer("loop" .. i)
  if i == 2 then break end
  print("iter", i)
end
-- closing on return
local function f()
  local r <close> = closer("ret")
  return "returned"
end
print(f())
-- closing on error, error value passed
local function g()
  local e1 <close> = closer("e1")
  local e2 <close> = closer("e2")
  error("boom")
end
print(pcall(g))
local function g2()
  local e <close> = setmetatable({}, {__close = function(self, err) print("close tbl", type(err), err.code) end})
  error({code = 7})
end
local ok, err = pcall(g2)
print(ok, type(err), err.code)
-- error inside __close replaces error
local function h()
  local x <close> = setmetatable({}, {__close = function(_, e) error("close error", 0) end})
  error("original", 0)
end
print(pcall(h))
-- non-closable value
print(pcall(function() local x <close> = {} end))
print(pcall(function() local x <close> = 42 end))
-- close in goto loop
local n = 0
::top::
do
  local z <close> = closer("goto" .. n)
  n = n + 1
  if n < 3 then goto top end
end
-- return values survive closing
local function vals()
  local c <close> = closer("vals")
  return 1, 2, 3
end
print(vals())
-- tbc in generic for (4th value)
local function iter()
  local i = 0
  return function() i = i + 1; if i <= 2 then return i end end, nil, nil, closer("forclose")
end
for i in iter() do print("for", i) end
for i in iter() do if i == 1 then break end end
print("end")
-- const
local K <const> = 10
local S <const> = "str"
print(K * 2, S .. "!")
print(load("local x <const> = 1; x = 2"))
print(load("local x <foo> = 1"))
