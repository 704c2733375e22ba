-- found by fuzz/ differential: a __close run while an error unwinds has no name and the
-- frames below it, down to the protected call, are gone (as in tracebacks of lua5.4)
local function mk(tag) return setmetatable({}, {__close = function(_, e) error("close error " .. tag) end}) end
local function inner() local w <close> = mk("w") error("body") end
local function middle() inner() end
local function outer()
  print(xpcall(middle, debug.traceback))
end
outer()
local function viapcall()
  print(select(2, pcall(function()
    local w <close> = setmetatable({}, {__close = function() print(debug.traceback("in close")) end})
    error("x")
  end)))
end
viapcall()
local function inner2() local w <close> = setmetatable({}, {__close = function() print(debug.traceback("in close 2")) end}) error("y") end
local function middle2() inner2() end
print(pcall(middle2))
