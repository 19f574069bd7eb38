#!/usr/bin/env bash
# Profile of the REST send path under load: the server (Release, SQLite unless STORAGE=postgres) on CPU 0, wrk at
# CONNECTIONS (default 64) on CPU 1 for 30 s; after 10 s, 10 s of perf sampling (999 Hz, call graphs, JIT symbols
# from DOTNET_PerfMapEnabled) and a dotnet-counters run beside it. Prints the top symbols by own time, the
# time under the server's own frames (inclusive), and the GC/allocation counters.
# Usage (from the project root): bash bench/rest/profile.sh [SERVER_DLL]
# Environment: STORAGE=sqlite|postgres; KEEP=FILE (keep perf.data there); EXTRA_ENV="K=V …" (more server environment);
#   WEBHOOK=URL (the app gets webhooks for every change, to URL: with EXTRA_ENV=GitpleLive__Webhooks__EnableDispatcher=false,
#   the send path's own delivery rows).
# Needs: perf (linux-perf), dotnet tool install -g dotnet-counters, wrk.
set -euo pipefail
dll=${1:-}
work=$(mktemp -d)
if [ -z "$dll" ]; then dotnet build -c Release -o "$work/server" src/GitpleLive.Server -v q -nologo >/dev/null; dll=$work/server/GitpleLive.Server.dll; fi
port=5390
envs=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 GITPLELIVE_APP_ID=bench GITPLELIVE_API_KEY=benchkey Logging__LogLevel__Default=Warning GitpleLive__DataDirectory="$work/data"
      GitpleLive__RateLimits__Enabled=false)
if [ "${STORAGE:-sqlite}" = postgres ]; then
  envs+=(GitpleLive__StorageProvider=postgres "GitpleLive__ConnectionString=Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=bench_profile_$$")
fi
for kv in ${EXTRA_ENV:-}; do envs+=("$kv"); done
mkdir -p "$work/data"
env "${envs[@]}" taskset -c 0 dotnet "$dll" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 & server=$!
trap 'kill $server 2>/dev/null; sleep 0.3; [ -n "${KEEP:-}" ] && cp "$work/perf.data" "$KEEP"; rm -rf "$work"' EXIT
u="http://127.0.0.1:$port"
for _ in $(seq 1 150); do curl -sf "$u/health" >/dev/null && break; sleep 0.2; done
p=(-H "APP_ID: bench" -H "APP_API_KEY: benchkey" -H "Content-Type: application/json")
curl -sf "${p[@]}" -X POST "$u/v1/users" -d '{"user_id":"sender","name":"Sender"}' >/dev/null
curl -sf "${p[@]}" -X POST "$u/v1/group/channels" -d '{"channel_id":"bench","name":"bench","members":["sender"]}' >/dev/null
[ -z "${WEBHOOK:-}" ] || curl -sf "${p[@]}" -X PUT "$u/v1/app/webhooks" -d "{\"url\":\"$WEBHOOK\",\"secret\":\"bench-secret-0123456789\"}" >/dev/null
session=$(curl -sf "${p[@]}" -X POST "$u/v1/users/sender/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
token=$(curl -sf -H "APP_ID: bench" -H "USER_ID: sender" -H "Authorization: Bearer $session" -H "Content-Type: application/json" \
  -X POST "$u/v1/sdk/users/token" -d '{}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
export APP_ID=bench USER_ID=sender TOKEN=$token CHANNEL=bench
taskset -c 1 wrk -t1 -c"${CONNECTIONS:-64}" -d30s --latency -s bench/rest/send.lua "$u" >"$work/wrk.txt" &
wrkpid=$!
sleep 10
pid=$(pgrep -P $server -f GitpleLive.Server.dll || echo $server)
~/.dotnet/tools/dotnet-counters collect -p "$pid" --duration 00:00:10 --format csv -o "$work/counters.csv" \
  --counters System.Runtime >/dev/null 2>&1 &
perf record -F 999 -g -p "$pid" -o "$work/perf.data" -- sleep 10 >/dev/null 2>&1
wait $wrkpid || true
grep -E "Requests/sec|99%" "$work/wrk.txt"
perf report -i "$work/perf.data" --no-children -g none --sort dso,symbol --stdio 2>/dev/null > "$work/report.txt" || true
echo "== own time by area (perf, % of the server's samples)"
python3 - "$work/report.txt" <<'PY'
import re, sys, collections
areas = [
  ("kernel (sockets, scheduler, syscalls)", r"\[kernel|\[k\]"),
  ("SQLite engine (e_sqlite3)", r"e_sqlite3"),
  ("Microsoft.Data.Sqlite / SQLitePCL", r"Microsoft\.Data\.Sqlite|SQLitePCL"),
  ("Npgsql", r"Npgsql"),
  ("EF Core", r"EntityFrameworkCore"),
  ("Kestrel / HTTP", r"Kestrel|AspNetCore\.Http|System\.Net\.Http|HttpProtocol|Http1"),
  ("ASP.NET Core routing, endpoints, DI", r"AspNetCore\.Routing|RequestDelegate|EndpointFilter|DependencyInjection|AspNetCore\.Builder"),
  ("JSON (System.Text.Json)", r"System\.Text\.Json"),
  ("crypto (HMAC)", r"Cryptography|HMAC|libcrypto|libssl"),
  ("server code (GitpleLive.*)", r"GitpleLive"),
  ("runtime: GC, JIT, stubs (libcoreclr, libclrjit)", r"libcoreclr|libclrjit|ReportStubBlock|JIT_|WriteBarrier"),
  ("CoreLib (collections, strings, tasks, threads)", r"System\.Private\.CoreLib|CoreLib"),
  ("libc", r"libc\.so|ld-linux"),
]
totals = collections.Counter(); top = []
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"\s+([0-9.]+)%\s+(.*)", line)
    if not m: continue
    pct, rest = float(m.group(1)), m.group(2)
    top.append((pct, " ".join(rest.split())[:150]))
    for name, rx in areas:
        if re.search(rx, rest): totals[name] += pct; break
    else: totals["other"] += pct
for name, pct in totals.most_common(): print(f"{pct:6.1f}%  {name}")
print("== top 30 symbols, own time")
for pct, sym in sorted(top, reverse=True)[:30]: print(f"{pct:6.2f}%  {sym}")
PY
echo "== counters (mean over 10 s)"
python3 - "$work/counters.csv" <<'PY' || true
import csv, sys, collections
vals = collections.defaultdict(list)
for row in csv.reader(open(sys.argv[1])):
    if len(row) >= 5:
        try: vals[row[2]].append(float(row[4]))
        except ValueError: pass
for k in sorted(vals):
    if any(w in k.lower() for w in ("alloc", "gc", "gen", "cpu", "thread", "lock", "pause", "heap")):
        v = vals[k]; print(f"{k}: mean {sum(v)/len(v):,.1f} max {max(v):,.1f}")
PY
[ "${KEEP:-}" ] && cp "$work/perf.data" "${KEEP}" || true
