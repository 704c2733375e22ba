-- debug.setlocal: locals (plain, captured, varargs) of a running Lua function
local function f(a, b, ...)
  local c = "x"
  print(debug.setlocal(1, 1, "A"), debug.setlocal(1, 3, {}), debug.setlocal(1, 10, 1))
  print(a, type(c))
  print(debug.getlocal(1, -1))
  print(debug.getlocal(1, -2))
  print(debug.getlocal(1, -3))
  print(debug.setlocal(1, -2, "V"), debug.setlocal(1, -5, 1))
  print(...)
  local function inner() return a end
  a = 5
  print(debug.setlocal(1, 1, 7), inner())
end
f(1, 2, "v1", "v2")

local function g(v)
  local x = v
  local function h() print(debug.setlocal(2, 1, "set from callee")) end
  h()
  return x, v
end
print(g(print))

local function counter()
  local name = "n"
  local count = tostring(1)
  local function bump() print(debug.setlocal(2, 2, "replaced")) end
  bump()
  return name, count
end
print(counter())

-- a debugger-style walk: rename every string local of the caller
local function walk(level)
  local i = 1
  while true do
    local name, value = debug.getlocal(level + 1, i)
    if not name then break end
    if type(value) == "string" then debug.setlocal(level + 1, i, value:upper()) end
    i = i + 1
  end
end
local function victim(s)
  local t = "lower"
  walk(1)
  return s, t
end
print(victim("abc"))

print(pcall(debug.setlocal, 1, 1))
print(pcall(debug.setlocal, 100, 1, 1))
print(pcall(debug.setlocal, {}, 1, 1))
print(debug.setcstacklimit(100))
print(pcall(debug.setcstacklimit))
