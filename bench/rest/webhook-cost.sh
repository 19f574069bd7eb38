#!/usr/bin/env bash
# The send path's own cost of webhooks: one server (Release, SQLite, its webhook dispatcher off) on CPU 0, wrk on CPU 1;
# windows alternate webhooks off / on (every change, to an unused URL); prints msg/s, p99 and the server's CPU per message.
# Usage (from the project root): bash bench/rest/webhook-cost.sh /abs/path/GitpleLive.Server.dll SECONDS ROUNDS [CONNECTIONS]
# Environment: EXTRA_ENV="K=V …" (more server environment); HOOK_PRE="command" (run in the data folder before each 'on').
set -euo pipefail
dll=$1; secs=$2; rounds=$3; conns=${4:-64}
work=$(mktemp -d); port=5411; u=http://127.0.0.1:$port
(cd $work && exec env GITPLELIVE_APP_ID=bench GITPLELIVE_API_KEY=benchkey Logging__LogLevel__Default=Warning GitpleLive__DataDirectory=$work \
  GitpleLive__RateLimits__Enabled=false GitpleLive__Webhooks__EnableDispatcher=false ${EXTRA_ENV:-} taskset -c 0 dotnet $dll --urls $u >$work/log 2>&1) &
srv=$!; trap 'kill $srv 2>/dev/null; sleep 0.3; rm -rf $work' EXIT
for _ in $(seq 1 150); do curl -sf $u/health >/dev/null && break; sleep 0.2; done
pid=$(pgrep -f "GitpleLive.Server.dll --urls $u" | head -1)
p=(-H "APP_ID: bench" -H "APP_API_KEY: benchkey" -H "Content-Type: application/json")
curl -sf "${p[@]}" -X POST $u/v1/users -d '{"user_id":"sender","name":"Sender"}' >/dev/null
curl -sf "${p[@]}" -X POST $u/v1/group/channels -d '{"channel_id":"bench","name":"bench","members":["sender"]}' >/dev/null
s=$(curl -sf "${p[@]}" -X POST $u/v1/users/sender/token -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
t=$(curl -sf -H "APP_ID: bench" -H "USER_ID: sender" -H "Authorization: Bearer $s" -H "Content-Type: application/json" -X POST $u/v1/sdk/users/token -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
export APP_ID=bench USER_ID=sender TOKEN=$t CHANNEL=bench
ticks() { awk '{print $14+$15}' /proc/$pid/stat; }
win() { local a b out; a=$(ticks); out=$(taskset -c 1 wrk -t1 -c$conns -d${secs}s --latency -s bench/rest/send.lua $u); b=$(ticks)
  local r=$(echo "$out" | awk '/Requests\/sec/{print $2}'); local p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local n=$(echo "$out" | awk '/requests in/{print $1}')
  echo "$1 $r msg/s p99 $p99 cpu_us/msg $(( (b-a)*10000 / n ))"; }
taskset -c 1 wrk -t1 -c$conns -d5s -s bench/rest/send.lua $u >/dev/null
for r in $(seq 1 $rounds); do
  win off
  curl -sf "${p[@]}" -X PUT $u/v1/app/webhooks -d '{"url":"http://127.0.0.1:9/hook","secret":"bench-secret-0123456789"}' >/dev/null
  [ -z "${HOOK_PRE:-}" ] || (cd $work && eval "$HOOK_PRE")
  win on
  curl -sf "${p[@]}" -X DELETE $u/v1/app/webhooks >/dev/null
done
