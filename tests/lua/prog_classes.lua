-- class system with inheritance
local function class(parent)
  local c = {}
  c.__index = c
  if parent then setmetatable(c, {__index = parent}) end
  c.super = parent
  c.new = function(...)
    local o = setmetatable({}, c)
    if o.init then o:init(...) end
    return o
  end
  return c
end

local Animal = class()
function Animal:init(name, sound) self.name = name; self.sound = sound or "..." end
function Animal:speak() return self.name .. " says " .. self.sound end
function Animal:kind() return "animal" end
Animal.__tostring = function(a) return "Animal<" .. a.name .. ">" end

local Dog = class(Animal)
function Dog:init(name, breed) Animal.init(self, name, "woof"); self.breed = breed end
function Dog:kind() return "dog (" .. self.breed .. ") / " .. Dog.super.kind(self) end
Dog.__tostring = function(d) return "Dog<" .. d.name .. "," .. d.breed .. ">" end

local Puppy = class(Dog)
function Puppy:init(name, breed) Dog.init(self, name, breed); self.sound = "yip" end
function Puppy:kind() return "puppy -> " .. Dog.kind(self) end
Puppy.__tostring = Dog.__tostring

local a, d, p = Animal.new("generic"), Dog.new("rex", "lab"), Puppy.new("bit", "pug")
for _, x in ipairs({a, d, p}) do print(tostring(x), x:speak(), x:kind()) end
print(getmetatable(p) == Puppy, Puppy.super == Dog, Dog.super == Animal, rawget(p, "speak"))
local function isinstance(o, cls)
  local mt = getmetatable(o)
  while mt do
    if mt == cls then return true end
    mt = mt.super
  end
  return false
end
print(isinstance(p, Animal), isinstance(d, Puppy), isinstance(a, Dog), isinstance(p, Dog))

-- operator overloading in a class
local Vec = class()
function Vec:init(x, y) self.x, self.y = x, y end
Vec.__add = function(u, v) return Vec.new(u.x + v.x, u.y + v.y) end
Vec.__eq = function(u, v) return u.x == v.x and u.y == v.y end
Vec.__lt = function(u, v) return u:len2() < v:len2() end
Vec.__le = function(u, v) return u:len2() <= v:len2() end
Vec.__tostring = function(v) return string.format("Vec(%g, %g)", v.x, v.y) end
Vec.__len = function(v) return math.sqrt(v:len2()) end
Vec.__call = function(v, k) return v[k] end
Vec.__concat = function(u, v) return tostring(u) .. tostring(v) end
function Vec:len2() return self.x * self.x + self.y * self.y end
local v1, v2 = Vec.new(3, 4), Vec.new(1, 1)
print(tostring(v1 + v2), v1 == Vec.new(3, 4), v2 < v1, v1 <= v2, #v1, v1("x"), v1 .. v2)

-- mixins and method lookup caching via __index function
local Mixin = {greet = function(self) return "hello from " .. self.name end}
local Robot = class()
function Robot:init(name) self.name = name end
local lookups = 0
setmetatable(Robot, {__index = function(t, k) lookups = lookups + 1; return Mixin[k] end})
local r = Robot.new("R2")
print(r:greet(), r:greet(), lookups)

-- private state via closures
local function Counter()
  local count = 0
  local self = {}
  function self.increment() count = count + 1; return self end
  function self.get() return count end
  return self
end
local cnt = Counter()
cnt.increment().increment().increment()
print(cnt.get(), cnt.count)

-- method missing error
print(pcall(function() return a:fly() end))
print(pcall(function() return Animal.fly(a) end))
