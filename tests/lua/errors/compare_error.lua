print("compare")
local r = {} < 5
