"""The `hash` module: digests and HMACs of Lua strings, and FNV hashes.

Lua surface (as Wippy): `hash.md5/sha1/sha256/sha512(data [, raw]) -> s, err`;
`hash.hmac_md5/hmac_sha1/hmac_sha256/hmac_sha512(data, secret [, raw]) -> s, err`;
`hash.fnv32(data) -> n, err`, `hash.fnv64(data) -> n, err`.

Invariants: strings are bytes (any binary data hashes exactly); the result is
lowercase hex unless `raw` is truthy, then the raw digest bytes. FNV is FNV-1 (Go's
`fnv.New32`/`New64`, which Wippy uses), 32-bit as a non-negative integer; the
64-bit value is a Lua integer holding the same 64 bits (so values at or above
2^63 read as negative — Wippy returns a float, which loses the low bits). A
non-string `data` or `secret` is `nil, err` of kind Invalid. Pure: workflow safe.

Costs: digests are C (hashlib/hmac), linear; FNV is a Python loop (~0.1 µs/byte).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from ._spec import Module, failure
from .json import arg_type

_M32, _M64 = (1 << 32) - 1, (1 << 64) - 1


def _bytes(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _out(digest: bytes, raw: Any) -> str | bytes:
    return digest if raw is not None and raw is not False else digest.hex()


def _digest(algo: str, data: Any, raw: Any) -> Any:
    if type(data) is not str:
        return failure("Invalid", f"data must be a string, got {arg_type(data)}")
    return _out(hashlib.new(algo, _bytes(data)).digest(), raw), None


def _hmac(algo: str, data: Any, secret: Any, raw: Any) -> Any:
    if type(data) is not str:
        return failure("Invalid", f"data must be a string, got {arg_type(data)}")
    if type(secret) is not str:
        return failure("Invalid", f"secret must be a string, got {arg_type(secret)}")
    return _out(hmac.new(_bytes(secret), _bytes(data), algo).digest(), raw), None


def md5(data: Any = None, raw: Any = None) -> Any:
    return _digest("md5", data, raw)


def sha1(data: Any = None, raw: Any = None) -> Any:
    return _digest("sha1", data, raw)


def sha256(data: Any = None, raw: Any = None) -> Any:
    return _digest("sha256", data, raw)


def sha512(data: Any = None, raw: Any = None) -> Any:
    return _digest("sha512", data, raw)


def hmac_md5(data: Any = None, secret: Any = None, raw: Any = None) -> Any:
    return _hmac("md5", data, secret, raw)


def hmac_sha1(data: Any = None, secret: Any = None, raw: Any = None) -> Any:
    return _hmac("sha1", data, secret, raw)


def hmac_sha256(data: Any = None, secret: Any = None, raw: Any = None) -> Any:
    return _hmac("sha256", data, secret, raw)


def hmac_sha512(data: Any = None, secret: Any = None, raw: Any = None) -> Any:
    return _hmac("sha512", data, secret, raw)


def fnv32(data: Any = None) -> Any:
    if type(data) is not str:
        return failure("Invalid", f"data must be a string, got {arg_type(data)}")
    h = 2166136261
    for b in _bytes(data):
        h = ((h * 16777619) & _M32) ^ b
    return h, None


def fnv64(data: Any = None) -> Any:
    if type(data) is not str:
        return failure("Invalid", f"data must be a string, got {arg_type(data)}")
    h = 14695981039346656037
    for b in _bytes(data):
        h = ((h * 1099511628211) & _M64) ^ b
    return (h - (1 << 64) if h >= 1 << 63 else h), None


_NAMES = ("md5", "sha1", "sha256", "sha512", "hmac_md5", "hmac_sha1", "hmac_sha256", "hmac_sha512",
          "fnv32", "fnv64")

LUA = """
local P, W = ...
local S = W.state
local w_error = W.error
local ipairs = ipairs
local mkerr = w_error
local hash = {}
for _, name in ipairs({NAMES}) do
  local f = P[name]
  hash[name] = function(...)
    local v, e = f(...)
    if e then return nil, mkerr(e) end
    return v
  end
end
return hash
""".replace("NAMES", ", ".join(f'"{n}"' for n in _NAMES))

MODULE = Module(
    name="hash",
    lua=LUA,
    primitives={"md5": md5, "sha1": sha1, "sha256": sha256, "sha512": sha512, "hmac_md5": hmac_md5,
                "hmac_sha1": hmac_sha1, "hmac_sha256": hmac_sha256, "hmac_sha512": hmac_sha512,
                "fnv32": fnv32, "fnv64": fnv64},
    workflow_safe=True,
)

__all__ = ["MODULE"]
