-- text processing: word wrap, justify, caesar, run-length, roman numerals
local text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua."
local function wrap(s, width)
  local lines, line = {}, ""
  for word in s:gmatch("%S+") do
    if #line == 0 then line = word
    elseif #line + 1 + #word <= width then line = line .. " " .. word
    else lines[#lines + 1] = line; line = word end
  end
  if #line > 0 then lines[#lines + 1] = line end
  return lines
end
for _, l in ipairs(wrap(text, 30)) do print("|" .. l .. string.rep(" ", 30 - #l) .. "|") end
local function center(s, w) local pad = w - #s; local left = pad // 2; return string.rep(" ", left) .. s .. string.rep(" ", pad - left) end
print("[" .. center("title", 15) .. "]", "[" .. center("ab", 7) .. "]")
local function caesar(s, k)
  return (s:gsub("%a", function(c)
    local base = c:match("%l") and 97 or 65
    return string.char((c:byte() - base + k) % 26 + base)
  end))
end
local enc = caesar("Hello, World! xyz", 3)
print(enc, caesar(enc, -3))
local function rle(s)
  local out = {}
  local i = 1
  while i <= #s do
    local c = s:sub(i, i)
    local j = i
    while s:sub(j + 1, j + 1) == c do j = j + 1 end
    out[#out + 1] = (j - i + 1 > 1 and (j - i + 1) or "") .. c
    i = j + 1
  end
  return table.concat(out)
end
local function unrle(s)
  return (s:gsub("(%d*)(%D)", function(n, c) return c:rep(n == "" and 1 or tonumber(n)) end))
end
local r = rle("WWWWWWWWWWWWBWWWWWWWWWWWWBBBWWWWWWWWWWWWWWWWWWWWWWWWBWWWWWWWWWWWWWW")
print(r, unrle(r) == "WWWWWWWWWWWWBWWWWWWWWWWWWBBBWWWWWWWWWWWWWWWWWWWWWWWWBWWWWWWWWWWWWWW")
local function roman(n)
  local vals = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"}, {90, "XC"}, {50, "L"}, {40, "XL"}, {10, "X"}, {9, "IX"}, {5, "V"}, {4, "IV"}, {1, "I"}}
  local out = {}
  for _, p in ipairs(vals) do while n >= p[1] do out[#out + 1] = p[2]; n = n - p[1] end end
  return table.concat(out)
end
for _, n in ipairs({1, 4, 9, 14, 40, 90, 400, 1994, 2024, 3999}) do io.write(n, "=", roman(n), " ") end print()
-- palindromes and anagrams
local function normalize(s) return s:lower():gsub("[^%a]", "") end
local function ispal(s) local n = normalize(s) return n == n:reverse() end
print(ispal("A man, a plan, a canal: Panama"), ispal("hello"), ispal(""))
local function sig(w) local t = {} for c in w:gmatch(".") do t[#t + 1] = c end table.sort(t) return table.concat(t) end
local groups = {}
for _, w in ipairs({"listen", "silent", "enlist", "google", "gogole", "cat", "act", "tac", "dog"}) do
  local k = sig(w)
  groups[k] = groups[k] or {}
  table.insert(groups[k], w)
end
local gk = {}
for k in pairs(groups) do gk[#gk + 1] = k end
table.sort(gk)
for _, k in ipairs(gk) do print(k, table.concat(groups[k], ",")) end
-- string builder via table.concat versus .. in loop
local buf = {}
for i = 1, 100 do buf[#buf + 1] = string.format("%03d", i) end
local joined = table.concat(buf, ";")
print(#joined, joined:sub(1, 23), joined:sub(-11))
local s = ""
for i = 1, 50 do s = s .. i % 10 end
print(s)
-- hex dump
local data = "Lua\0\1\2\255 bytes!"
local hex = data:gsub(".", function(c) return string.format("%02x ", c:byte()) end)
print(hex)
