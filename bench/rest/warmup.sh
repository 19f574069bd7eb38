#!/usr/bin/env bash
# How soon after start the send path is at speed: one server (Release, SQLite) on CPU 0 under wrk (64 connections, CPU 1)
# from its first second, without a pause; prints msg/s of each consecutive window. A pause between windows lets tiered
# compilation catch up, which a loaded node never gets: this measures what a node restarted into traffic sees.
# Usage (from the project root): bash bench/rest/warmup.sh /abs/path/GitpleLive.Server.dll WINDOWS SECONDS
# Environment: EXTRA_ENV="K=V …" (more server environment, e.g. DOTNET_TieredPGO=0), LABEL (the printed line's name).
set -euo pipefail
dll=$1; wins=$2; secs=$3; work=$(mktemp -d); port=5414; u=http://127.0.0.1:$port
(cd $work && exec env GITPLELIVE_APP_ID=bench GITPLELIVE_API_KEY=benchkey Logging__LogLevel__Default=Warning GitpleLive__DataDirectory=$work \
  GitpleLive__RateLimits__Enabled=false ${EXTRA_ENV:-} taskset -c 0 dotnet $dll --urls $u >$work/log 2>&1) &
srv=$!; trap 'kill $srv 2>/dev/null; sleep 0.3; rm -rf $work' EXIT
for _ in $(seq 1 150); do curl -sf $u/health >/dev/null && break; sleep 0.2; done
pid=$(pgrep -f "GitpleLive.Server.dll --urls $u" | head -1)
p=(-H "APP_ID: bench" -H "APP_API_KEY: benchkey" -H "Content-Type: application/json")
curl -sf "${p[@]}" -X POST $u/v1/users -d '{"user_id":"sender","name":"Sender"}' >/dev/null
curl -sf "${p[@]}" -X POST $u/v1/group/channels -d '{"channel_id":"bench","name":"bench","members":["sender"]}' >/dev/null
s=$(curl -sf "${p[@]}" -X POST $u/v1/users/sender/token -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
t=$(curl -sf -H "APP_ID: bench" -H "USER_ID: sender" -H "Authorization: Bearer $s" -H "Content-Type: application/json" -X POST $u/v1/sdk/users/token -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
export APP_ID=bench USER_ID=sender TOKEN=$t CHANNEL=bench
out=""
for i in $(seq 1 $wins); do r=$(taskset -c 1 wrk -t1 -c64 -d${secs}s -s bench/rest/send.lua $u | awk '/Requests\/sec/{printf "%d", $2}'); out="$out $r"; done
echo "${LABEL:-run}:$out"
