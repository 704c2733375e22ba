-- Polymorphic dispatch over a class hierarchy three levels deep: Shape ->
-- Polygon -> Rect -> Square, Shape -> Ellipse -> Circle. Methods defined at
-- different levels, overridden, and called through `super`; integer geometry.

local Shape = {}
Shape.__index = Shape
function Shape.new(name, x, y)
  return setmetatable({name = name, x = x, y = y}, Shape)
end
function Shape:area() return 0 end
function Shape:perimeter() return 0 end
function Shape:move(dx, dy) self.x = self.x + dx; self.y = self.y + dy end
function Shape:weight() return self:area() * 2 + self:perimeter() end
function Shape:kind() return 1 end

local Polygon = setmetatable({}, {__index = Shape})
Polygon.__index = Polygon
function Polygon.new(name, x, y, sides)
  local o = Shape.new(name, x, y)
  o.sides = sides
  return setmetatable(o, Polygon)
end
function Polygon:kind() return 2 end
function Polygon:corners() return self.sides end

local Rect = setmetatable({}, {__index = Polygon})
Rect.__index = Rect
function Rect.new(x, y, w, h)
  local o = Polygon.new("rect", x, y, 4)
  o.w = w
  o.h = h
  return setmetatable(o, Rect)
end
function Rect:area() return self.w * self.h end
function Rect:perimeter() return 2 * (self.w + self.h) end
function Rect:scale(k) self.w = self.w * k; self.h = self.h * k end

local Square = setmetatable({}, {__index = Rect})
Square.__index = Square
function Square.new(x, y, s)
  local o = Rect.new(x, y, s, s)
  o.name = "square"
  return setmetatable(o, Square)
end
function Square:kind() return 3 + Rect.kind(self) end

local Triangle = setmetatable({}, {__index = Polygon})
Triangle.__index = Triangle
function Triangle.new(x, y, a, b, c)
  local o = Polygon.new("triangle", x, y, 3)
  o.a = a; o.b = b; o.c = c
  return setmetatable(o, Triangle)
end
function Triangle:perimeter() return self.a + self.b + self.c end
function Triangle:area() return (self.a * self.b) // 2 end
function Triangle:scale(k) self.a = self.a * k; self.b = self.b * k; self.c = self.c * k end

local Ellipse = setmetatable({}, {__index = Shape})
Ellipse.__index = Ellipse
function Ellipse.new(x, y, rx, ry)
  local o = Shape.new("ellipse", x, y)
  o.rx = rx; o.ry = ry
  return setmetatable(o, Ellipse)
end
function Ellipse:area() return 3 * self.rx * self.ry end
function Ellipse:perimeter() return 3 * (self.rx + self.ry) end
function Ellipse:scale(k) self.rx = self.rx * k; self.ry = self.ry * k end
function Ellipse:kind() return 5 end

local Circle = setmetatable({}, {__index = Ellipse})
Circle.__index = Circle
function Circle.new(x, y, r)
  local o = Ellipse.new(x, y, r, r)
  o.name = "circle"
  return setmetatable(o, Circle)
end
function Circle:kind() return Ellipse.kind(self) + 1 end

local function make(i)
  local m = i % 5
  local s = i % 7 + 1
  if m == 0 then return Rect.new(i, -i, s, s + 1)
  elseif m == 1 then return Square.new(-i, i, s)
  elseif m == 2 then return Triangle.new(i, i, s, s + 1, s + 2)
  elseif m == 3 then return Ellipse.new(0, i, s, s + 2)
  else return Circle.new(i, 0, s) end
end

function bench(n)
  local shapes = {}
  for i = 1, 200 do shapes[i] = make(i) end
  local total = 0
  for r = 1, n do
    for i = 1, #shapes do
      local s = shapes[i]
      total = total + s:weight() + s:kind()
      s:move(1, -1)
      if s.sides then total = total + s:corners() end
    end
    if r % 50 == 0 then
      for i = 1, #shapes do
        local s = shapes[i]
        s:scale(2)
        s:scale(1)
        total = (total + s.x - s.y) % 1000000007
      end
      for i = 1, #shapes, 7 do shapes[i] = make(i + r) end
    end
  end
  return total % 1000000007
end
