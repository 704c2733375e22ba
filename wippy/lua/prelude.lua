-- The globals Wippy gives every entry, installed once per Lua state after the
-- kernel: errors, channel, coroutine.spawn, a time-only os, cast functions, and a
-- `require` that names the entry's allow-list when a module is not declared.
--
-- As in kernel.lua, the closures here capture no per-state table (they read W
-- through S, and globals through locals of the chunk), so copies of a template
-- state share them.
local W, P, errors, channel = ...
local S = P.state
local p_now_ns, p_clock = P.now_ns, P.clock
local type, tostring, tonumber, error = type, tostring, tonumber, error
local math_type, tointeger = math.type, math.tointeger

_G.errors = errors
_G.channel = channel
coroutine.spawn = W.spawn

-- os: time functions only; the clock is the invocation's (the workflow clock inside
-- a workflow)
local os_date, os_difftime, os_time = os.date, os.difftime, os.time
local function now_s() return p_now_ns() // 1000000000 end
_G.os = {
  time = function(t)
    if t == nil then return now_s() end
    return os_time(t)  -- (the original, for table arguments: pure)
  end,
  clock = function() return p_clock() end,
  date = function(fmt, t)
    if t == nil then t = now_s() end
    return os_date(fmt, t)
  end,
  difftime = os_difftime,
}
W.os_time = os_time

-- cast functions: string(x), integer(x), number(x), boolean(x)
setmetatable(string, {__call = function(_, v) return tostring(v) end})
function _G.integer(v)
  if math_type(v) == "integer" then return v end
  local n = tonumber(v)
  if n == nil then return nil end
  return tointeger(n)
end
function _G.number(v) return tonumber(v) end
function _G.boolean(v)
  if v == "true" then return true elseif v == "false" then return false end
  return not not v
end

-- require: the entry's modules, by their allow-list
local plain_require = require
_G.require = function(name)
  if type(name) == "string" and name:sub(1, 7) == "__wippy" then
    error(("module '%s' not found"):format(name), 2)
  end
  if type(name) == "string" then
    local W_ = S()
    if W_.known_modules[name] and not W_.declared[name] then
      error(("module '%s' is not declared in the modules of %s"):format(name, W_.entry_id), 2)
    end
  end
  return plain_require(name)
end
