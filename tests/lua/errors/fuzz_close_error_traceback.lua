-- found by fuzz/ differential: tracebacks of an error raised in a __close during unwinding
-- found by fuzz/ differential: an uncaught error meets lua.c's message handler
-- (a traceback) before the pending __close handlers run: they get its result
local function mk(tag, fail)
  return setmetatable({}, {__close = function(_, e)
    print("close " .. tag, type(e), e)
    if fail then error("close error " .. tag) end
  end})
end
local function f()
  local c <close> = mk("c")
  local x = 1.5 | 0
end
print(pcall(f))
do
  local t <close> = mk("t1")
  local u <close> = setmetatable({}, {__close = function(_, e) print("u got", type(e), getmetatable(e) ~= nil) end})
  local w <close> = mk("t2", true)
  f()
end
