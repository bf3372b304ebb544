-- POST /api/v1/bookings: a random room of the rooms file, a random slot of
-- the slots file ("START END" per line), a random association's token;
-- answers counted by status (201 booked, 409 taken, 422 refused by a rule).
dofile(debug.getinfo(1, "S").source:match("^@(.*/)") .. "common.lua")
local rooms, slots, tokens = {}, {}, {}

function init(args)
  seed_random()
  read_lines(args[1], rooms)
  read_lines(args[2], slots)
  read_lines(args[3], tokens)
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
