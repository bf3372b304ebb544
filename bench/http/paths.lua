-- GET requests over a list of paths (one per line in the file given after
-- `--`), picked at random; answers counted by status (common.lua).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local paths = {}

function init(args)
  seed_random()
  read_lines(args[1], paths)
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
