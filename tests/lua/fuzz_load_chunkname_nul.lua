-- found by fuzz/ parser: load() takes the chunk name as a C string: it ends at the first NUL
print(load("\0print(1)", nil, "t"))
print(load("x\0print(1)"))
print(load("x = = 1", "ab\0cd"))
print(load("x = = 1", "=ab\0cd"))
print(load("x = = 1", "@ab\0cd"))
