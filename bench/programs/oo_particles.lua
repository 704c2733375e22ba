-- Objects with many fields (12) read and written in hot loops: a particle
-- system stepping positions, velocities, bounces against walls, ageing and
-- respawning, plus a spring between consecutive particles. Float arithmetic.

local Particle = {}
Particle.__index = Particle

function Particle.new(i)
  return setmetatable({
    x = (i * 37) % 100 + 0.5, y = (i * 91) % 100 + 0.25,
    vx = ((i * 13) % 21 - 10) * 0.1, vy = ((i * 7) % 17 - 8) * 0.1,
    ax = 0.0, ay = -0.01, mass = 1.0 + i % 3, radius = 0.5 + (i % 4) * 0.25,
    age = 0, life = 200 + i % 50, bounces = 0, id = i,
  }, Particle)
end

function Particle:step(dt)
  self.vx = self.vx + self.ax * dt
  self.vy = self.vy + self.ay * dt
  self.x = self.x + self.vx * dt
  self.y = self.y + self.vy * dt
  if self.x < self.radius then
    self.x = self.radius; self.vx = -self.vx * 0.9; self.bounces = self.bounces + 1
  elseif self.x > 100 - self.radius then
    self.x = 100 - self.radius; self.vx = -self.vx * 0.9; self.bounces = self.bounces + 1
  end
  if self.y < self.radius then
    self.y = self.radius; self.vy = -self.vy * 0.9; self.bounces = self.bounces + 1
  elseif self.y > 100 - self.radius then
    self.y = 100 - self.radius; self.vy = -self.vy * 0.9; self.bounces = self.bounces + 1
  end
  self.age = self.age + 1
end

function Particle:energy()
  return 0.5 * self.mass * (self.vx * self.vx + self.vy * self.vy)
end

function Particle:respawn(k)
  self.x = (k * 37) % 100 + 0.5
  self.y = (k * 91) % 100 + 0.25
  self.vx = ((k * 13) % 21 - 10) * 0.1
  self.vy = ((k * 7) % 17 - 8) * 0.1
  self.age = 0
end

local function spring(a, b, k)
  local dx = b.x - a.x
  local dy = b.y - a.y
  a.ax = dx * k / a.mass
  a.ay = dy * k / a.mass - 0.01
end

function bench(n)
  local ps = {}
  for i = 1, 100 do ps[i] = Particle.new(i) end
  local respawns = 0
  for t = 1, n do
    for i = 1, #ps - 1 do spring(ps[i], ps[i + 1], 0.001) end
    for i = 1, #ps do
      local p = ps[i]
      p:step(0.5)
      if p.age > p.life then
        p:respawn(t + p.id)
        respawns = respawns + 1
      end
    end
  end
  local e, b = 0.0, 0
  for i = 1, #ps do
    e = e + ps[i]:energy()
    b = b + ps[i].bounces
  end
  return string.format("%.6f %d %d", e, b, respawns)
end
