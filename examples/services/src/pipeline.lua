-- Producer/consumer inside one process: a producer coroutine feeds a buffered
-- channel, `workers` consumers square the numbers, the main thread collects
-- the results with select and a timeout, and reports each batch to "counter".
local time = require("time")

local function batch(workers, n)
  local jobs, results, done = channel.new(4), channel.new(), channel.new(workers)
  coroutine.spawn(function()
    for i = 1, n do jobs:send(i) end
    jobs:close()
  end)
  for w = 1, workers do
    coroutine.spawn(function()
      for job in function() local v, ok = jobs:receive() if ok then return v end end do
        results:send(job * job)
      end
      done:send(w)
    end)
  end
  local sum, finished = 0, 0
  while finished < workers do
    local r = channel.select{results:case_receive(), done:case_receive(), time.after("1s"):case_receive()}
    if r.channel == results then
      sum = sum + r.value
    elseif r.channel == done then
      finished = finished + 1
    else
      return nil, "timed out waiting for the workers"
    end
  end
  return sum
end

local function main(workers, n)
  local events = process.events()
  local round = 0
  while true do
    round = round + 1
    local sum, err = batch(workers, n)
    if not sum then return nil, err end
    process.send("counter", "inc", {key = "pipeline_sum", by = sum})
    print(string.format("pipeline: round %d, sum of squares 1..%d = %d", round, n, sum))
    -- wait a little, or stop when the supervisor cancels us
    local r = channel.select{events:case_receive(), time.after("500ms"):case_receive()}
    if r.channel == events and r.value.kind == process.event.CANCEL then
      return round
    end
  end
end

return main
