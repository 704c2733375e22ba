"""fannkuch-redux (Computer Language Benchmarks Game): permutations, small
integer lists, tight loops with swaps. Lists are indexed 1..n (slot 0 unused)
to keep the algorithm identical to the Lua version."""


def fannkuch(n):
    p = list(range(n + 1))
    q = list(range(n + 1))
    s = list(range(n + 1))
    sign, maxflips, total = 1, 0, 0
    while True:
        # copy and flip
        q1 = p[1]
        if q1 != 1:
            for i in range(2, n + 1):
                q[i] = p[i]
            flips = 1
            while True:
                qq = q[q1]
                if qq == 1:
                    total += sign * flips
                    if flips > maxflips:
                        maxflips = flips
                    break
                q[q1] = q1
                if q1 >= 4:
                    i, j = 2, q1 - 1
                    while True:
                        q[i], q[j] = q[j], q[i]
                        i += 1
                        j -= 1
                        if i >= j:
                            break
                q1 = qq
                flips += 1
        # next permutation
        if sign == 1:
            p[2], p[1] = p[1], p[2]
            sign = -1
        else:
            p[2], p[3] = p[3], p[2]
            sign = 1
            for i in range(3, n + 1):
                sx = s[i]
                if sx != 1:
                    s[i] = sx - 1
                    break
                if i == n:
                    return total, maxflips
                s[i] = i
                t = p[1]
                for j in range(1, i + 1):
                    p[j] = p[j + 1]
                p[i + 1] = t


def bench(n):
    total, flips = fannkuch(n)
    return "%d Pfannkuchen(%d) = %d" % (total, n, flips)
