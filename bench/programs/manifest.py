"""The benchmark programs: for each, its size parameter `n` and the result
bench(n) must return at that size (the same in Lua and in Python), for the
default run and for --quick. Results are compared as text: an integer as its
decimal digits, a string as itself.

Each program NAME is bench/programs/NAME.lua (defines a global `bench(n)`) and
bench/programs/NAME.py (defines `def bench(n)`). Sizes are chosen so that
CPython 3.11 takes roughly 0.3-1 s per run on a 2-core cloud machine.
"""

from __future__ import annotations

from typing import NamedTuple


class Program(NamedTuple):
    name: str
    description: str
    n: int
    expected: str
    quick_n: int
    quick_expected: str
    # "core": the suite's first thirteen programs; "oo": object-oriented programs
    # (issue 20: classes as metatables, methods, fields, linked objects), reported
    # as a group with its own geomean
    group: str = "core"


PROGRAMS: list[Program] = [
    Program('fib', 'recursive Fibonacci: calls, integer arithmetic',
            33, '3524578',
            20, '6765'),
    Program('loops', 'Mandelbrot float loop + integer checksum loop',
            550, '53483 1048629 753323638',
            60, '644 12387 810598481'),
    Program('binary_trees', 'binary-trees: many small tables, recursion, GC',
            15, 'stretch 16 131071; 32768 4 1015808; 8192 6 1040384; 2048 8 1046528; 512 10 1048064; 128 12 1048448; 32 14 1048544; long 15 65535',
            8, 'stretch 9 1023; 256 4 7936; 64 6 8128; 16 8 8176; long 8 511'),
    Program('nbody', 'n-body: float arithmetic on fields',
            130000, '-0.169075164 -0.169025878',
            2000, '-0.169075164 -0.169071607'),
    Program('spectral_norm', 'spectral-norm: nested float loops, small function calls',
            300, '1.274223986',
            40, '1.274167288'),
    Program('fannkuch_redux', 'fannkuch-redux: permutations, array swaps',
            9, '8629 Pfannkuchen(9) = 30',
            7, '228 Pfannkuchen(7) = 16'),
    Program('richards', 'Richards scheduler: classes via metatables, method dispatch',
            14, '130158 325444',
            1, '9297 23246'),
    Program('closures', 'map/filter/reduce/compose pipelines, closures in loops',
            130000, '241863585 1040001',
            5000, '408127048 40001'),
    Program('strings', 'string.format, table.concat, gsub/gmatch/find, sub/upper/rep',
            100000, '2488847 200000 1199516 200000 2588612 300877280 3983 100000 1400154 577850675',
            3000, '75091 6000 36408 6000 73241 9210844 126 3000 41975 500800606'),
    Program('tables', 'word counts, sparse keys, sieve, stack, matrix multiply, sort',
            200000, '640113501 w1433 348444707 121127 92878592188 333665735 93 8840',
            5000, '864899996 w2299 100007795 4203 79170666 83341666 27 932'),
    Program('jsoncodec', 'JSON encoder + recursive-descent decoder, round trip',
            4000, '654561 18338009570 2240 2027477.44 46253',
            300, '48627 1362046064 168 151598.20 3144'),
    Program('coroutines', 'producer/filter/map pipeline, push consumer, scheduler',
            1000000, '335994102 666667 198723756 1000000 dead 32811890 1000300 10000400000',
            10000, '3362977 6667 451124757 10000 dead 78037738 10300 1004000'),
    Program('sorting', 'hand-written quicksort, heapsort, insertion sort',
            120000, '222151095 578293848 294893084 49957 33243',
            5000, '661315459 555796500 716708274 50373 33420'),
]

PROGRAMS += [
    Program('oo_shapes', 'OO: polymorphic dispatch over a 3-level class hierarchy, super calls',
            1000, '827917597',
            10, '213140', 'oo'),
    Program('oo_particles', 'OO: 12-field objects read and written in hot loops (floats)',
            4000, '147.047593 2231 1734', 20, '68.630157 8 0', 'oo'),
    Program('oo_linked', 'OO: linked list queue, binary search tree, graph BFS of node objects',
            6000, '206032312', 100, '68331023', 'oo'),
    Program('oo_interp', 'OO: AST of node objects: eval methods and a visitor (double dispatch)',
            600, '382927635', 20, '14097480', 'oo'),
    Program('oo_parser', 'OO: recursive-descent parser object advancing a cursor field',
            1000, '329628926 213094', 20, '475858677 4296', 'oo'),
    Program('oo_callbacks', 'OO: closures in fields: closure objects, emitter listeners, strategies, pipelines',
            100000, '184600729 98715 100000 100000', 100, '140530 54 100 100', 'oo'),
]

GROUPS: dict[str, str] = {"core": "the first thirteen programs", "oo": "object-oriented programs (issue 20)"}

BY_NAME: dict[str, Program] = {p.name: p for p in PROGRAMS}
