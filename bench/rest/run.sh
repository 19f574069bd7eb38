#!/usr/bin/env bash
# REST send path with persistence: messages/s and latency at 1, 8 and 64 connections, with wrk.
# Usage: bash bench/rest/run.sh [seconds per step]   (needs: apt-get install -y wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-10}
port=5099
data=$(mktemp -d)
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
dotnet build -c Release src/GitpleLive.Server -v q -nologo >/dev/null
GITPLELIVE_APP_ID=bench GITPLELIVE_API_KEY=benchkey Logging__LogLevel__Default=Warning GitpleLive__DataDirectory="$data" \
  GitpleLive__RateLimits__Enabled=false \
  taskset -c 0 dotnet src/GitpleLive.Server/bin/Release/net10.0/GitpleLive.Server.dll --urls "http://127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
p=(-H "APP_ID: bench" -H "APP_API_KEY: benchkey" -H "Content-Type: application/json")
curl -sf "${p[@]}" -X POST "http://127.0.0.1:$port/v1/users" -d '{"user_id":"sender","name":"Sender"}' >/dev/null
for i in $(seq 1 49); do curl -sf "${p[@]}" -X POST "http://127.0.0.1:$port/v1/users" -d "{\"user_id\":\"m$i\",\"name\":\"M$i\"}" >/dev/null; done
members=$(seq -s, 1 49 | sed 's/\([0-9]*\)/"m\1"/g')
curl -sf "${p[@]}" -X POST "http://127.0.0.1:$port/v1/group/channels" -d "{\"channel_id\":\"bench\",\"name\":\"bench\",\"members\":[\"sender\",$members]}" >/dev/null
session=$(curl -sf "${p[@]}" -X POST "http://127.0.0.1:$port/v1/users/sender/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
token=$(curl -sf -H "APP_ID: bench" -H "USER_ID: sender" -H "Authorization: Bearer $session" -H "Content-Type: application/json" \
  -X POST "http://127.0.0.1:$port/v1/sdk/users/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
export APP_ID=bench USER_ID=sender TOKEN=$token CHANNEL=bench
# Warm-up (JIT), then the measured steps; the server on core 0, wrk on core 1.
taskset -c 1 wrk -t1 -c8 -d5s -s bench/rest/send.lua "http://127.0.0.1:$port" >/dev/null
for c in 1 8 64; do
  echo "== $c connection(s), ${secs}s"
  taskset -c 1 wrk -t1 -c$c -d${secs}s --latency -s bench/rest/send.lua "http://127.0.0.1:$port" | grep -E "Requests/sec|50%|99%|non-2xx"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
