-- POST /api/v1/bookings: a random room of the rooms file, a random slot of
-- the slots file ("START END" per line), a random association's token;
-- counts answers by status (201 booked, 409 taken, 422 refused by a rule).
local rooms, slots, tokens = {}, {}, {}
counts = {}
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local function lines(path, into)
  for line in io.lines(path) do
    into[#into + 1] = line
  end
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  lines(args[1], rooms)
  lines(args[2], slots)
  lines(args[3], tokens)
end

function request()
  local room = rooms[math.random(#rooms)]
  local slot = slots[math.random(#slots)]
  local start, finish = slot:match("(%S+) (%S+)")
  local body = string.format(
    '{"room_id":"%s","start":"%s","end":"%s","attendees":12,"purpose":"Entraînement"}',
    room, start, finish)
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
  }
  return wrk.format("POST", "/api/v1/bookings", headers, body)
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
