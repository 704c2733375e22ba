"""Objects with many fields read and written in hot loops (see oo_particles.lua)."""


class Particle:
    __slots__ = ("x", "y", "vx", "vy", "ax", "ay", "mass", "radius", "age", "life", "bounces", "id")

    def __init__(self, i):
        self.x = (i * 37) % 100 + 0.5
        self.y = (i * 91) % 100 + 0.25
        self.vx = ((i * 13) % 21 - 10) * 0.1
        self.vy = ((i * 7) % 17 - 8) * 0.1
        self.ax = 0.0
        self.ay = -0.01
        self.mass = 1.0 + i % 3
        self.radius = 0.5 + (i % 4) * 0.25
        self.age = 0
        self.life = 200 + i % 50
        self.bounces = 0
        self.id = i

    def step(self, dt):
        self.vx = self.vx + self.ax * dt
        self.vy = self.vy + self.ay * dt
        self.x = self.x + self.vx * dt
        self.y = self.y + self.vy * dt
        if self.x < self.radius:
            self.x = self.radius
            self.vx = -self.vx * 0.9
            self.bounces += 1
        elif self.x > 100 - self.radius:
            self.x = 100 - self.radius
            self.vx = -self.vx * 0.9
            self.bounces += 1
        if self.y < self.radius:
            self.y = self.radius
            self.vy = -self.vy * 0.9
            self.bounces += 1
        elif self.y > 100 - self.radius:
            self.y = 100 - self.radius
            self.vy = -self.vy * 0.9
            self.bounces += 1
        self.age += 1

    def energy(self):
        return 0.5 * self.mass * (self.vx * self.vx + self.vy * self.vy)

    def respawn(self, k):
        self.x = (k * 37) % 100 + 0.5
        self.y = (k * 91) % 100 + 0.25
        self.vx = ((k * 13) % 21 - 10) * 0.1
        self.vy = ((k * 7) % 17 - 8) * 0.1
        self.age = 0


def spring(a, b, k):
    dx = b.x - a.x
    dy = b.y - a.y
    a.ax = dx * k / a.mass
    a.ay = dy * k / a.mass - 0.01


def bench(n):
    ps = [Particle(i) for i in range(1, 101)]
    respawns = 0
    for t in range(1, n + 1):
        for i in range(len(ps) - 1):
            spring(ps[i], ps[i + 1], 0.001)
        for p in ps:
            p.step(0.5)
            if p.age > p.life:
                p.respawn(t + p.id)
                respawns += 1
    e = 0.0
    b = 0
    for p in ps:
        e = e + p.energy()
        b = b + p.bounces
    return "%.6f %d %d" % (e, b, respawns)
