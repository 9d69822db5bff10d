-- wrk script for the Stinger benchmark: POSTs one GraphQL query, with `$id` drawn at random from
-- a file of global ids (BENCH_IDS) or fixed variables (BENCH_VARIABLES, a JSON object), and
-- counts responses that are not 200 or carry `errors`. With BENCH_GZIP=1 it asks for gzip
-- (a compressed body is not searched for `errors`: only its status counts).
--   BENCH_QUERY=queries/film.graphql BENCH_IDS=film-ids.txt wrk -t2 -c32 -d10s -s wrk.lua URL

local function read(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("*a")
  file:close()
  return text
end

local function json_string(text)
  text = text:gsub('\\', '\\\\'):gsub('"', '\\"'):gsub('\n', '\\n'):gsub('\t', '\\t')
  return '"' .. text .. '"'
end

local query = json_string(read(os.getenv("BENCH_QUERY")))
local gzip = os.getenv("BENCH_GZIP") == "1"
local fixed = os.getenv("BENCH_VARIABLES") or "{}"
local ids = {}
local ids_path = os.getenv("BENCH_IDS")
if ids_path and ids_path ~= "" then
  for line in io.lines(ids_path) do
    if line ~= "" then ids[#ids + 1] = line end
  end
end

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
  threads[#threads + 1] = thread
end

function init(args)
  errors = 0
  math.randomseed(os.time() * 1000 + number)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if gzip then
    wrk.headers["Accept-Encoding"] = "gzip"
  end
end

function request()
  local variables = fixed
  if #ids > 0 then
    variables = '{"id":"' .. ids[math.random(#ids)] .. '"}'
  end
  return wrk.format(nil, nil, nil, '{"query":' .. query .. ',"variables":' .. variables .. '}')
end

function response(status, headers, body)
  if status ~= 200 or (not gzip and body:find('"errors"', 1, true)) then
    errors = errors + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("errors")
  end
  io.write(string.format(
    "BENCH requests=%d errors=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f bytes=%d\n",
    summary.requests, failed + summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.bytes / math.max(summary.requests, 1)))
end
