-- t[#t + 1] = v: the fused append fast path and every way out of it
local function show(t, n)
  local parts = {}
  for i = 1, n do parts[i] = tostring(t[i]) end
  return table.concat(parts, ",")
end

-- plain arrays, the first append into an empty table, constants and locals
local t = {}
t[#t + 1] = "a"
local x = 2
t[#t + 1] = x
t[#t + 1] = x > 1 and "yes" or "no"
t[#t + 1] = not x
print(#t, show(t, 4))

-- nil values: no-op at the border
local nothing
t[#t + 1] = nothing
print(#t)
t[#t + 1] = nil
print(#t)

-- a hash part too: keys after the border move into the sequence
local h = { name = "h" }
h[#h + 1] = 1
h[3] = 3
h[#h + 1] = 2
print(#h, show(h, 3), h.name)
local h2 = {}
h2[2] = "two"
h2[#h2 + 1] = "one"
print(#h2, show(h2, 2))

-- an emptied array part
local e = { 1, 2 }
e[2] = nil; e[1] = nil
e[#e + 1] = "again"
print(#e, e[1])

-- metatables: __len, __newindex, __index
local logged = {}
local m = setmetatable({}, {
  __len = function() return 10 end,
  __newindex = function(tt, k, v) logged[#logged + 1] = k .. "=" .. tostring(v); rawset(tt, k, v) end,
})
m[#m + 1] = "v"
print(logged[1], rawget(m, 11))
local fl = setmetatable({}, { __len = function() return 1.5 end })
fl[#fl + 1] = "f"
print(rawget(fl, 2.5))
local f2 = setmetatable({}, { __len = function() return 2.0 end })
f2[#f2 + 1] = "g"
print(rawget(f2, 3), math.type(next(f2)))
local bad = setmetatable({}, { __len = function() return "3" end })
bad[#bad + 1] = "s"
print(rawget(bad, 4))
print(pcall(function()
  local b = setmetatable({}, { __len = function() return {} end })
  b[#b + 1] = 1
end))
print(pcall(function()
  local b = setmetatable({}, { __len = function() return nil end })
  b[#b + 1] = 1
end))

-- the value's code changes the table: #t is taken first, as in Lua
local s = { "a" }
local function grow() s[#s + 1] = "inner"; return "outer" end
s[#s + 1] = grow()
print(#s, show(s, 3))
local s2 = { "a" }
local function set_meta()
  setmetatable(s2, { __newindex = function(tt, k, v) rawset(tt, k, v .. "!") end })
  return "late"
end
s2[#s2 + 1] = set_meta()
print(show(s2, 2))
local s3 = { 1, 2, 3 }
local function shrink() s3[3] = nil; s3[2] = nil; return "z" end
s3[#s3 + 1] = shrink()
print(#s3, show(s3, 4))
local s4 = {}
local function addhash() s4.k = 1; return "w" end
s4[#s4 + 1] = addhash()
print(#s4, s4[1], s4.k)

-- upvalues and captured locals: __len may change them before the value is read
local cap = "before"
local c = setmetatable({}, { __len = function() cap = "after"; return 0 end })
c[#c + 1] = cap
print(c[1])
local function use() return cap end
use()

-- an upvalue table
local buf = {}
local function add(v) buf[#buf + 1] = v end
for i = 1, 5 do add(i * i) end
print(#buf, show(buf, 5))

-- errors name the table as Lua does
print(pcall(function() local n; n[#n + 1] = 1 end))
print(pcall(function() local n = 5; n[#n + 1] = 1 end))
print(select(2, pcall(function() local s = "str"; s[#s + 1] = 1 end)))

-- a big sequence, then traversal
local big = {}
for i = 1, 1000 do big[#big + 1] = i end
local sum = 0
for _, v in ipairs(big) do sum = sum + v end
print(#big, sum)

-- a float key 2^53 boundary is not reachable; integer keys stay integers
local ints = {}
ints[#ints + 1] = 1
print(math.type(next(ints)))
