-- JSON: an encoder and a recursive-descent decoder written in Lua, run over a
-- generated document (objects, arrays, strings with escapes, integers, floats,
-- booleans, null). Encode -> decode -> re-encode must round-trip.
local NULL = setmetatable({}, { __tostring = function() return "null" end })

local ESCAPES = {
  ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t",
}
local UNESCAPES = {
  ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n", r = "\r", t = "\t",
}

local function escape_char(c)
  return ESCAPES[c] or string.format("\\u%04x", c:byte())
end

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', escape_char) .. '"'
end

local encode_value

local function encode_table(t, buf)
  if t[1] ~= nil or next(t) == nil then
    buf[#buf + 1] = "["
    for i = 1, #t do
      if i > 1 then buf[#buf + 1] = "," end
      encode_value(t[i], buf)
    end
    buf[#buf + 1] = "]"
  else
    local keys = {}
    for k in pairs(t) do
      if type(k) ~= "string" then error("object key must be a string") end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    buf[#buf + 1] = "{"
    for i, k in ipairs(keys) do
      if i > 1 then buf[#buf + 1] = "," end
      buf[#buf + 1] = encode_string(k)
      buf[#buf + 1] = ":"
      encode_value(t[k], buf)
    end
    buf[#buf + 1] = "}"
  end
end

function encode_value(v, buf)
  local tv = type(v)
  if tv == "string" then
    buf[#buf + 1] = encode_string(v)
  elseif tv == "number" then
    if math.type(v) == "integer" then
      buf[#buf + 1] = tostring(v)
    else
      buf[#buf + 1] = string.format("%.14g", v)
    end
  elseif tv == "boolean" then
    buf[#buf + 1] = v and "true" or "false"
  elseif v == NULL then
    buf[#buf + 1] = "null"
  elseif tv == "table" then
    encode_table(v, buf)
  else
    error("cannot encode a " .. tv)
  end
end

local function encode(v)
  local buf = {}
  encode_value(v, buf)
  return table.concat(buf)
end

local function skip_ws(s, pos)
  return s:find("[^ \t\r\n]", pos) or #s + 1
end

local decode_value

local function decode_string(s, pos)
  local buf = {}
  local i = pos + 1
  while true do
    local j = s:find('["\\]', i)
    if not j then error("unterminated string at " .. pos) end
    if j > i then buf[#buf + 1] = s:sub(i, j - 1) end
    if s:byte(j) == 34 then return table.concat(buf), j + 1 end
    local c = s:sub(j + 1, j + 1)
    if c == "u" then
      buf[#buf + 1] = utf8.char(tonumber(s:sub(j + 2, j + 5), 16))
      i = j + 6
    else
      buf[#buf + 1] = UNESCAPES[c] or error("bad escape at " .. j)
      i = j + 2
    end
  end
end

local function decode_number(s, pos)
  local _, e = s:find("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if not e then error("bad number at " .. pos) end
  local text = s:sub(pos, e)
  local v
  if text:find("[.eE]") then v = tonumber(text) else v = math.tointeger(tonumber(text)) end
  return v, e + 1
end

local function decode_array(s, pos)
  local arr, n = {}, 0
  pos = skip_ws(s, pos + 1)
  if s:byte(pos) == 93 then return arr, pos + 1 end -- ]
  while true do
    local v
    v, pos = decode_value(s, pos)
    n = n + 1
    arr[n] = v
    pos = skip_ws(s, pos)
    local c = s:byte(pos)
    if c == 93 then return arr, pos + 1 end
    if c ~= 44 then error("expected ',' or ']' at " .. pos) end
    pos = skip_ws(s, pos + 1)
  end
end

local function decode_object(s, pos)
  local obj = {}
  pos = skip_ws(s, pos + 1)
  if s:byte(pos) == 125 then return obj, pos + 1 end -- }
  while true do
    if s:byte(pos) ~= 34 then error("expected a key at " .. pos) end
    local k, v
    k, pos = decode_string(s, pos)
    pos = skip_ws(s, pos)
    if s:byte(pos) ~= 58 then error("expected ':' at " .. pos) end
    pos = skip_ws(s, pos + 1)
    v, pos = decode_value(s, pos)
    obj[k] = v
    pos = skip_ws(s, pos)
    local c = s:byte(pos)
    if c == 125 then return obj, pos + 1 end
    if c ~= 44 then error("expected ',' or '}' at " .. pos) end
    pos = skip_ws(s, pos + 1)
  end
end

function decode_value(s, pos)
  local c = s:sub(pos, pos)
  if c == "{" then return decode_object(s, pos)
  elseif c == "[" then return decode_array(s, pos)
  elseif c == '"' then return decode_string(s, pos)
  elseif c == "t" and s:sub(pos, pos + 3) == "true" then return true, pos + 4
  elseif c == "f" and s:sub(pos, pos + 4) == "false" then return false, pos + 5
  elseif c == "n" and s:sub(pos, pos + 3) == "null" then return NULL, pos + 4
  else return decode_number(s, pos)
  end
end

local function decode(s)
  local v, pos = decode_value(s, skip_ws(s, 1))
  pos = skip_ws(s, pos)
  if pos <= #s then error("trailing garbage at " .. pos) end
  return v
end

local function make_doc(n)
  local seed = 12345
  local function rnd(m)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return (seed >> 4) % m
  end
  local items = {}
  for i = 1, n do
    local suffix = ""
    if rnd(4) == 0 then suffix = ' "quoted"\n\ttab\\' .. string.char(1 + rnd(30)) end
    local price = rnd(100000) / 100
    local tag1, tag2 = "t" .. rnd(10), "t" .. rnd(10)
    local active = rnd(2) == 1
    local ratio = (rnd(1000) + 1) / 7
    local level = rnd(5)
    local v1, v2, v3 = rnd(10), rnd(1000) - 500, rnd(10) * 1e6
    items[i] = {
      id = i,
      name = "item" .. i .. suffix,
      price = price,
      tags = { tag1, tag2 },
      active = active,
      ratio = ratio,
      nested = { level = level, values = { v1, v2, v3 }, note = NULL },
    }
  end
  return { version = 1, generator = "luavm-bench", items = items, empty = {} }
end

local function checksum(doc)
  local ids, active, price, chars = 0, 0, 0.0, 0
  for _, it in ipairs(doc.items) do
    ids = ids + it.id
    if it.active then active = active + 1 end
    price = price + it.price
    chars = chars + #it.name
    for _, v in ipairs(it.nested.values) do ids = ids + v end
  end
  return string.format("%d %d %.2f %d", ids, active, price, chars)
end

function bench(n)
  local doc = make_doc(n)
  local text, sum
  for _ = 1, 3 do
    text = encode(doc)
    local back = decode(text)
    local again = encode(back)
    if again ~= text then error("json round trip mismatch") end
    sum = checksum(back)
  end
  return string.format("%d %s", #text, sum)
end
