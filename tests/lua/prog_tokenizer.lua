-- A string tokenizer for a tiny expression language
local function tokenize(src)
  local tokens = {}
  local i = 1
  local line = 1
  local keywords = {["let"] = true, ["if"] = true, ["then"] = true, ["else"] = true, ["end"] = true}
  while i <= #src do
    local c = src:sub(i, i)
    if c == "\n" then line = line + 1; i = i + 1
    elseif c:match("%s") then i = i + 1
    elseif src:sub(i, i + 1) == "--" then
      local e = src:find("\n", i) or #src + 1
      i = e
    elseif c:match("%d") then
      local num = src:match("^%d+%.?%d*", i)
      tokens[#tokens + 1] = {type = "number", value = tonumber(num), line = line}
      i = i + #num
    elseif c:match("[%a_]") then
      local id = src:match("^[%w_]+", i)
      tokens[#tokens + 1] = {type = keywords[id] and "keyword" or "ident", value = id, line = line}
      i = i + #id
    elseif c == '"' then
      local j = i + 1
      local buf = {}
      while j <= #src and src:sub(j, j) ~= '"' do
        if src:sub(j, j) == "\\" then j = j + 1 end
        buf[#buf + 1] = src:sub(j, j)
        j = j + 1
      end
      if j > #src then error(string.format("line %d: unterminated string", line), 0) end
      tokens[#tokens + 1] = {type = "string", value = table.concat(buf), line = line}
      i = j + 1
    else
      local op = src:match("^[=<>~]=", i) or src:match("^%.%.", i) or c
      if not op:match("^[-+*/%%^()=<>~,.;{}%[%]]") and not op:match("^[=<>~]=$") then
        error(string.format("line %d: unexpected character %q", line, c), 0)
      end
      tokens[#tokens + 1] = {type = "op", value = op, line = line}
      i = i + #op
    end
  end
  return tokens
end

local src = [[
let x = 10 + 20.5 * (3 - y) -- comment here
if x >= 10 then print("big \"x\"") else print('small') end
let s = "a" .. "b"
z ~= 3; w == 4; q <= 5
]]
local ok, toks = pcall(tokenize, src)
print(ok, type(toks))
local ok2, toks2 = pcall(tokenize, (src:gsub("'small'", '"small"')))
print(ok2, #toks2)
for _, t in ipairs(toks2) do
  io.write(string.format("%d:%s:%s ", t.line, t.type, tostring(t.value)))
end
print()
print(pcall(tokenize, 'let a = "unterminated'))
print(pcall(tokenize, "a = 1\nb = 2 @ 3"))
-- word frequency
local text = [[the quick brown fox jumps over the lazy dog the fox barks and the dog sleeps
quick quick slow]]
local freq = {}
for w in text:gmatch("%a+") do freq[w] = (freq[w] or 0) + 1 end
local words = {}
for w in pairs(freq) do words[#words + 1] = w end
table.sort(words, function(a, b) if freq[a] ~= freq[b] then return freq[a] > freq[b] end return a < b end)
for i = 1, 6 do io.write(words[i], "=", freq[words[i]], " ") end
print()
-- CSV parse
local function parse_csv_line(line)
  local res, pos = {}, 1
  while true do
    if line:sub(pos, pos) == '"' then
      local txt = ""
      local i = pos + 1
      while true do
        local a, b = line:find('"', i, true)
        txt = txt .. line:sub(i, a - 1)
        if line:sub(b + 1, b + 1) == '"' then txt = txt .. '"'; i = b + 2
        else pos = b + 2; break end
      end
      res[#res + 1] = txt
    else
      local a = line:find(",", pos, true)
      if a then res[#res + 1] = line:sub(pos, a - 1); pos = a + 1
      else res[#res + 1] = line:sub(pos); break end
      goto continue
    end
    if pos > #line + 1 then break end
    ::continue::
  end
  return res
end
for _, l in ipairs({'a,b,c', '"quoted, with comma",x', '"say ""hi""",,end', 'single'}) do
  local r = parse_csv_line(l)
  io.write(#r, ": ")
  for _, f in ipairs(r) do io.write("[", f, "]") end
  print()
end
