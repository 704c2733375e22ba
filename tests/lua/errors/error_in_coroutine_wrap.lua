local co = coroutine.wrap(function() coroutine.yield(1) error("inside coroutine") end)
print(co())
print(co())
