-- A small JSON encoder/decoder
local json = {}

local escapes = {['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t'}

local function is_array(t)
  local n = 0
  for _ in pairs(t) do n = n + 1 end
  for i = 1, n do if t[i] == nil then return false end end
  return true, n
end

local function encode(v, indent, cur)
  local ty = type(v)
  if v == nil then return "null"
  elseif ty == "boolean" then return tostring(v)
  elseif ty == "number" then
    if v ~= v or v == math.huge or v == -math.huge then error("cannot encode " .. tostring(v)) end
    if math.type(v) == "integer" then return tostring(v) end
    return string.format("%.14g", v)
  elseif ty == "string" then
    return '"' .. v:gsub('[%c"\\]', function(c) return escapes[c] or string.format("\\u%04x", c:byte()) end) .. '"'
  elseif ty == "table" then
    local arr, n = is_array(v)
    local parts = {}
    if arr then
      for i = 1, n do parts[i] = encode(v[i]) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do
      if type(k) ~= "string" then error("non-string key: " .. tostring(k)) end
      keys[#keys + 1] = k
    end
    table.sort(keys)
    for _, k in ipairs(keys) do parts[#parts + 1] = encode(k) .. ":" .. encode(v[k]) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  error("cannot encode type " .. ty)
end
json.encode = encode

local function decoder(s)
  local pos = 1
  local function err(msg) error(string.format("json error at %d: %s", pos, msg), 0) end
  local function ws() pos = s:find("[^ \t\r\n]", pos) or #s + 1 end
  local value
  local function str()
    pos = pos + 1
    local buf = {}
    while true do
      local c = s:sub(pos, pos)
      if c == "" then err("unterminated string") end
      if c == '"' then pos = pos + 1; break end
      if c == "\\" then
        local e = s:sub(pos + 1, pos + 1)
        local map = {b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/"}
        if map[e] then buf[#buf + 1] = map[e]; pos = pos + 2
        elseif e == "u" then
          local hex = s:sub(pos + 2, pos + 5)
          buf[#buf + 1] = utf8.char(tonumber(hex, 16)); pos = pos + 6
        else err("bad escape") end
      else
        buf[#buf + 1] = c; pos = pos + 1
      end
    end
    return table.concat(buf)
  end
  function value()
    ws()
    local c = s:sub(pos, pos)
    if c == "{" then
      pos = pos + 1
      local obj = {}
      ws()
      if s:sub(pos, pos) == "}" then pos = pos + 1; return obj end
      while true do
        ws()
        if s:sub(pos, pos) ~= '"' then err("expected key") end
        local k = str()
        ws()
        if s:sub(pos, pos) ~= ":" then err("expected ':'") end
        pos = pos + 1
        obj[k] = value()
        ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "}" then return obj end
        if d ~= "," then err("expected ',' or '}'") end
      end
    elseif c == "[" then
      pos = pos + 1
      local arr = {}
      ws()
      if s:sub(pos, pos) == "]" then pos = pos + 1; return arr end
      while true do
        arr[#arr + 1] = value()
        ws()
        local d = s:sub(pos, pos); pos = pos + 1
        if d == "]" then return arr end
        if d ~= "," then err("expected ',' or ']'") end
      end
    elseif c == '"' then return str()
    elseif s:find("^true", pos) then pos = pos + 4; return true
    elseif s:find("^false", pos) then pos = pos + 5; return false
    elseif s:find("^null", pos) then pos = pos + 4; return nil
    else
      local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
      if not num or num == "" then err("unexpected character '" .. c .. "'") end
      pos = pos + #num
      return math.tointeger(tonumber(num)) or tonumber(num)
    end
  end
  local v = value()
  ws()
  if pos <= #s then err("trailing garbage") end
  return v
end
json.decode = decoder

local doc = {
  name = "luavm", version = 5.4, tags = {"fast", "pure", "python"},
  nested = {a = {b = {c = {1, 2, {d = "deep"}}}}},
  flags = {on = true, off = false}, count = 42, ratio = 0.25, empty = {},
  text = 'quote " backslash \\ newline \n tab \t bell \a',
}
local enc = json.encode(doc)
print(enc)
local dec = json.decode(enc)
print(dec.name, dec.version, dec.tags[3], dec.nested.a.b.c[3].d, dec.flags.on, dec.flags.off, dec.count, math.type(dec.count))
print(json.encode(dec) == enc)
local samples = {
  '[1, 2, 3]', '{"a": [true, false, null, 1.5e3, -2]}', '"\\u0041\\u00e9\\n"', '  [ ]  ', '{}',
  '[1, 2', '{"a" 1}', '[1,]x', 'tru', '"abc', '[1] 2', '{"k": "v", "n": {"m": [[], [[]]]}}', '-0.5', '12345678901234',
}
for _, s in ipairs(samples) do
  local ok, v = pcall(json.decode, s)
  if ok then print("ok", json.encode(v)) else print("error", v) end
end
print(pcall(json.encode, {x = 1, [5] = 2}))
print(pcall(json.encode, {math.huge}))
print(pcall(json.encode, {print}))
