-- yields inside generic-for setup, the loops' bodies and fused appends, in a coroutine body (generator form)
local function gen(t)
  return coroutine.wrap(function()
    for k, v in pairs(t) do coroutine.yield(k, v) end
    for i, v in ipairs(t) do coroutine.yield(i, v) end
    local function it() coroutine.yield("in-explist") return next, {z = 1}, nil end
    for k, v in it() do coroutine.yield(k, v) end
    local function tail() return it() end
    for k in tail() do coroutine.yield(k) end
    local buf = {}
    buf[#buf + 1] = coroutine.yield("append")
    local m = setmetatable({}, {__len = function() return coroutine.yield("len") end})
    m[#m + 1] = "x"
    coroutine.yield(buf[1], rawget(m, 6))
    return "done"
  end)
end
local g = gen({10, 20, a = 1})
local r = {g()}
while r[1] ~= "done" do
  print(table.unpack(r))
  if r[1] == "append" then r = {g("val")} elseif r[1] == "len" then r = {g(5)} else r = {g()} end
end
