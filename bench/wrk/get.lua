-- GET of the path on the command line (headers from -H), with the shared report.
dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")
