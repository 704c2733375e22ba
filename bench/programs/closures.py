"""Closures and higher-order functions: map/filter/reduce/compose pipelines,
function factories, currying, nonlocal mutation, closures created in loops."""

from functools import reduce


def compose(*fs):
    rfs = fs[::-1]

    def composed(x):
        for f in rfs:
            x = f(x)
        return x
    return composed


def adder(k):
    return lambda x: x + k


def multiplier(k):
    return lambda x: x * k


def modulo(m):
    return lambda x: x % m


def counter():
    c = 0

    def tick():
        nonlocal c
        c += 1
        return c
    return tick


def curry(f):
    return lambda a: lambda b: f(a, b)


def divisible_by(k):
    return lambda v: v % k == 0


def make_fn(i, rnd):
    return lambda x: x * i + rnd


def bench(n):
    xs = list(range(1, n + 1))
    tick = counter()
    mixer = curry(lambda a, b: (a * 31 + b) % 1000000007)

    def plus(a, b):
        return (a + b) % 1000000007

    total = 0
    for rnd in range(1, 9):
        f = compose(modulo(1000003), multiplier(rnd + 1), adder(rnd))
        g = compose(adder(-rnd), f)
        ys = list(map(g, xs))
        keep = divisible_by(rnd % 3 + 2)

        def pred(v, keep=keep):
            tick()
            return keep(v)
        kept = list(filter(pred, ys))
        s = reduce(plus, kept, 0)
        # closures created in a loop, each capturing its own loop variable
        fns = [make_fn(i, rnd) for i in range(1, n // 8 + 1)]
        s2 = reduce(lambda acc, h: (acc + h(3)) % 1000000007, fns, 0)
        total = mixer(mixer(total)(s))(s2)
    return "%d %d" % (total, tick())
