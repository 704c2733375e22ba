"""Numeric loops: a Mandelbrot escape-count over a grid (float arithmetic in a
while loop) plus an integer checksum loop (integer ops, // and %)."""


def mandel(size, maxiter):
    inside = escaped = 0
    step = 3.0 / size
    for py in range(size):
        ci = py * step - 1.5
        for px in range(size):
            cr = px * step - 2.0
            zr = zi = 0.0
            i = 0
            while i < maxiter:
                zr2, zi2 = zr * zr, zi * zi
                if zr2 + zi2 > 4.0:
                    break
                zi = 2.0 * zr * zi + ci
                zr = zr2 - zi2 + cr
                i += 1
            if i == maxiter:
                inside += 1
            else:
                escaped += i
    return inside, escaped


def intloop(m):
    acc = 0
    for i in range(1, m + 1):
        acc = (acc + i * i // 3 + i % 7) % 1000000007
    return acc


def bench(n):
    inside, escaped = mandel(n, 50)
    acc = intloop(n * n * 4)
    return "%d %d %d" % (inside, escaped, acc)
