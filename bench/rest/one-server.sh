# Sourced by warmup.sh and webhook-cost.sh: starts one server (DLL, on PORT, CPU 0, SQLite in a temporary folder, rate
# limits off, EXTRA_ENV and the extra K=V arguments added) with one user "sender" in channel "bench", and exports what
# bench/rest/send.lua reads. Sets work (the data folder), u (the URL), pid (the server's), p (the Platform API headers);
# the server is stopped and the folder removed on exit.
one_server() {
  local dll=$1 port=$2; shift 2
  work=$(mktemp -d); u=http://127.0.0.1:$port
  (cd "$work" && exec env GITPLELIVE_APP_ID=bench GITPLELIVE_API_KEY=benchkey Logging__LogLevel__Default=Warning \
    GitpleLive__DataDirectory="$work" GitpleLive__RateLimits__Enabled=false "$@" ${EXTRA_ENV:-} \
    taskset -c 0 dotnet "$dll" --urls "$u" >"$work/log" 2>&1) &
  local srv=$!
  trap "kill $srv 2>/dev/null; sleep 0.3; rm -rf '$work'" EXIT
  for _ in $(seq 1 150); do curl -sf "$u/health" >/dev/null && break; sleep 0.2; done
  pid=$(pgrep -f "GitpleLive.Server.dll --urls $u" | head -1)
  p=(-H "APP_ID: bench" -H "APP_API_KEY: benchkey" -H "Content-Type: application/json")
  curl -sf "${p[@]}" -X POST "$u/v1/users" -d '{"user_id":"sender","name":"Sender"}' >/dev/null
  curl -sf "${p[@]}" -X POST "$u/v1/group/channels" -d '{"channel_id":"bench","name":"bench","members":["sender"]}' >/dev/null
  local s t
  s=$(curl -sf "${p[@]}" -X POST "$u/v1/users/sender/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  t=$(curl -sf -H "APP_ID: bench" -H "USER_ID: sender" -H "Authorization: Bearer $s" -H "Content-Type: application/json" \
    -X POST "$u/v1/sdk/users/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  export APP_ID=bench USER_ID=sender TOKEN=$t CHANNEL=bench
}
