print("start")
local result = undefined_function(1, 2)
