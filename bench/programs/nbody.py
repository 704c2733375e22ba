"""n-body (Computer Language Benchmarks Game): float arithmetic on object attributes."""

from math import pi, sqrt

SOLAR_MASS = 4 * pi * pi
DAYS_PER_YEAR = 365.24


class Body:
    __slots__ = ("x", "y", "z", "vx", "vy", "vz", "mass")

    def __init__(self, x, y, z, vx, vy, vz, mass):
        self.x, self.y, self.z = x, y, z
        self.vx = vx * DAYS_PER_YEAR
        self.vy = vy * DAYS_PER_YEAR
        self.vz = vz * DAYS_PER_YEAR
        self.mass = mass * SOLAR_MASS


def make_bodies():
    return [
        Body(0, 0, 0, 0, 0, 0, 1),  # sun
        Body(4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
             1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
             9.54791938424326609e-04),  # jupiter
        Body(8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
             -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
             2.85885980666130812e-04),  # saturn
        Body(1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
             2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
             4.36624404335156298e-05),  # uranus
        Body(1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
             2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
             5.15138902046611451e-05),  # neptune
    ]


def advance(bodies, dt):
    nbody = len(bodies)
    for i in range(nbody):
        bi = bodies[i]
        bix, biy, biz, bimass = bi.x, bi.y, bi.z, bi.mass
        bivx, bivy, bivz = bi.vx, bi.vy, bi.vz
        for j in range(i + 1, nbody):
            bj = bodies[j]
            dx, dy, dz = bix - bj.x, biy - bj.y, biz - bj.z
            d2 = dx * dx + dy * dy + dz * dz
            mag = dt / (d2 * sqrt(d2))
            bm = bj.mass * mag
            bivx = bivx - dx * bm
            bivy = bivy - dy * bm
            bivz = bivz - dz * bm
            bm = bimass * mag
            bj.vx = bj.vx + dx * bm
            bj.vy = bj.vy + dy * bm
            bj.vz = bj.vz + dz * bm
        bi.vx, bi.vy, bi.vz = bivx, bivy, bivz
        bi.x = bix + dt * bivx
        bi.y = biy + dt * bivy
        bi.z = biz + dt * bivz


def energy(bodies):
    e = 0.0
    nbody = len(bodies)
    for i in range(nbody):
        bi = bodies[i]
        vx, vy, vz, bim = bi.vx, bi.vy, bi.vz, bi.mass
        e = e + 0.5 * bim * (vx * vx + vy * vy + vz * vz)
        for j in range(i + 1, nbody):
            bj = bodies[j]
            dx, dy, dz = bi.x - bj.x, bi.y - bj.y, bi.z - bj.z
            e = e - bim * bj.mass / sqrt(dx * dx + dy * dy + dz * dz)
    return e


def offset_momentum(bodies):
    px = py = pz = 0.0
    for b in bodies:
        px = px + b.vx * b.mass
        py = py + b.vy * b.mass
        pz = pz + b.vz * b.mass
    sun = bodies[0]
    sun.vx = -px / SOLAR_MASS
    sun.vy = -py / SOLAR_MASS
    sun.vz = -pz / SOLAR_MASS


def bench(n):
    bodies = make_bodies()
    offset_momentum(bodies)
    e0 = energy(bodies)
    for _ in range(n):
        advance(bodies, 0.01)
    e1 = energy(bodies)
    return "%.9f %.9f" % (e0, e1)
