"""The `uuid` module: generate, check and take apart UUIDs.

Lua surface (as Wippy): `uuid.v1()`, `uuid.v4()`, `uuid.v7()` -> `string, err`;
`uuid.v3(ns, name)`, `uuid.v5(ns, name)` -> `string, err` (name-based, MD5/SHA-1);
`uuid.validate(v) -> boolean`; `uuid.version(s) -> integer, err`;
`uuid.variant(s) -> string, err`; `uuid.parse(s) -> {version, variant,
timestamp?, node?}, err`; `uuid.format(s [, "standard"|"simple"|"urn"]) -> string, err`.

Concept: the bytes are built here (RFC 9562 layouts); randomness and time come from
the running invocation: `current().random_bytes(n)` and `current().now_ns()`. Outside
a workflow those are os.urandom and the wall clock; inside one the workflow engine
serves them from its seeded generator and workflow clock, so v1/v4/v7 are the same
on every replay (Wippy records them as side effects; same observable result).

Invariants: output is lowercase, 36 characters; input is accepted in Go's
`uuid.Parse` forms (36-char standard, `{...}`, `urn:uuid:...`, 32 hex digits, any
case). v7 is `unix_ms(48) | ver | sub-ms fraction(12) | var | random(62)`, and
strictly increasing within one Lua state: the module keeps the last 60-bit
timestamp (in the Lua state, so snapshots keep it) and bumps a repeat by one.
v1 uses a random node (multicast bit set, RFC 9562 §6.10: the host's MAC is never
exposed) and a random clock sequence. Variants are named as Go's uuid package
does (RFC4122, Microsoft, Future, Reserved). `parse` gives `timestamp` in Unix
seconds for v1 and v7, and `node` (v1) as 12 hex digits (Wippy returns the raw 6
bytes). Bad arguments are `nil, err` of kind Invalid; `validate` of a non-string is
false.

Costs: a few µs per call; a v4 draws 16 random bytes, v7 10, v1 8.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ._spec import Module, current, failure
from .json import arg_type

_HEX = frozenset("0123456789abcdefABCDEF")
_GREGORIAN_OFFSET = 0x01B21DD213814000  # 100-ns intervals from 1582-10-15 to 1970-01-01


def parse_uuid(s: str) -> bytes | None:
    """The 16 bytes of a UUID in one of Go's accepted forms, or None."""
    n = len(s)
    if n == 36:
        pass
    elif n == 38:
        if s[0] != "{" or s[-1] != "}":
            return None
        s = s[1:-1]
    elif n == 45:
        if s[:9].lower() != "urn:uuid:":
            return None
        s = s[9:]
    elif n == 32:
        return bytes.fromhex(s) if all(c in _HEX for c in s) else None
    else:
        return None
    if s[8] != "-" or s[13] != "-" or s[18] != "-" or s[23] != "-":
        return None
    h = s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
    return bytes.fromhex(h) if all(c in _HEX for c in h) else None


def format_uuid(b: bytes) -> str:
    h = b.hex()
    return f"{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _stamp(b: bytearray, version: int) -> str:
    b[6] = (b[6] & 0x0F) | (version << 4)
    b[8] = (b[8] & 0x3F) | 0x80
    return format_uuid(bytes(b))


def _variant(b: bytes) -> str:
    v = b[8]
    if v & 0xC0 == 0x80:
        return "RFC4122"
    if v & 0xE0 == 0xC0:
        return "Microsoft"
    if v & 0xE0 == 0xE0:
        return "Future"
    return "Reserved"


# generation ----------------------------------------------------------------------------

def v4() -> Any:
    rnd = current().random_bytes(16)
    if len(rnd) != 16:
        return failure("Internal", "v4 generation failed: not enough random bytes")
    return _stamp(bytearray(rnd), 4), None


