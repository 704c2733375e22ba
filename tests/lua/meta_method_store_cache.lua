-- Method lookups (site metatable + key test first) and field stores (per-site
-- cache of a metatable without __newindex) must follow every change: own fields
-- shadowing methods, nil tombstones, methods added/replaced on the class,
-- __index swapped, metatables changed, polymorphic sites, rawset.
local Base = {} Base.__index = Base
function Base:who() return "base" end
function Base:set(v) self.v = v end
local Sub = setmetatable({}, {__index = Base}) Sub.__index = Sub
function Sub:who() return "sub" end
local objs = {}
for i = 1, 6 do objs[i] = setmetatable({id = i}, i % 2 == 0 and Sub or Base) end
local out = {}
local function run()
  for i = 1, #objs do
    local o = objs[i]
    out[#out + 1] = o:who()
    o:set(i * 2)
    out[#out + 1] = tostring(o.v)
  end
end
run()
objs[1].who = function() return "own" end      -- own field shadows the method
run()
objs[1].who = nil                                -- tombstone: back to the class
run()
Base.who = function() return "base2" end          -- class method replaced
run()
Sub.who = nil                                     -- falls through to Base
run()
getmetatable(Sub).__index = {who = function() return "other" end, set = Base.set}
run()
setmetatable(objs[2], Base)                       -- metatable changed
run()
Base.__newindex = function(t, k, v) rawset(t, k, "ni:" .. tostring(v)) end
for i = 1, #objs do objs[i].fresh = i end        -- new fields now go through __newindex
for i = 1, #objs do out[#out + 1] = tostring(objs[i].fresh) end
Base.__newindex = nil
for i = 1, #objs do objs[i].fresh2 = i end
for i = 1, #objs do out[#out + 1] = tostring(objs[i].fresh2) end
rawset(objs[3], "who", function() return "raw" end)
run()
local plain = {}
for i = 1, 3 do plain.k = i end                   -- no metatable at all
setmetatable(plain, {__newindex = function(t, k, v) rawset(t, k, v + 100) end})
plain.k = 7; plain.n = 1
out[#out + 1] = plain.k .. "," .. plain.n
print(table.concat(out, " "))
