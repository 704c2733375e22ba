-- yields inside many kinds of metamethods
local function Y(tag) return function(...) return coroutine.yield(tag) end end
local mt = {
  __index = Y("index"), __newindex = function(t, k, v) coroutine.yield("newindex " .. k .. "=" .. tostring(v)) end,
  __len = Y("len"), __unm = Y("unm"), __sub = Y("sub"), __mul = Y("mul"), __div = Y("div"),
  __mod = Y("mod"), __pow = Y("pow"), __idiv = Y("idiv"), __band = Y("band"), __shl = Y("shl"),
  __bnot = Y("bnot"), __le = Y("le"), __call = function(self, a) return coroutine.yield("call " .. a) end,
  __concat = Y("concat"),
}
local o = setmetatable({}, mt)
local co = coroutine.wrap(function()
  local results = {}
  results[#results + 1] = o.key
  o.field = 5
  results[#results + 1] = #o
  results[#results + 1] = -o
  results[#results + 1] = o - 1
  results[#results + 1] = o * 2
  results[#results + 1] = o / 3
  results[#results + 1] = o % 4
  results[#results + 1] = o ^ 5
  results[#results + 1] = o // 6
  results[#results + 1] = o & 7
  results[#results + 1] = o << 8
  results[#results + 1] = ~o
  results[#results + 1] = tostring(o <= o)
  results[#results + 1] = o("arg")
  results[#results + 1] = "pre" .. o .. "post"
  return "DONE " .. table.concat(results, ",")
end)
local v = co()
local n = 0
while not tostring(v):match("^DONE") do
  n = n + 1
  io.write("[", tostring(v), "] ")
  v = co(n)
end
print()
print(v)
-- yield from inside a for-loop iterator called by generic for, with pcall in between
local gen = coroutine.wrap(function()
  local function iter(_, i)
    if i >= 3 then return nil end
    local ok, val = pcall(coroutine.yield, "iter " .. i)
    return i + 1, val
  end
  local acc = {}
  for i, val in iter, nil, 0 do acc[#acc + 1] = i .. "=" .. tostring(val) end
  return table.concat(acc, " ")
end)
print(gen()); print(gen("a")); print(gen("b")); print(gen("c"))
-- yield across nested pcall levels with errors after resuming
local c2 = coroutine.create(function()
  local r1 = {pcall(function()
    local r2 = {pcall(function()
      coroutine.yield("deep")
      error("inner failure", 0)
    end)}
    coroutine.yield("middle " .. tostring(r2[1]) .. " " .. tostring(r2[2]))
    error({"outer table error"})
  end)}
  return r1[1], type(r1[2]), r1[2][1]
end)
print(coroutine.resume(c2)); print(coroutine.resume(c2)); print(coroutine.resume(c2))
-- yielding inside __eq / __lt with results converted to boolean
local cmp = setmetatable({}, {__lt = function() return coroutine.yield("lt") end, __eq = function() return coroutine.yield("eq") end})
local cmp2 = setmetatable({}, getmetatable(cmp))
local c3 = coroutine.wrap(function() return cmp < cmp2, cmp == cmp2, not (cmp < cmp2) end)
print(c3()); print(c3(1)); print(c3(nil)); print(c3(false))
