"""Tables: dict work (word counts with string keys, sparse integer keys), list
work (sieve, stack push/pop), nested lists (matrix multiply), sorting.
The same algorithms as the Lua version."""

import math

M = 1000000007


def word_counts(nwords):
    seed = 7
    counts = {}
    for _ in range(nwords):
        seed = (seed * 1103515245 + 12345) % 2147483648
        w = "w%d" % ((seed >> 8) % 3000)
        counts[w] = counts.get(w, 0) + 1
    keys = sorted(counts, key=lambda k: (-counts[k], k))
    h = len(keys)
    for k in keys[:10]:
        h = (h * 31 + counts[k] * len(k)) % M
    return h, keys[0]


def sparse(n):
    t = {}
    for i in range(1, n + 1):
        k = i * 7919 % 65521
        t[k] = t.get(k, 0) + i
    s = 0
    for i in range(65521):
        v = t.get(i)
        if v:
            s = (s + v * i) % M
    return s


def sieve(limit):
    is_prime = [True] * (limit + 1)
    is_prime[0] = is_prime[1] = False
    for i in range(2, limit + 1):
        if is_prime[i] and i * i <= limit:
            for j in range(i * i, limit + 1, i):
                is_prime[j] = False
    count = total = 0
    for i in range(1, limit + 1):
        if is_prime[i]:
            count += 1
            total += i
    return count, total


def stack_work(n):
    st = []
    acc = 0
    for i in range(1, n + 1):
        st.append(i)
        if i % 3 == 0:
            acc += st.pop()
            st.append(i * 2)
    while st:
        acc = (acc + st.pop()) % M
    return acc


def matmul(a, b, m):
    c = []
    for i in range(m):
        ai = a[i]
        ci = []
        for j in range(m):
            s = 0
            for k in range(m):
                s += ai[k] * b[k][j]
            ci.append(s)
        c.append(ci)
    return c


def matrix(m, seed):
    return [[(i * seed + j * 7) % 10 - 4 for j in range(1, m + 1)] for i in range(1, m + 1)]


def bench(n):
    h, top = word_counts(n * 4)
    sp = sparse(n * 2)
    np_, sp2 = sieve(n * 8)
    st = stack_work(n * 2)
    m = math.floor(n ** (1 / 3) * 1.6)
    c = matmul(matrix(m, 3), matrix(m, 5), m)
    tr = 0
    for i in range(m):
        tr += c[i][i] + c[i][m - i - 1]
    return "%d %s %d %d %d %d %d %d" % (h, top, sp, np_, sp2, st, m, tr)
