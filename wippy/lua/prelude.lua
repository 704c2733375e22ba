-- The globals Wippy gives every entry, installed once per Lua state after the
-- kernel: errors, channel, coroutine.spawn, a time-only os, cast functions, and a
-- `require` that names the entry's allow-list when a module is not declared.
local W, P, errors, channel = ...

_G.errors = errors
_G.channel = channel
coroutine.spawn = W.spawn

-- os: time functions only; the clock is the invocation's (the workflow clock inside
-- a workflow)
local os_date, os_difftime = os.date, os.difftime
local function now_s() return P.now_ns() // 1000000000 end
_G.os = {
  time = function(t)
    if t == nil then return now_s() end
    return W.os_time(t)
  end,
  clock = function() return P.clock() end,
  date = function(fmt, t)
    if t == nil then t = now_s() end
    return os_date(fmt, t)
  end,
  difftime = os_difftime,
}
W.os_time = os.time  -- (the original, for table arguments: pure)

-- cast functions: string(x), integer(x), number(x), boolean(x)
setmetatable(string, {__call = function(_, v) return tostring(v) end})
function _G.integer(v)
  if math.type(v) == "integer" then return v end
  local n = tonumber(v)
  if n == nil then return nil end
  return math.tointeger(n)
end
function _G.number(v) return tonumber(v) end
function _G.boolean(v)
  if v == "true" then return true elseif v == "false" then return false end
  return not not v
end

-- require: the entry's modules, by their allow-list
local plain_require = require
local declared = W.declared
_G.require = function(name)
  if type(name) == "string" and name:sub(1, 7) == "__wippy" then
    error(("module '%s' not found"):format(name), 2)
  end
  if type(name) == "string" and W.known_modules[name] and not declared[name] then
    error(("module '%s' is not declared in the modules of %s"):format(name, W.entry_id), 2)
  end
  return plain_require(name)
end
