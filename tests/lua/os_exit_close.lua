-- os.exit(code, true) closes the pending to-be-closed variables (lua_close);
-- without `close` they are not closed
local function closer(name)
  return setmetatable({}, {__close = function(_, e) print("closed", name, e) end})
end
do
  local a <close> = closer("a")
  for k in pairs({1}) do
    local b <close> = closer("b")
    for w in ("x"):gmatch(".") do
      print("exiting in", k, w)
      os.exit(true, true)
    end
  end
end
print("not reached")
