"""Sorting: hand-written quicksort (recursive, median-of-three), heapsort and
insertion sort over lists of pseudo-random integers (not list.sort): list
indexing, comparisons and swaps. Lists are indexed 1..n (slot 0 unused) to keep
the algorithm identical to the Lua version."""


def insertion_sort(a, lo, hi):
    for i in range(lo + 1, hi + 1):
        v = a[i]
        j = i - 1
        while j >= lo and a[j] > v:
            a[j + 1] = a[j]
            j -= 1
        a[j + 1] = v


def quicksort(a, lo, hi):
    while hi - lo > 16:
        mid = (lo + hi) // 2
        if a[mid] < a[lo]:
            a[mid], a[lo] = a[lo], a[mid]
        if a[hi] < a[lo]:
            a[hi], a[lo] = a[lo], a[hi]
        if a[hi] < a[mid]:
            a[hi], a[mid] = a[mid], a[hi]
        pivot = a[mid]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        # recurse into the smaller part, loop on the larger
        if j - lo < hi - i:
            quicksort(a, lo, j)
            lo = i
        else:
            quicksort(a, i, hi)
            hi = j
    insertion_sort(a, lo, hi)


def sift_down(a, start, stop):
    root = start
    while True:
        child = 2 * root
        if child > stop:
            return
        if child + 1 <= stop and a[child] < a[child + 1]:
            child += 1
        if a[root] < a[child]:
            a[root], a[child] = a[child], a[root]
            root = child
        else:
            return


def heapsort(a, n):
    for start in range(n // 2, 0, -1):
        sift_down(a, start, n)
    for stop in range(n, 1, -1):
        a[stop], a[1] = a[1], a[stop]
        sift_down(a, 1, stop - 1)


def random_array(n, seed):
    a = [0] * (n + 1)
    for i in range(1, n + 1):
        seed = (seed * 1103515245 + 12345) % 2147483648
        a[i] = seed % 100000
    return a


def check(a, n):
    h = 0
    for i in range(1, n + 1):
        if i > 1 and a[i - 1] > a[i]:
            raise AssertionError("not sorted at %d" % i)
        h = (h * 31 + a[i]) % 1000000007
    return h


def bench(n):
    a = random_array(n, 1)
    quicksort(a, 1, n)
    h1 = check(a, n)
    b = random_array(n, 2)
    heapsort(b, n)
    h2 = check(b, n)
    m = n // 20
    c = random_array(m, 3)
    insertion_sort(c, 1, m)
    h3 = check(c, m)
    return "%d %d %d %d %d" % (h1, h2, h3, a[n // 2], b[n // 3])