def v7(last: Any = 0) -> Any:
    """Returns (uuid, None, t) with t the 60-bit timestamp used (ms << 12 | fraction)."""
    inv = current()
    ns = inv.now_ns()
    ms, sub = divmod(ns, 1_000_000)
    t = (ms << 12) | (sub * 4096 // 1_000_000)
    if type(last) is int and t <= last:
        t = last + 1
    rnd = inv.random_bytes(10)
    if len(rnd) != 10:
        return None, {"kind": "Internal", "message": "v7 generation failed: not enough random bytes",
                      "retryable": False}, last
    b = bytearray(((t >> 12) & ((1 << 48) - 1)).to_bytes(6, "big") + (t & 0xFFF).to_bytes(2, "big") + rnd)
    return _stamp(b, 7), None, t


def v1() -> Any:
    inv = current()
    ts = (inv.now_ns() // 100 + _GREGORIAN_OFFSET) & ((1 << 60) - 1)
    rnd = inv.random_bytes(8)
    if len(rnd) != 8:
        return failure("Internal", "v1 generation failed: not enough random bytes")
    b = bytearray(16)
    b[0:4] = (ts & 0xFFFFFFFF).to_bytes(4, "big")
    b[4:6] = ((ts >> 32) & 0xFFFF).to_bytes(2, "big")
    b[6:8] = ((ts >> 48) & 0x0FFF).to_bytes(2, "big")
    b[8:10] = rnd[0:2]  # clock sequence (variant bits set by _stamp)
    b[10:16] = rnd[2:8]
    b[10] |= 0x01  # a random node is marked multicast (never a real MAC)
    return _stamp(b, 1), None


def _named(version: int, algo: str, ns: Any, name: Any) -> Any:
    if type(ns) is not str or type(name) is not str:
        return failure("Invalid", "namespace and name must be strings")
    nsb = parse_uuid(ns)
    if nsb is None:
        return failure("Invalid", f"invalid namespace UUID: {ns!r}")
    digest = hashlib.new(algo, nsb + name.encode("utf-8", "surrogateescape")).digest()
    return _stamp(bytearray(digest[:16]), version), None


def v3(ns: Any = None, name: Any = None) -> Any:
    return _named(3, "md5", ns, name)


def v5(ns: Any = None, name: Any = None) -> Any:
    return _named(5, "sha1", ns, name)


# inspection ----------------------------------------------------------------------------

def _parsed(s: Any) -> tuple[bytes | None, dict[str, Any] | None]:
    if type(s) is not str:
        return failure("Invalid", f"input must be a string, got {arg_type(s)}")
    b = parse_uuid(s)
    if b is None:
        return failure("Invalid", f"invalid UUID format: {s!r}")
    return b, None


def validate(s: Any = None) -> bool:
    return type(s) is str and parse_uuid(s) is not None


def version(s: Any = None) -> Any:
    b, err = _parsed(s)
    if b is None:
        return None, err
    return b[6] >> 4, None


def variant(s: Any = None) -> Any:
    b, err = _parsed(s)
    if b is None:
        return None, err
    return _variant(b), None


def parse(s: Any = None) -> Any:
    b, err = _parsed(s)
    if b is None:
        return None, err
    ver = b[6] >> 4
    out: dict[str, Any] = {"version": ver, "variant": _variant(b)}
    if ver == 7:
        out["timestamp"] = int.from_bytes(b[0:6], "big") // 1000
    elif ver == 1:
        ts = (int.from_bytes(b[6:8], "big") & 0x0FFF) << 48 | int.from_bytes(b[4:6], "big") << 32 \
            | int.from_bytes(b[0:4], "big")
        out["timestamp"] = (ts - _GREGORIAN_OFFSET) // 10_000_000
        out["node"] = b[10:16].hex()
    return out, None


def format_(s: Any = None, fmt: Any = None) -> Any:
    b, err = _parsed(s)
    if b is None:
        return None, err
    kind = fmt if type(fmt) is str else "standard"
    std = format_uuid(b)
    if kind == "standard":
        return std, None
    if kind == "simple":
        return b.hex(), None
    if kind == "urn":
        return "urn:uuid:" + std, None
    return failure("Invalid", f"unsupported format: {kind!r} (standard, simple or urn)")


LUA = """
local P, W = ...
local S = W.state
local p_v7 = P.v7
local p_validate = P.validate
local w_error = W.error
local ipairs = ipairs
local mkerr = w_error
local uuid = {}

local function wrap(f)
  return function(...)
    local v, e = f(...)
    if e then return nil, mkerr(e) end
    return v
  end
end

for _, name in ipairs({"v1", "v3", "v4", "v5", "version", "variant", "parse", "format"}) do
  uuid[name] = wrap(P[name])
end

-- W.late.uuid_last: the last v7 timestamp (ms << 12 | fraction): v7s increase
function uuid.v7()
  local late = S().late
  local s, e, t = p_v7(late.uuid_last or 0)
  if e then return nil, mkerr(e) end
  late.uuid_last = t
  return s
end

function uuid.validate(s)
  return p_validate(s)
end

return uuid
"""

MODULE = Module(
    name="uuid",
    lua=LUA,
    primitives={"v1": v1, "v3": v3, "v4": v4, "v5": v5, "v7": v7, "validate": validate,
                "version": version, "variant": variant, "parse": parse, "format": format_},
    workflow_safe=True,
)

__all__ = ["MODULE", "parse_uuid", "format_uuid"]
