-- What every scenario shares: per-thread ids and random seeds, answers
-- counted by status in each thread, and their sum printed at the end as
-- `STATUSES {...}` for load.py. Loaded by the scenarios with dofile.
counts = {}
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function seed_random()
  math.randomseed(os.time() * 1000 + id)
end

function read_lines(path, into)
  for line in io.lines(path) do
    into[#into + 1] = line
  end
  return into
end

function response(status)
  counts[status] = (counts[status] or 0) + 1
end

function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do
      total[status] = (total[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(total) do
    parts[#parts + 1] = string.format('"%d": %d', status, n)
  end
  io.write("STATUSES {" .. table.concat(parts, ", ") .. "}\n")
end
