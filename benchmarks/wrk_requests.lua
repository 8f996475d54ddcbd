-- wrk script for benchmarks/load.py: replays requests from a file, one per line:
--   METHOD <TAB> PATH <TAB> COOKIE <TAB> BODY (urlencoded, may be empty)
-- Arguments: the file, then the status that counts as success (e.g. 200 or 302).
-- Each wrk thread takes every n-th line, so a POST that may succeed only once (a scorecard
-- submit) is sent once. Prints one JSON line with throughput and latency percentiles.

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local requests = {}
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
    local headers = {}
    if cookie ~= "" then headers["Cookie"] = cookie end
    if body ~= "" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
    table.insert(requests, wrk.format(method, path, headers, body ~= "" and body or nil))
  end
  expected_status = tonumber(args[2])
  step = tonumber(args[3])
  index = id
  ok, other = 0, 0
  reqs = requests
end

function request()
  local r = reqs[((index - 1) % #reqs) + 1]
  index = index + step
  return r
end

function response(status, headers, body)
  if status == expected_status then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local ok_total, other_total = 0, 0
  for _, thread in ipairs(threads) do
    ok_total = ok_total + thread:get("ok")
    other_total = other_total + thread:get("other")
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "expected": %d, "unexpected": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, ok_total, other_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
