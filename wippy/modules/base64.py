"""The `base64` module: standard base64 (RFC 4648, with padding) of Lua strings.

Lua surface: `base64.encode(s) -> b64, err`, `base64.decode(b64) -> s, err`.

Concept and invariants (as Wippy, whose module uses Go's StdEncoding): strings are
bytes, so binary data round-trips exactly; `""` encodes and decodes to `""`;
decoding requires the standard alphabet and correct padding, ignoring only CR and
LF; a non-string argument or malformed input is `nil, err` of kind Invalid. Wippy
documents no URL-safe variant, so there is none. Pure: workflow safe.

Costs: linear, in C (binascii).
"""

from __future__ import annotations

import base64 as _b64
import binascii
from typing import Any

from ._spec import Module, failure
from .json import arg_type


def _bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def encode(s: Any) -> Any:
    if type(s) is not str:
        return failure("Invalid", f"string expected, got {arg_type(s)}")
    return _b64.b64encode(_bytes(s)).decode("ascii"), None


def decode(s: Any) -> Any:
    if type(s) is not str:
        return failure("Invalid", f"string expected, got {arg_type(s)}")
    if "\r" in s or "\n" in s:
        s = s.replace("\r", "").replace("\n", "")
    try:
        return _b64.b64decode(_bytes(s), validate=True), None
    except (binascii.Error, ValueError) as e:
        return failure("Invalid", f"decode failed: illegal base64 data ({e})")


LUA = """
local P, W = ...
local S = W.state
local p_decode = P.decode
local p_encode = P.encode
local w_error = W.error
local mkerr = w_error
local base64 = {}

function base64.encode(s)
  local v, e = p_encode(s)
  if e then return nil, mkerr(e) end
  return v
end

function base64.decode(s)
  local v, e = p_decode(s)
  if e then return nil, mkerr(e) end
  return v
end

return base64
"""

MODULE = Module(name="base64", lua=LUA, primitives={"encode": encode, "decode": decode}, workflow_safe=True)

__all__ = ["MODULE"]
