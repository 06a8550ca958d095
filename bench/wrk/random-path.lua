-- GET of a path picked at random from the file $BENCH_PATHS (one per line) for each request.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do
  paths[#paths + 1] = line
end
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
