local x = 1
print("before error")
error("plain string error")
