-- xpcall's message handler is not in force inside a coroutine it resumes: a
-- wrap function switches into the coroutine, and a to-be-closed variable there
-- gets the raw error (as in lua5.4), the handler sees it once it has crossed.
local function handler(m) return "handled: " .. tostring(m) end
local ok, e = xpcall(function()
  local co = coroutine.wrap(function()
    local x <close> = setmetatable({}, {__close = function(_, err) print("close got", err) end})
    coroutine.yield(1)
    error("boom")
  end)
  co()
  co()
end, handler)
print(ok, e)
