"""The Lua text the typed program generator is made of: the prelude every program
starts with, the pools of literals, patterns and format specs it picks from, and
`lua_str` to quote arbitrary bytes. Plain data, shared with `gen_runtime.py`."""

from __future__ import annotations

PRELUDE = """\
local function nz(x) if x == 0 then return 1 end return x end
local function S(...)
  local n = select('#', ...)
  local r = {}
  for i = 1, n do
    local v = select(i, ...)
    local t = type(v)
    if t == "table" or t == "function" or t == "thread" or t == "userdata" then r[i] = t
    else r[i] = tostring(v) end
  end
  return n .. ":" .. table.concat(r, "|")
end
local function kless(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end
local function spairs(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, kless)
  local i = 0
  return function()
    i = i + 1
    local k = ks[i]
    if k ~= nil then return k, t[k] end
  end
end
local function dump(t)
  local r = {}
  for k, v in spairs(t) do r[#r + 1] = tostring(k) .. "=" .. S(v) end
  return "{" .. table.concat(r, ",") .. "}"
end
"""

PRELUDE_FETCH = 'fetch = fetch or function(v) return "<" .. tostring(v) .. ">" end\n'

INT_LITS = ["0", "1", "2", "3", "5", "7", "10", "-1", "-2", "-7", "100", "255", "256", "1000",
            "65535", "2147483647", "2147483648", "-2147483648", "4294967296", "0x10", "0xff",
            "0x7fffffffffffffff", "0xffffffffffffffff", "0x8000000000000000",
            "9223372036854775807", "-9223372036854775807", "math.maxinteger", "math.mininteger",
            "(math.maxinteger - 1)", "(math.mininteger + 1)", "9007199254740993", "(1 << 62)"]
FLOAT_LITS = ["0.0", "-0.0", "0.5", "1.5", "-2.5", "3.0", "0.1", "1e15", "1e16", "1e100", "1e308",
              "1e-300", "5e-324", "123456.789", "2^53", "2^63", "-2^63", "2^-1074", "math.pi",
              "math.huge", "-math.huge", "9223372036854775808", "-9223372036854775808", "(1e+300 * 10)",
              "0x1p4", "0x.8", "0xA.8p1", "3.14159265358979", "100.0", "1e14", "123456789012345.0",
              "(0.1 + 0.2)", "2.0^63", "7.0", "-7.5", "4503599627370496.5"]
STR_ALPHA = "abcxyz ABC019_-.,:;%()[]"
PAT_SUBJECTS = ["hello world", "abc123def", "  x = 10, y = 20  ", "(a(b)c)[d]", "aaa", "",
                "key=val; k2=v2", "THE (quick) fox", "a.b.c", "1,22,333", "%d%%", "x\0y",
                "caf\xc3\xa9", "[[x]]", "one two  three", "a+b-c*d", "$100 & 50%"]
PAT_ITEMS = ["a", "b", "c", "x", "1", " ", ".", "%a", "%d", "%s", "%w", "%p", "%l", "%u", "%x",
             "%A", "%D", "%S", "%W", "%c", "%g", "[abc]", "[^ab]", "[a-c]", "[%d_]", "[%a%-]", "[]]",
             "[^%s]", "%.", "%%", "%(", "%)", "%[", "[%w%.]", "-", "=", ",", "[0-9]"]
PAT_BAD = ["%", "[a", "(", "%1", "(()", "%b", "%f", "%fx", "[%", "a)", "%g(", "((a)", "(a%2)",
           "[^", "%z%"]
FMT_INT = ["%d", "%5d", "%-5d", "%05d", "%+d", "% d", "%i", "%x", "%X", "%#x", "%o", "%#o", "%.3d",
           "%08X", "%c"]
FMT_FLOAT = ["%f", "%5.2f", "%.0f", "%-8.3f", "%+.1f", "%e", "%.3e", "%E", "%g", "%.3g", "%10g",
             "%G", "%a", "%.3a", "%A", "%#g", "%08.2f", "% f"]
FMT_STR = ["%s", "%5s", "%-5s", "%.2s", "%q", "%10.3s"]
FMT_BAD = ["%", "%y", "%+x", "%#d", "%05s", "%123d", "%.123f", "%5q", "%-#x.", "%l", "%u", "%10.3c",
           "%.5c", "% s", "%#c"]


def lua_str(b: bytes | str) -> str:
    """A double-quoted Lua literal for any bytes."""
    if isinstance(b, str):
        b = b.encode("utf-8")
    out = ['"']
    for c in b:
        ch = chr(c)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif 32 <= c < 127:
            out.append(ch)
        else:
            out.append(f"\\{c:03d}")
    out.append('"')
    return "".join(out)
