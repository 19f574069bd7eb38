-- wrk script: POST text messages to one channel from many SDK users, a different sender on each request in turn.
-- SENDERS = "user1:token1,user2:token2,…" (from the environment), CHANNEL and APP_ID as for send.lua.
local senders = {}
for pair in string.gmatch(os.getenv("SENDERS"), "[^,]+") do
  local user, token = pair:match("([^:]+):(.+)")
  senders[#senders + 1] = { user = user, auth = "Bearer " .. token }
end
local path = "/v1/sdk/group/channels/" .. os.getenv("CHANNEL") .. "/messages"
local body = '{"type":"text","content":"hello from wrk, a message of about sixty characters in all"}'
local app = os.getenv("APP_ID")
local n = 0

request = function()
  n = n + 1
  local s = senders[(n % #senders) + 1]
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/json", ["APP_ID"] = app, ["USER_ID"] = s.user, ["Authorization"] = s.auth }, body)
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
