-- Ticks a few times, counting in "counter", then crashes: the supervisor logs
-- the failure and restarts it after initial_delay * backoff_factor^(n-1).
local time = require("time")

local function main(ticks)
  for i = 1, ticks do
    time.sleep("100ms")
    process.send("counter", "inc", {key = "flaky_ticks", by = 1})
  end
  error("flaky: crashed after " .. ticks .. " ticks (on purpose)")
end

return main
