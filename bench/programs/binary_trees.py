"""binary-trees (Computer Language Benchmarks Game): allocation of many small
objects, recursion, garbage collection."""


def bottom_up(depth):
    if depth == 0:
        return (None, None)
    depth -= 1
    return (bottom_up(depth), bottom_up(depth))


def check(tree):
    left, right = tree
    if left is None:
        return 1
    return 1 + check(left) + check(right)


def bench(n):
    mindepth = 4
    maxdepth = max(mindepth + 2, n)
    out = ["stretch %d %d" % (maxdepth + 1, check(bottom_up(maxdepth + 1)))]
    longlived = bottom_up(maxdepth)
    for depth in range(mindepth, maxdepth + 1, 2):
        iters = 1 << (maxdepth - depth + mindepth)
        c = 0
        for _ in range(iters):
            c += check(bottom_up(depth))
        out.append("%d %d %d" % (iters, depth, c))
    out.append("long %d %d" % (maxdepth, check(longlived)))
    return "; ".join(out)
