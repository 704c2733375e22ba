-- types.lua: the runtime side of Wippy's `type` declarations.
--
-- Concept: luavm/dialect.py rewrites `type Point = {x: number}` into
-- `Point = __type("Point", <descriptor>)`; this chunk returns `make_type`,
-- meant to be that `__type`.  A validator is a table with a shared metatable:
--   Point(v)     -> v when v conforms, else error("Point: <why>", 2)
--   Point:is(v)  -> v, nil   or   nil, "Point: field 'x': expected number, got string"
--   tostring(Point) -> "type Point"
-- and reflection (Wippy docs, "Type Reflection"): T:name(), T:kind()
-- ("number", "record", "optional", "union", "intersection", "array", "map",
-- "literal", "ref", ...), T:fields() (iterator of name, field type),
-- T.<field> (a record field's type), T:inner() (of T?), T:elem() (of {T}),
-- T:key() / T:val() (of {[K]: V}), T:variants() (members of a union),
-- T:descriptor() (the raw descriptor table).
-- Descriptor kinds (see dialect.py): prim, ref, lit, opt, union, inter, array,
-- map, record (extra fields allowed; with key/value, undeclared keys are
-- checked against the indexer); any descriptor may carry
-- checks={{"min", 0}, {"pattern", "^a"}} (from `number @min(0)`): min, max
-- (numbers), min_len, max_len (string or array length), pattern (string.find);
-- unknown check names pass.  Checks do not apply to nil.
--
-- Invariants: checking never mutates the value and never calls its metamethods
-- (rawget/rawlen/next).  `integer` is strict: math.type(v) == "integer" (a
-- float with an integral value, 1.0, is rejected).  A `ref` resolves through
-- its `get()` when that returns a validator; anything else (an unknown
-- external type such as Channel, Message, error, or a failing lookup) accepts
-- every value.  Cyclic values against recursive types terminate: a (table,
-- descriptor) pair already being checked counts as conforming.  A validator's
-- own data sits under a private table key, so record field names (even
-- `name` or `is`) never clash with it.  `T:is` is always the method; other
-- record field names shadow the reflection method of the same name (for
-- `type U = {name: string}`, `U.name` is the field's type and `U:name()`
-- fails: use tostring(U) or U:fields()).
--
-- Costs: a check walks the whole value (arrays: 1..#v, maps and indexers:
-- every pair), O(size of the value x depth of the type); unions try each
-- member in turn.

local type, ipairs, next, pcall, tostring, rawget, rawlen, setmetatable, getmetatable, error, select =
  type, ipairs, next, pcall, tostring, rawget, rawlen, setmetatable, getmetatable, error, select
local mtype, concat, format, find, unpack = math.type, table.concat, string.format, string.find, table.unpack

local INFO = {} -- private key: validator -> {name = ..., desc = ...}
local Validator = {}
local methods = {}

local PRIM = {
  number = function(v) return type(v) == "number" end,
  integer = function(v) return mtype(v) == "integer" end,
  string = function(v) return type(v) == "string" end,
  boolean = function(v) return type(v) == "boolean" end,
  table = function(v) return type(v) == "table" end,
  ["function"] = function(v) return type(v) == "function" end,
  thread = function(v) return type(v) == "thread" end,
  userdata = function(v) return type(v) == "userdata" end,
  ["nil"] = function(v) return v == nil end,
  any = function() return true end,
  unknown = function() return true end,
  never = function() return false end,
}

local function make_type(name, desc)
  return setmetatable({[INFO] = {name = name, desc = desc}}, Validator)
end

local function resolve(d)
  local get = d.get
  if get == nil then return nil end
  local ok, r = pcall(get)
  if ok and getmetatable(r) == Validator then return rawget(r, INFO) end
  return nil
end

local function show(v)
  if type(v) == "string" then return format("%q", v) end
  return tostring(v)
end

-- how a descriptor reads in a message
local function tname(d)
  local k = d.k
  if k == "prim" or k == "ref" then return d.name end
  if k == "lit" then return show(d.v) end
  if k == "opt" then return tname(d.t) .. "?" end
  if k == "array" then return "{" .. tname(d.t) .. "}" end
  if k == "map" then return "{[" .. tname(d.key) .. "]: " .. tname(d.value) .. "}" end
  if k == "record" then return "table" end
  local parts = {}
  for i, t in ipairs(d.ts) do parts[i] = tname(t) end
  return concat(parts, k == "union" and " | " or " & ")
end

local function got(d, v)
  if type(v) == "number" and d.k == "prim" and d.name == "integer" then
    return mtype(v)
  end
  return type(v)
end

local function mismatch(d, v)
  return "expected " .. tname(d) .. ", got " .. got(d, v)
end

local function keyname(k)
  if type(k) == "string" then return "'" .. k .. "'" end
  return "[" .. tostring(k) .. "]"
end

local function len(v)
  if type(v) == "string" then return #v end
  if type(v) == "table" then return rawlen(v) end
  return nil
end

-- each: (value, arg) -> nil or the reason
local CHECKS = {
  min = function(v, n)
    if type(v) == "number" and v < n then return "must be >= " .. tostring(n) .. ", got " .. tostring(v) end
  end,
  max = function(v, n)
    if type(v) == "number" and v > n then return "must be <= " .. tostring(n) .. ", got " .. tostring(v) end
  end,
  min_len = function(v, n)
    local l = len(v)
    if l and l < n then return "length must be >= " .. tostring(n) .. ", got " .. l end
  end,
  max_len = function(v, n)
    local l = len(v)
    if l and l > n then return "length must be <= " .. tostring(n) .. ", got " .. l end
  end,
  pattern = function(v, p)
    if type(v) == "string" and not find(v, p) then return "must match pattern " .. show(p) end
  end,
}

local function run_checks(checks, v)
  for _, c in ipairs(checks) do
    local f = CHECKS[c[1]]
    if f then
      local err = f(v, select(2, unpack(c)))
      if err then return err end
    end
  end
  return nil
end

-- check(d, v, seen) -> nil when v conforms to d, else the reason
local check

local function check_fields(d, v, seen)
  local k, err = d.k, nil
  if k == "array" then
    for i = 1, rawlen(v) do
      err = check(d.t, rawget(v, i), seen)
      if err then return "index " .. i .. ": " .. err end
    end
  elseif k == "map" then
    for key, val in next, v do
      err = check(d.key, key, seen)
      if err then return "key " .. keyname(key) .. ": " .. err end
      err = check(d.value, val, seen)
      if err then return "field " .. keyname(key) .. ": " .. err end
    end
  else -- record
    local fields = d.fields
    for _, name in ipairs(d.order) do
      err = check(fields[name], rawget(v, name), seen)
      if err then return "field '" .. name .. "': " .. err end
    end
    if d.key ~= nil then
      for key, val in next, v do
        if type(key) ~= "string" or fields[key] == nil then
          err = check(d.key, key, seen)
          if err then return "key " .. keyname(key) .. ": " .. err end
          err = check(d.value, val, seen)
          if err then return "field " .. keyname(key) .. ": " .. err end
        end
      end
    end
  end
  return nil
end

local function check_table(d, v, seen)
  if type(v) ~= "table" then return mismatch(d, v) end
  local marks = seen[d]
  if marks == nil then
    marks = {}
    seen[d] = marks
  end
  if marks[v] then return nil end -- already being checked further up: a cycle
  marks[v] = true
  local err = check_fields(d, v, seen)
  marks[v] = nil
  return err
end

local function check_kind(d, v, seen)
  local k = d.k
  if k == "prim" then
    local p = PRIM[d.name]
    if p == nil or p(v) then return nil end -- a primitive we do not know accepts all
    return mismatch(d, v)
  elseif k == "ref" then
    local info = resolve(d)
    if info == nil then return nil end
    return check(info.desc, v, seen)
  elseif k == "lit" then
    if v == d.v then return nil end
    if type(v) == type(d.v) then return "expected " .. show(d.v) .. ", got " .. show(v) end
    return mismatch(d, v)
  elseif k == "opt" then
    if v == nil then return nil end
    local err = check(d.t, v, seen)
    if err == nil then return nil end
    local tk = d.t.k
    if tk == "prim" or tk == "lit" or tk == "union" or tk == "ref" and resolve(d.t) == nil then
      return mismatch(d, v) -- "expected string?, got number"
    end
    return err
  elseif k == "union" then
    for _, t in ipairs(d.ts) do
      if check(t, v, seen) == nil then return nil end
    end
    return mismatch(d, v)
  elseif k == "inter" then
    for _, t in ipairs(d.ts) do
      local err = check(t, v, seen)
      if err then return err end
    end
    return nil
  elseif k == "array" or k == "map" or k == "record" then
    return check_table(d, v, seen)
  end
  return nil -- a kind from a newer dialect: accept
end

check = function(d, v, seen)
  local err = check_kind(d, v, seen)
  if err == nil and d.checks ~= nil and v ~= nil then
    err = run_checks(d.checks, v)
  end
  return err
end

-- validator protocol ---------------------------------------------------------

function Validator.__call(self, v)
  local info = rawget(self, INFO)
  local err = check(info.desc, v, {})
  if err then error(info.name .. ": " .. err, 2) end
  return v
end

function Validator.__index(self, key)
  local d = rawget(self, INFO).desc
  if d.k == "record" and type(key) == "string" and key ~= "is" then
    local f = d.fields[key]
    if f ~= nil then return make_type(tname(f), f) end
  end
  return methods[key]
end

function Validator.__tostring(self)
  return "type " .. rawget(self, INFO).name
end

function methods:is(v)
  local info = rawget(self, INFO)
  local err = check(info.desc, v, {})
  if err then return nil, info.name .. ": " .. err end
  return v, nil
end

function methods:name() return rawget(self, INFO).name end

function methods:descriptor() return rawget(self, INFO).desc end

local KIND = {opt = "optional", inter = "intersection", lit = "literal"}

function methods:kind()
  local d = rawget(self, INFO).desc
  if d.k == "prim" then return d.name end
  if d.k == "ref" then
    local info = resolve(d)
    if info ~= nil then return make_type(info.name, info.desc):kind() end
  end
  return KIND[d.k] or d.k
end

local function sub(d)
  if d == nil then return nil end
  return make_type(tname(d), d)
end

function methods:inner() local d = rawget(self, INFO).desc return d.k == "opt" and sub(d.t) or nil end
function methods:elem() local d = rawget(self, INFO).desc return d.k == "array" and sub(d.t) or nil end
function methods:key() return sub(rawget(self, INFO).desc.key) end
function methods:val() return sub(rawget(self, INFO).desc.value) end

function methods:fields()
  local d = rawget(self, INFO).desc
  local order = d.k == "record" and d.order or {}
  local i = 0
  return function()
    i = i + 1
    local name = order[i]
    if name ~= nil then return name, sub(d.fields[name]) end
  end
end

function methods:variants()
  local d = rawget(self, INFO).desc
  local ts = d.k == "union" and d.ts or {d}
  local i = 0
  return function()
    i = i + 1
    if ts[i] ~= nil then return sub(ts[i]) end
  end
end

return make_type
