"""spectral-norm (Computer Language Benchmarks Game): nested float loops over lists.
Indices are 1-based in the formula, as in the Lua version."""

from math import sqrt


def A(i, j):
    ij = i + j - 1
    return 1.0 / (ij * (ij - 1) * 0.5 + i)


def Av(x, y, N):
    for i in range(1, N + 1):
        a = 0.0
        for j in range(1, N + 1):
            a = a + x[j - 1] * A(i, j)
        y[i - 1] = a


def Atv(x, y, N):
    for i in range(1, N + 1):
        a = 0.0
        for j in range(1, N + 1):
            a = a + x[j - 1] * A(j, i)
        y[i - 1] = a


def AtAv(x, y, t, N):
    Av(x, t, N)
    Atv(t, y, N)


def bench(n):
    u = [1.0] * n
    v = [0.0] * n
    t = [0.0] * n
    for _ in range(10):
        AtAv(u, v, t, n)
        AtAv(v, u, t, n)
    vBv = vv = 0.0
    for ui, vi in zip(u, v):
        vBv = vBv + ui * vi
        vv = vv + vi * vi
    return "%.9f" % sqrt(vBv / vv)
