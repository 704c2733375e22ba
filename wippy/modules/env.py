"""The `env` module: the environment values the app grants to its code.

Lua surface (as Wippy): `env.get(key) -> value, err`, `env.get_all() -> table, err`,
`env.set(key, value) -> true | nil, err`.

Concept: Lua code never sees the host's `os.environ`; it sees the environment the
embedder gives the app (`Scheduler(env=...)`), asked of `current()`: `env(key)` and
`env_all()`.

Invariants: an absent variable is `nil, err` of kind NotFound; an empty key is kind
Invalid; a key (or value) that is not a string (or number, converted) raises, as in
Wippy. The granted environment is read-only here (Wippy writes only to variables a
security policy lets it, and we have no policy): `env.set` validates its arguments
and returns `nil, err` of kind PermissionDenied. Not workflow safe: the environment
is outside the workflow's history (listing `env` in a workflow is a load error).

Costs: a dictionary lookup; `get_all` copies the granted environment.
"""

from __future__ import annotations

from typing import Any

from ._spec import Module, current, failure


def get(key: str) -> Any:
    if key == "":
        return failure("Invalid", "empty key")
    v = current().env(key)
    if v is None:
        return failure("NotFound", f"environment variable not found: {key}")
    return v, None


def get_all() -> Any:
    return current().env_all(), None


def set_value(key: str, value: str) -> Any:
    if key == "":
        return failure("Invalid", "empty key")
    return failure("PermissionDenied", f"not allowed to set environment variable: {key} "
                   "(the app's environment is read-only)")


LUA = """
local P, W = ...
local S = W.state
local p_get = P.get
local p_get_all = P.get_all
local p_set = P.set
local w_error = W.error
local type, error, tostring = type, error, tostring
local mkerr = w_error
local env = {}

local function check(fname, i, v)
  local t = type(v)
  if t == "number" then return tostring(v) end
  if t ~= "string" then
    error(mkerr({kind = "Invalid",
                 message = ("bad argument #%d to '%s' (string expected, got %s)"):format(i, fname, t)}, 2), 3)
  end
  return v
end

function env.get(key)
  local v, e = p_get(check("get", 1, key))
  if e then return nil, mkerr(e) end
  return v
end

function env.get_all()
  local v, e = p_get_all()
  if e then return nil, mkerr(e) end
  return v
end

function env.set(key, value)
  local ok, e = p_set(check("set", 1, key), check("set", 2, value))
  if e then return nil, mkerr(e) end
  return true
end

return env
"""

MODULE = Module(name="env", lua=LUA, primitives={"get": get, "get_all": get_all, "set": set_value},
                workflow_safe=False)

__all__ = ["MODULE"]
