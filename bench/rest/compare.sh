#!/usr/bin/env bash
# One run, same wrk load, side by side: the reference probe (../shared/perf-probe) and one or more builds of the
# server (e.g. before and after a change), each server on CPU 0 and wrk on CPU 1, at 1, 8 and 64 connections.
# Usage (from the project root):
#   bash bench/rest/compare.sh SECONDS NAME=SERVER_DLL [NAME=SERVER_DLL …]
# Environment: STORAGE=sqlite|postgres (postgres: a fresh database per server on PG, default
#   Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres), SENDERS=N (default 1: one user sends; N>1: N
#   members of the channel send in turn, bench/rest/send-many.lua), ROUNDS=R (default 1: repeat the whole
#   comparison), NO_PROBE=1 (servers only), ENV_<NAME>="K=V …" (extra environment for server NAME), WEBHOOK_<NAME>=URL
#   (server NAME's app gets webhooks for every change, to URL: with GitpleLive__Webhooks__EnableDispatcher=false in its
#   ENV_<NAME>, the send path's own cost of a delivery row), PROBE_DIR (default ../shared/perf-probe or
#   ../../shared/perf-probe). The servers run with rate limits off (GitpleLive__RateLimits__Enabled=false).
set -euo pipefail
secs=${1:?seconds}; shift
storage=${STORAGE:-sqlite}; senders=${SENDERS:-1}; rounds=${ROUNDS:-1}
pg=${PG:-Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres}
work=$(mktemp -d ${WORK_IN:+-p "$WORK_IN"})
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.3; rm -rf "$work"; }
trap cleanup EXIT
port=5300
declare -A url
names=()
if [ -z "${NO_PROBE:-}" ]; then
  probe_dir=${PROBE_DIR:-}
  for d in ../shared/perf-probe ../../shared/perf-probe; do [ -z "$probe_dir" ] && [ -f "$d/Limit.csproj" ] && probe_dir=$d; done
  [ -n "$probe_dir" ] || { echo "the probe is not found: set PROBE_DIR to the perf-probe folder"; exit 1; }
  dotnet build -c Release --artifacts-path "$work/artifacts" "$probe_dir/Limit.csproj" -v q -nologo >/dev/null
  probe_dll=$(find "$work/artifacts/bin" -name Limit.dll | head -n1)
  taskset -c 0 dotnet "$probe_dll" --urls "http://127.0.0.1:$port" >"$work/probe.log" 2>&1 & pids+=($!)
  url[probe]="http://127.0.0.1:$port"; names+=(probe); port=$((port+1))
fi
for arg in "$@"; do
  name=${arg%%=*}; dll=${arg#*=}
  mkdir -p "$work/$name"
  envs=(GITPLELIVE_APP_ID=bench GITPLELIVE_API_KEY=benchkey Logging__LogLevel__Default=Warning GitpleLive__DataDirectory="$work/$name"
        GitpleLive__RateLimits__Enabled=false)
  extra="ENV_$name"; for kv in ${!extra:-}; do envs+=("$kv"); done
  if [ "$storage" = postgres ]; then
    db="bench_${name}_$$"
    envs+=(GitpleLive__StorageProvider=postgres "GitpleLive__ConnectionString=$pg;Database=$db")
  fi
  (cd "$work/$name" && exec env "${envs[@]}" taskset -c 0 dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/$name/server.log" 2>&1) & pids+=($!)
  url[$name]="http://127.0.0.1:$port"; names+=("$name"); port=$((port+1))
done
for n in "${names[@]}"; do
  for _ in $(seq 1 150); do
    if [ "$n" = probe ]; then curl -sf "${url[$n]}/token/sender" >/dev/null && break; else curl -sf "${url[$n]}/health" >/dev/null && break; fi
    sleep 0.2
  done
done
declare -A tok many
p=(-H "APP_ID: bench" -H "APP_API_KEY: benchkey" -H "Content-Type: application/json")
for n in "${names[@]}"; do
  u=${url[$n]}
  if [ "$n" = probe ]; then tok[$n]=$(curl -sf "$u/token/sender" | tr -d '"'); continue; fi
  curl -sf "${p[@]}" -X POST "$u/v1/users" -d '{"user_id":"sender","name":"Sender"}' >/dev/null
  for i in $(seq 1 49); do curl -sf "${p[@]}" -X POST "$u/v1/users" -d "{\"user_id\":\"m$i\",\"name\":\"M$i\"}" >/dev/null; done
  members=$(seq -s, 1 49 | sed 's/\([0-9]*\)/"m\1"/g')
  curl -sf "${p[@]}" -X POST "$u/v1/group/channels" -d "{\"channel_id\":\"bench\",\"name\":\"bench\",\"members\":[\"sender\",$members]}" >/dev/null
  sdk() {
    local session; session=$(curl -sf "${p[@]}" -X POST "$u/v1/users/$1/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
    curl -sf -H "APP_ID: bench" -H "USER_ID: $1" -H "Authorization: Bearer $session" -H "Content-Type: application/json" \
      -X POST "$u/v1/sdk/users/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/'
  }
  tok[$n]=$(sdk sender)
  hook="WEBHOOK_$n"
  if [ -n "${!hook:-}" ]; then
    curl -sf "${p[@]}" -X PUT "$u/v1/app/webhooks" -d "{\"url\":\"${!hook}\",\"secret\":\"bench-secret-0123456789\"}" >/dev/null
  fi
  if [ "$senders" -gt 1 ]; then
    list="sender:${tok[$n]}"
    for i in $(seq 1 $((senders-1))); do list="$list,m$i:$(sdk "m$i")"; done
    many[$n]=$list
  fi
done
export APP_ID=bench USER_ID=sender CHANNEL=bench
rate() { # name connections
  local lua=bench/rest/send.lua
  if [ "$1" != probe ] && [ "$senders" -gt 1 ]; then lua=bench/rest/send-many.lua; fi
  SENDERS=${many[$1]:-} TOKEN=${tok[$1]} taskset -c 1 wrk -t1 -c"$2" -d"${secs}s" --latency -s "$lua" "${url[$1]}" \
    | awk '/Requests\/sec/{r=$2} /non-2xx/{e=$NF} /99%/{p=$2} END{printf "%s %s %s\n", r, p, e}'
}
for n in "${names[@]}"; do rate "$n" 8 >/dev/null; done   # warm-up (JIT)
echo "storage=$storage senders=$senders seconds=$secs"
for r in $(seq 1 "$rounds"); do
  for c in 1 8 64; do
    line="round $r c=$c"; first=""
    for n in "${names[@]}"; do
      read -r rr pl pe < <(rate "$n" "$c")
      [ -z "$first" ] && first=$rr
      line="$line | $n $rr msg/s p99 $pl err $pe ($(python3 -c "print(round($rr/$first,3))"))"
    done
    echo "$line"
  done
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$storage" = postgres ]; then
  for n in "${names[@]}"; do [ "$n" = probe ] || PGPASSWORD=postgres psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS bench_${n}_$$ WITH (FORCE)" >/dev/null 2>&1 || true; done
fi
