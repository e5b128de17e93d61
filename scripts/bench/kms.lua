-- wrk script for scripts/bench.sh: replays one signed JSON 1.1 request
-- (KMS Encrypt/Decrypt, Secrets Manager GetSecretValue).
-- Inputs (environment, prepared by benchutil.py kms-setup / sm-setup):
--   BENCH_OP    Encrypt | Decrypt (X-Amz-Target TrentService.<op>), or
--   BENCH_TARGET  the whole X-Amz-Target (e.g. secretsmanager.GetSecretValue);
--               wins over BENCH_OP when set
--   BENCH_HOST  Host header, "127.0.0.1:<port>" (part of the signature)
--   BENCH_DATE  X-Amz-Date
--   BENCH_AUTH  Authorization (SigV4, SignedHeaders=host;x-amz-date)
--   BENCH_BODY  JSON body
-- Every response that is not 200 is counted; done() prints one line
--   BENCH_RESULT requests=.. duration_us=.. rps=.. non200=.. ...
-- that bench.sh parses (and fails on non200 > 0).

local function need(name)
   local v = os.getenv(name)
   if v == nil or v == "" then
      error("kms.lua: environment variable " .. name .. " is not set")
   end
   return v
end

wrk.method = "POST"
wrk.path = "/"
wrk.body = need("BENCH_BODY")
wrk.headers["Host"] = need("BENCH_HOST")
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
local target = os.getenv("BENCH_TARGET")
if target == nil or target == "" then
   target = "TrentService." .. need("BENCH_OP")
end
wrk.headers["X-Amz-Target"] = target
wrk.headers["X-Amz-Date"] = need("BENCH_DATE")
wrk.headers["Authorization"] = need("BENCH_AUTH")

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   ok = 0
   non200 = 0
   first_bad = ""
   req = wrk.format()
end

function request()
   return req
end

function response(status, headers, body)
   if status == 200 then
      ok = ok + 1
   else
      non200 = non200 + 1
      if first_bad == "" then
         first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local good, bad, sample = 0, 0, ""
   for _, t in ipairs(threads) do
      good = good + (t:get("ok") or 0)
      bad = bad + (t:get("non200") or 0)
      local fb = t:get("first_bad") or ""
      if sample == "" and fb ~= "" then sample = fb end
   end
   local e = summary.errors
   local secs = summary.duration / 1e6
   io.write(string.format(
      "BENCH_RESULT requests=%d duration_us=%d rps=%.1f ok=%d non200=%d " ..
      "connect_err=%d read_err=%d write_err=%d timeout_err=%d " ..
      "p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
      summary.requests, summary.duration, summary.requests / secs, good, bad,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000))
   if sample ~= "" then
      sample = string.gsub(sample, "[\r\n]", " ")
      io.write("BENCH_FIRST_BAD " .. sample .. "\n")
   end
end
