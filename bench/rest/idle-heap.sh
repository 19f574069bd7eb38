#!/usr/bin/env bash
# Heap of the server with N idle realtime connections (default 5,000): runs the bench's connections scenario with a long
# settle time and takes a dotnet-gcdump of the server once every connection is open, then prints the heap report.
# Usage (from the project root, after a Release build of the bench): DLL=path/to/GitpleLive.Server.dll bash bench/rest/idle-heap.sh
# Needs: dotnet tool install -g dotnet-gcdump.
cd "$(dirname "$0")/../.."
N=${N:-5000}
dotnet bench/GitpleLive.Bench/bin/Release/net10.0/GitpleLive.Bench.dll connections -n $N --settle-seconds 40 --server-dll ${DLL:-src/GitpleLive.Server/bin/Release/net10.0/GitpleLive.Server.dll} --out "${OUT:-/tmp/idle-heap}" > "${OUT:-/tmp/idle-heap}.log" 2>&1 &
b=$!
for i in $(seq 1 900); do
  spid=$(pgrep -P $b -f GitpleLive.Server.dll | head -1)
  if [ -n "$spid" ]; then
    n=$(ls /proc/$spid/fd 2>/dev/null | wc -l)
    if [ "$n" -ge "$N" ]; then sleep 8; grep VmRSS /proc/$spid/status; ~/.dotnet/tools/dotnet-gcdump collect -v -p $spid -o "${OUT:-/tmp/idle-heap}.gcdump" > /dev/null 2>&1; grep VmRSS /proc/$spid/status; break; fi
  fi
  sleep 0.5
done
wait $b
~/.dotnet/tools/dotnet-gcdump report "${OUT:-/tmp/idle-heap}.gcdump" 2>&1 | head -45
