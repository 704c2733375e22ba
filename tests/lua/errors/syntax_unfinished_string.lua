x = "unfinished
print(x)
