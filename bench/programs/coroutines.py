"""Coroutines, as Python generators: a producer -> filter -> map -> consumer
pipeline of generators, a push-style consumer fed through send(), a
round-robin scheduler of many tasks, and many short-lived generators.
The same algorithm as the Lua version."""

M = 1000000007


def producer(n):
    for i in range(1, n + 1):  # noqa: UP028 - one resumption per value, as in the Lua version
        yield i


def filter_stage(src, pred):
    for v in src:
        if pred(v):
            yield v


def map_stage(src, f):
    for v in src:
        yield f(v)


def pipeline(n):
    src = producer(n)
    odd = filter_stage(src, lambda v: v % 3 != 0)
    sq = map_stage(odd, lambda v: v * v % 1009)
    total = count = 0
    for v in sq:
        total += v
        count += 1
    return total, count


def accumulator():
    total = seen = 0
    v = yield
    while v is not None:
        seen += 1
        total = (total * 7 + v) % M
        v = yield total
    return seen


def push(n):
    acc = accumulator()
    next(acc)
    last = None
    for i in range(1, n + 1):
        last = acc.send(i)
    try:
        acc.send(None)
        status = "suspended"
    except StopIteration as stop:
        seen = stop.value
        status = "dead"
    return last, seen, status


def task(ident, steps):
    x = ident
    for s in range(1, steps + ident % 5 + 1):
        x = (x * 31 + s) % 10007
        yield x
    return -x


def scheduler(ntasks, steps):
    tasks = [None] + [task(ident, steps) for ident in range(1, ntasks + 1)]
    log = 0
    alive = ntasks
    switches = 0
    while alive > 0:
        for ident in range(1, ntasks + 1):
            co = tasks[ident]
            if co:
                switches += 1
                try:
                    v = next(co)
                except StopIteration as stop:
                    tasks[ident] = False
                    alive -= 1
                    log = (log + -stop.value * ident) % M
                else:
                    log = (log + v) % M
    return log, switches


def short_co(a):
    b = yield a + 1
    return a + b


def short_lived(n):
    s = 0
    for i in range(1, n + 1):
        co = short_co(i)
        s += next(co)
        try:
            co.send(2)
        except StopIteration as stop:
            s += stop.value
    return s


def bench(n):
    t1, c1 = pipeline(n)
    last, seen, st = push(n)
    log, switches = scheduler(100, n // 100)
    s = short_lived(n // 10)
    return "%d %d %d %d %s %d %d %d" % (t1, c1, last, seen, st, log, switches, s)
