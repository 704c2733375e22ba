-- Strings: building text with string.format and table.concat, then pattern
-- work on it: gmatch, gsub (function and template replacements), plain find,
-- sub/upper/lower/byte/rep.
local SYLLABLES = { "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "xe", "zu" }
local M = 1000000007

function bench(n)
  local seed = 42
  local function rnd(m)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % m
  end

  -- build the text
  local lines = {}
  local nsyl = #SYLLABLES
  for i = 1, n do
    local w = {}
    for j = 1, rnd(3) + 2 do w[j] = SYLLABLES[rnd(nsyl) + 1] end
    local word = table.concat(w)
    lines[i] = string.format("%05d:%s=%d,%s;", i, word, rnd(1000), word:upper())
  end
  local text = table.concat(lines, "\n")

  -- words (runs of letters)
  local nwords, wlen = 0, 0
  for w in text:gmatch("%a+") do
    nwords = nwords + 1
    wlen = wlen + #w
  end

  -- numbers replaced through a function
  local replaced, nrep = text:gsub("%d+", function(d) return tostring(tonumber(d) * 2 + 1) end)

  -- captures
  local vsum = 0
  for k, v in text:gmatch("(%a+)=(%d+)") do
    vsum = vsum + #k * tonumber(v)
  end

  -- plain find
  local found, pos = 0, 1
  while true do
    local s, e = string.find(text, "kalo", pos, true)
    if not s then break end
    found = found + 1
    pos = e + 1
  end

  -- template replacement, then count the results
  local tagged = replaced:gsub("(%u+);", "<%1>")
  local ntags = 0
  for _ in tagged:gmatch("<%u+>") do ntags = ntags + 1 end

  -- split into lines, slice, case-map, rejoin
  local parts = {}
  for line in tagged:gmatch("[^\n]+") do
    parts[#parts + 1] = line:sub(1, 8):lower() .. line:sub(-4) .. string.rep("-", #line % 3)
  end
  local joined = table.concat(parts, "|")

  -- hash of every 7th byte
  local h = 0
  for i = 1, #joined, 7 do
    h = (h * 31 + joined:byte(i)) % M
  end

  return string.format("%d %d %d %d %d %d %d %d %d %d",
    #text, nwords, wlen, nrep, #replaced, vsum, found, ntags, #joined, h)
end
