-- wrk script: POST text messages to one channel as one SDK user (headers come from the environment).
wrk.method = "POST"
wrk.path = "/v1/sdk/group/channels/" .. os.getenv("CHANNEL") .. "/messages"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["APP_ID"] = os.getenv("APP_ID")
wrk.headers["USER_ID"] = os.getenv("USER_ID")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
wrk.body = '{"type":"text","content":"hello from wrk, a message of about sixty characters in all"}'

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or errors: %d\n", summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
