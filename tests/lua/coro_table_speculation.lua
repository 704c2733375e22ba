-- Suspensions inside functions compiled for table parameters and table locals:
-- a yield in a callee (the caller is captured and resumed) and __index functions
-- that yield.
local function produce(v) return coroutine.yield(v) end
local function walk(t, n)
  local acc = {}
  for i = 1, n do
    local got = produce(t[i])
    acc[#acc + 1] = tostring(got) .. ":" .. tostring(t[i])
    t[i] = got
  end
  return table.concat(acc, " "), #t, t.name
end
local co = coroutine.wrap(walk)
local data = {10, 20, 30, name = "d"}
local out = {co(data, 3)}
local k = 1
while true do
  out = {co("r" .. k)}
  k = k + 1
  if #out > 1 then break end
end
print(out[1], out[2], out[3], data[1], data[3])

-- __index and __newindex functions that yield, on a speculated table parameter
local proxy = setmetatable({}, {
  __index = function(_, key) return coroutine.yield("get " .. tostring(key)) end,
  __newindex = function(t, key, v) rawset(t, key, coroutine.yield("set " .. tostring(key) .. "=" .. tostring(v))) end,
})
local function use(t)
  local a = t[1]
  local b = t.field
  t[2] = a
  t.other = b
  return a, b, rawget(t, 2), rawget(t, "other")
end
local c2 = coroutine.create(use)
print(coroutine.resume(c2, proxy))
print(coroutine.resume(c2, "A"))
print(coroutine.resume(c2, "B"))
print(coroutine.resume(c2, "C"))
print(coroutine.resume(c2, "D"))
print(coroutine.status(c2))

-- the same function called with a table first, then with something else
local function first(t) return t[1], t.x end
print(first({5, x = 6}))
print(pcall(first, "str"))
print(first(setmetatable({}, {__index = function(_, key) return key end})))
