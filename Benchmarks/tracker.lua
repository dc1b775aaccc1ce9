-- wrk script for Benchmarks/run-tracker-wrk.
--   wrk ... -s Benchmarks/tracker.lua http://127.0.0.1:PORT/PATH [-- PATHS_FILE]
-- With PATHS_FILE, each request takes the next path of the file (valid click or open URLs,
-- one per line), each thread starting at its own offset; without it, the URL's own path.
-- done() prints one line: requests/s, p50/p99 latency in ms, errors and non-2xx/3xx
-- (done runs in wrk's main Lua state, which never sees init's arguments: the caller labels it).

local paths = {}
local index = 0

local threads = {}
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
  table.insert(threads, thread)
end

function init(args)
  if args[1] then
    for line in io.lines(args[1]) do
      if #line > 0 then paths[#paths + 1] = line end
    end
    -- Spread the threads over the list so they do not ask for the same tokens in step.
    index = (thread_id * 7919) % math.max(#paths, 1)
  end
end

function request()
  if #paths == 0 then
    return wrk.format("GET")
  end
  index = index % #paths + 1
  return wrk.format("GET", paths[index])
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f socket_errors=%d non_2xx_3xx=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, summary.errors.status))
end
