-- wrk script for scripts/bench.sh: replays signed S3 PutObject or GetObject
-- requests (path-style, SigV4 header auth, UNSIGNED-PAYLOAD body).
-- Inputs (environment, prepared by benchutil.py s3-setup):
--   BENCH_METHOD     PUT | GET
--   BENCH_REQ_FILE   one request per line, "path<TAB>Authorization" (SigV4,
--                    SignedHeaders=host;x-amz-content-sha256;x-amz-date)
--   BENCH_THREADS    wrk's -t: thread n (0-based) replays the lines i with
--                    i % BENCH_THREADS == n, in turn, so the threads never
--                    share a key (PUT: moto fails overlapping same-key PUTs);
--                    with fewer lines than threads, every thread replays all
--   BENCH_HOST       Host header, "127.0.0.1:<port>" (part of the signature)
--   BENCH_DATE       X-Amz-Date
--   BENCH_BODY_FILE  PUT: the body sent (wrk adds Content-Length);
--                    GET: the bytes every 200 must return exactly
-- Every response that is not 200 is counted (and, for GET, every 200 whose
-- body is not exactly BENCH_BODY_FILE, as badbody); done() prints one line
--   BENCH_RESULT requests=.. duration_us=.. rps=.. non200=.. badbody=.. ...
-- that bench.sh parses (and fails on non200 > 0 or badbody > 0).

local function need(name)
   local v = os.getenv(name)
   if v == nil or v == "" then
      error("s3.lua: environment variable " .. name .. " is not set")
   end
   return v
end

local method = need("BENCH_METHOD")
local nthreads = tonumber(need("BENCH_THREADS"))
local f = assert(io.open(need("BENCH_BODY_FILE"), "rb"))
local bytes = f:read("*a")
f:close()
local lines = {}
for line in io.lines(need("BENCH_REQ_FILE")) do
   local path, auth = string.match(line, "^([^\t]+)\t(.+)$")
   if path then table.insert(lines, { path = path, auth = auth }) end
end
if #lines == 0 then error("s3.lua: no requests in BENCH_REQ_FILE") end
local host = need("BENCH_HOST")
local date = need("BENCH_DATE")

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

function init(args)
   ok = 0
   non200 = 0
   badbody = 0
   first_bad = ""
   reqs = {}
   for i, l in ipairs(lines) do
      -- fewer lines than threads (the one GET): every thread replays all
      if #lines < nthreads or (i - 1) % nthreads == tid % nthreads then
         table.insert(reqs, wrk.format(method, l.path, {
            ["Host"] = host,
            ["X-Amz-Date"] = date,
            ["X-Amz-Content-Sha256"] = "UNSIGNED-PAYLOAD",
            ["Authorization"] = l.auth,
         }, method == "PUT" and bytes or nil))
      end
   end
   if #reqs == 0 then error("s3.lua: thread " .. tid .. " has no requests") end
   nreq = #reqs
   nxt = 0
end

function request()
   nxt = nxt % nreq + 1
   return reqs[nxt]
end

local check_body = (method == "GET")

function response(status, headers, body)
   if status ~= 200 then
      non200 = non200 + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
      end
   elseif check_body and body ~= bytes then
      badbody = badbody + 1
      if first_bad == "" then
         first_bad = "200 with a wrong body (" .. tostring(#(body or "")) ..
            " bytes, expected " .. tostring(#bytes) .. ")"
      end
   else
      ok = ok + 1
   end
end

function done(summary, latency, requests)
   local good, bad, wrong, sample = 0, 0, 0, ""
   for _, t in ipairs(threads) do
      good = good + (t:get("ok") or 0)
      bad = bad + (t:get("non200") or 0)
      wrong = wrong + (t:get("badbody") or 0)
      local fb = t:get("first_bad") or ""
      if sample == "" and fb ~= "" then sample = fb end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d rps=%.1f ok=%d non200=%d badbody=%d " ..
      "connect_err=%d read_err=%d write_err=%d timeout_err=%d " ..
      "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
      summary.requests, summary.duration, summary.requests / secs, good, bad, wrong,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000))
   if sample ~= "" then
      sample = string.gsub(sample, "[\r\n]", " ")
      io.write("BENCH_FIRST_BAD " .. sample .. "\n")
   end
end
