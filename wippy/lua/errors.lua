-- Wippy's structured errors: values with kind, message, retryable flag, details and
-- the stack where they were made. Plain Lua tables with a shared metatable, so they
-- are part of a snapshot and cross processes as data ({kind=, message=, ...}).
--
-- The global `errors` (as Wippy): errors.new(msg | {message=, kind=, retryable=,
-- details=}), errors.wrap(err, context), errors.is(err, kind), errors.call_stack(err),
-- the kind constants; ours too: errors.unwrap(err), errors.kind(err). Methods:
-- err:kind(), :message(), :retryable() (true/false/nil), :details() (nil when
-- empty), :stack(), :unwrap(); tostring(err) and `..` give the message.
--
-- Bad arguments to errors.new raise an error object of kind Invalid (Wippy raises
-- there too). Lenient where Wippy raises but no harm follows: errors.wrap(nil, ...)
-- is nil, errors.wrap(err) without a context is err, errors.new(err) is err.
--
-- Per-state data (the metatable Error, the kernel's K) is reached through S (the
-- running state's W), not captured, and every global used is a local of the chunk:
-- so these closures capture nothing mutable and every copy of a template state
-- shares them (see kernel.lua).
local W, P = ...
local S = P.state

local Error = {}  -- (W.Error: the closures below reach it as S().Error)
Error.__index = Error
Error.__name = "error"
W.Error = Error

local type, tostring, setmetatable, getmetatable, next, pairs, error =
  type, tostring, setmetatable, getmetatable, next, pairs, error
local tonumber, tointeger, concat = tonumber, math.tointeger, table.concat
local traceback = debug.traceback
local co_running = coroutine.running

local KINDS = {
  NOT_FOUND = "NotFound", ALREADY_EXISTS = "AlreadyExists", INVALID = "Invalid",
  PERMISSION_DENIED = "PermissionDenied", UNAVAILABLE = "Unavailable", INTERNAL = "Internal",
  CANCELED = "Canceled", CONFLICT = "Conflict", TIMEOUT = "Timeout", RATE_LIMITED = "RateLimited",
  UNKNOWN = "",
}

local function make(message, kind, retryable, details, cause, stack, thread)
  return setmetatable({_message = message, _kind = kind or "", _retryable = retryable,
                       _details = details, _cause = cause, _stack = stack, _thread = thread}, S().Error)
end

local function is_error(v) return getmetatable(v) == S().Error end

-- the running thread, named without its address (snapshots must be deterministic)
local function thread_name()
  local co = co_running()
  local K = S().K
  if K and K.main == co then return "main" end
  return "thread"
end

-- a traceback without the runtime's own frames (the kernel, module surfaces, C
-- functions): what the user's code did. Also what keeps a workflow's state the
-- same whether or not it was restored from a snapshot on the way (a restored
-- stack shows the kernel's frames differently)
local function user_frames(tb)
  local out = {}
  for line in tb:gmatch("[^\n]+") do
    local s = line:match("^%s*(.-)$")
    if s:sub(1, 7) ~= "[wippy " and s:sub(1, 3) ~= "[C]" and s ~= "(...tail calls...)" then
      out[#out + 1] = line
    end
  end
  return concat(out, "\n")
end
W.user_frames = user_frames

-- the stack of the caller `level` levels above the function calling here
local function here(level)
  return user_frames((traceback("", level + 1):gsub("^\n", ""))), thread_name()
end

-- fields of a {message=, kind=, retryable=, details=} table, each only if well typed
local function opt_kind(k) return type(k) == "string" and k or "" end
local function opt_retryable(r) if type(r) == "boolean" then return r end return nil end
local function opt_details(d)
  if type(d) == "table" and next(d) ~= nil then return d end
  return nil
end

function Error:kind() return self._kind end
function Error:message() return self._message end
function Error:retryable() return self._retryable end
function Error:details() return self._details end
function Error:stack() return self._stack or "" end
function Error:unwrap() return self._cause end
Error.__tostring = function(e) return e._message end
Error.__concat = function(a, b)
  if is_error(a) then a = a._message end
  if is_error(b) then b = b._message end
  return tostring(a) .. tostring(b)
end
Error.__eq = function(a, b)
  return is_error(a) and is_error(b) and a._message == b._message and a._kind == b._kind
end

-- W.error(x [, level]): an error object from a string, an error object, or a table
-- {kind=, message=, retryable=, details=, stack=}; its stack is the caller's (`level`
-- levels up, 1 = the function calling W.error)
function W.error(x, level)
  if is_error(x) then return x end
  local stack, thread = here((level or 1) + 1)
  if type(x) == "table" then
    return make(tostring(x.message or ""), opt_kind(x.kind), opt_retryable(x.retryable),
                opt_details(x.details), nil, x.stack or stack, thread)
  end
  return make(tostring(x), "", nil, nil, nil, stack, thread)
end

W.is_error = is_error

-- an error object's plain form, for crossing processes and the store
function W.error_data(e)
  if not is_error(e) then
    return {kind = "Internal", message = tostring(e)}
  end
  return {kind = e._kind, message = e._message, retryable = e._retryable, details = e._details}
end

local errors = {}
for k, v in pairs(KINDS) do errors[k] = v end

local function bad_new(what)
  local stack, thread = here(3)
  error(make("bad argument #1 to 'new' (" .. what .. ")", "Invalid", false, nil, nil, stack, thread), 3)
end

function errors.new(x)
  local tx = type(x)
  if tx == "string" then
    local stack, thread = here(2)
    return make(x, "", nil, nil, nil, stack, thread)
  elseif is_error(x) then
    return x
  elseif tx == "table" then
    local msg = x.message
    if msg == nil then bad_new("message field is required") end
    if type(msg) ~= "string" then bad_new("message must be a string, got " .. type(msg)) end
    local stack, thread = here(2)
    return make(msg, opt_kind(x.kind), opt_retryable(x.retryable), opt_details(x.details), nil, stack, thread)
  end
  bad_new("expected string or table, got " .. tx)
end

function errors.wrap(err, context)
  if err == nil then return nil end
  if not is_error(err) then
    local stack, thread = here(2)
    err = make(tostring(err), "", nil, nil, nil, stack, thread)
  end
  if context == nil then return err end
  if is_error(context) then context = context._message end
  local stack, thread = here(2)
  return make(tostring(context) .. ": " .. err._message, err._kind, err._retryable, err._details, err,
              stack, thread)
end

-- errors.is(err, kind): err (or an error it wraps) has this kind; with an error
-- object as the second argument: err is (or wraps) an error equal to it
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

-- errors.call_stack(err) -> {thread=, frames={{level, source, line, name, type}, ...}} | nil
-- (read from the traceback taken when err was made)
function errors.call_stack(err)
  if not is_error(err) or type(err._stack) ~= "string" then return nil end
  local frames = {}
  for line in err._stack:gmatch("[^\n]+") do
    local body = line:match("^%s+(.*)$")
    if body and body:sub(1, 3) ~= "..." then
      local source, lno, what = body:match("^(.-):(%d+): in (.*)$")
      if not source then
        source, what = body:match("^(.-): in (.*)$")
        lno = -1
      end
      if source then
        local ftype = "Lua"
        if source == "[C]" then ftype = "C" elseif what == "main chunk" then ftype = "main" end
        frames[#frames + 1] = {level = #frames, source = source, line = tointeger(tonumber(lno)),
                               name = what:match("'(.-)'") or "", type = ftype}
      end
    end
  end
  if #frames == 0 then return nil end
  return {thread = err._thread or "", frames = frames}
end

W.errors = errors
return errors
