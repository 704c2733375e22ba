"""The `ctx` module: read the invocation's context values.

Lua surface (as Wippy): `ctx.get(key) -> value, err`, `ctx.all() -> table, err`.

Concept: context values are set by whoever started the invocation
(`process.with_context{...}`, `funcs.new():with_context{...}`) and travel with calls
and into workflows; here they are read from `current().ctx`, plain data.

Invariants: `ctx.get` of an absent key is `nil, err` of kind NotFound; an empty key
is kind Invalid; a key that is not a string (or number, converted) raises, as in
Wippy. Each read returns a fresh copy (the Lua side cannot change the context).
Reading is deterministic within a workflow (the context is part of its start), so
the module is workflow safe.

Costs: one conversion of the value (or of every value, for `all`) to a Lua table.
"""

from __future__ import annotations

from typing import Any

from ._spec import Module, current, failure


def get(key: str) -> Any:
    if key == "":
        return failure("Invalid", "empty key")
    values = current().ctx
    if key not in values:
        return failure("NotFound", f"key not found: {key}")
    return values[key], None


def all_values() -> Any:
    return dict(current().ctx), None


LUA = """
local P, W = ...
local S = W.state
local p_all = P.all
local p_get = P.get
local w_error = W.error
local type, error, tostring = type, error, tostring
local mkerr = w_error
local ctx = {}

local function check_key(key)
  local t = type(key)
  if t == "number" then return tostring(key) end
  if t ~= "string" then
    error(mkerr({kind = "Invalid", message = "bad argument #1 to 'get' (string expected, got " .. t .. ")"}, 2), 3)
  end
  return key
end

function ctx.get(key)
  local v, e = p_get(check_key(key))
  if e then return nil, mkerr(e) end
  return v
end

function ctx.all()
  local v, e = p_all()
  if e then return nil, mkerr(e) end
  return v
end

return ctx
"""

MODULE = Module(name="ctx", lua=LUA, primitives={"get": get, "all": all_values}, workflow_safe=True)

__all__ = ["MODULE"]
