local config = {settings = {}}
print("computing")
local v = config.settings.count + 1
