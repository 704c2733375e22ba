print("zero")
error("no position", 0)
