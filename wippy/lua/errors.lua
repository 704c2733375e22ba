-- Wippy's structured errors: values with kind, message, retryable flag, details and
-- the stack where they were made. Plain Lua tables with a shared metatable, so they
-- are part of a snapshot and cross processes as data ({kind=, message=, ...}).
local W = ...

local Error = {}
Error.__index = Error
Error.__name = "error"

local KINDS = {
  NOT_FOUND = "NotFound", ALREADY_EXISTS = "AlreadyExists", INVALID = "Invalid",
  PERMISSION_DENIED = "PermissionDenied", UNAVAILABLE = "Unavailable", INTERNAL = "Internal",
  CANCELED = "Canceled", CONFLICT = "Conflict", TIMEOUT = "Timeout", RATE_LIMITED = "RateLimited",
  UNKNOWN = "",
}

local function make(message, kind, retryable, details, cause, stack)
  return setmetatable({_message = message, _kind = kind or "", _retryable = retryable,
                       _details = details, _cause = cause, _stack = stack}, Error)
end

local function is_error(v) return getmetatable(v) == Error end

function Error:kind() return self._kind end
function Error:message() return self._message end
function Error:retryable() return self._retryable end
function Error:details() return self._details end
function Error:stack() return self._stack or "" end
function Error:unwrap() return self._cause end
Error.__tostring = function(e)
  if e._kind ~= "" and e._kind ~= nil then return e._message end
  return e._message
end
Error.__eq = function(a, b)
  return is_error(a) and is_error(b) and a._message == b._message and a._kind == b._kind
end

-- W.error(x [, level]): an error object from a string, an error object, or a table
-- {kind=, message=, retryable=, details=}
function W.error(x, level)
  if is_error(x) then return x end
  local stack = debug.traceback("", (level or 1) + 1)
  if type(x) == "table" then
    return make(tostring(x.message or ""), x.kind or "", x.retryable, x.details, nil, x.stack or stack)
  end
  return make(tostring(x), "", nil, nil, nil, stack)
end

W.is_error = is_error
W.Error = Error

-- an error object's plain form, for crossing processes and the store
function W.error_data(e)
  if not is_error(e) then
    return {kind = "Internal", message = tostring(e)}
  end
  return {kind = e._kind, message = e._message, retryable = e._retryable, details = e._details}
end

local errors = {}
for k, v in pairs(KINDS) do errors[k] = v end

function errors.new(x)
  if type(x) == "string" then
    return make(x, "", nil, nil, nil, debug.traceback("", 2))
  elseif type(x) == "table" and not is_error(x) then
    if x.message == nil then
      return nil, make("errors.new: message is required", KINDS.INVALID)
    end
    return make(tostring(x.message), x.kind or "", x.retryable, x.details, nil, debug.traceback("", 2))
  elseif is_error(x) then
    return x
  end
  return nil, make("errors.new: expected a string or a table, got " .. type(x), KINDS.INVALID)
end

function errors.wrap(err, context)
  if err == nil then return nil end
  if not is_error(err) then err = make(tostring(err), "") end
  if context == nil then return err end
  return make(tostring(context) .. ": " .. err._message, err._kind, err._retryable, err._details, err,
              debug.traceback("", 2))
end

function errors.is(err, kind)
  if is_error(kind) then
    local e = err
    while is_error(e) do
      if e == kind then return true end
      e = e._cause
    end
    return false
  end
  while is_error(err) do
    if err._kind == kind then return true end
    err = err._cause
  end
  return false
end

function errors.unwrap(err)
  if is_error(err) then return err._cause end
  return nil
end

function errors.kind(err)
  if is_error(err) then return err._kind end
  return nil
end

W.errors = errors
return errors
