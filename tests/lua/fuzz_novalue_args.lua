-- found by fuzz/ runtime: no value is not a userdata; isyieldable(nil) is an error
print(pcall(table.unpack))
print(pcall(table.unpack, nil))
print(pcall(coroutine.isyieldable, nil))
print(pcall(coroutine.isyieldable))
print(coroutine.isyieldable(coroutine.running()))
print(coroutine.wrap(function() return coroutine.isyieldable(), coroutine.isyieldable(coroutine.running()) end)())
