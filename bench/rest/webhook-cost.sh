#!/usr/bin/env bash
# The send path's own cost of webhooks: one server (Release, SQLite, its webhook dispatcher off) on CPU 0, wrk on CPU 1;
# windows alternate webhooks off / on (every change, to an unused URL); prints msg/s, p99 and the server's CPU per message.
# Usage (from the project root): bash bench/rest/webhook-cost.sh /abs/path/GitpleLive.Server.dll SECONDS ROUNDS [CONNECTIONS]
# Environment: EXTRA_ENV="K=V …" (more server environment); HOOK_PRE="command" (run in the data folder before each 'on').
set -euo pipefail
dll=$1; secs=$2; rounds=$3; conns=${4:-64}
source "$(dirname "$0")/one-server.sh"
one_server "$dll" 5411 GitpleLive__Webhooks__EnableDispatcher=false
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
