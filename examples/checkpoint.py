"""Checkpoint a Lua job to a file at every host call; continue it in a new process.

    python examples/checkpoint.py start     # runs until the first host call, saves job.snap, exits
    python examples/checkpoint.py resume    # (repeat) restores job.snap, answers, runs to the next call

Each process answers one `ask(...)` and exits, as if it had been killed: the Lua
stack, locals, coroutine and tables live only in job.snap between processes.
"""

import os
import sys

import luavm

SNAP = os.environ.get("SNAP", "job.snap")

JOB = """
local total = 0
local seen = {}
local gen = coroutine.wrap(function()
  for i = 1, 3 do coroutine.yield(ask("number " .. i)) end
end)
for i = 1, 3 do
  local n = tonumber(gen())
  total = total + n
  seen[#seen + 1] = n
  print(("step %d: got %d, total %d"):format(i, n, total))
end
return "sum of " .. table.concat(seen, "+") .. " = " .. total
"""


def ask(question):
    """A host call that must wait (for a person, a timer, an activity...)."""
    return luavm.suspend({"question": question})


def answer(request):
    return str(len(request["question"]) * 7)  # stands for the real work


def save(task):
    if task.done:
        print("result:", task.result[0])
        if os.path.exists(SNAP):
            os.remove(SNAP)
        return
    with open(SNAP, "wb") as f:
        f.write(task.snapshot())
    print(f"suspended at {task.request}; state saved to {SNAP} ({os.path.getsize(SNAP)} bytes)")


if __name__ == "__main__":
    if sys.argv[1:] == ["start"]:
        rt = luavm.LuaRuntime()
        rt.globals()["ask"] = ask
        save(rt.task(JOB, chunkname="job.lua").run())
    elif sys.argv[1:] == ["resume"]:
        with open(SNAP, "rb") as f:
            task = luavm.restore(f.read())
        save(task.run(answer(task.request)))
    else:
        sys.exit(__doc__)
