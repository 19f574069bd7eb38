#!/usr/bin/env bash
# How soon after start the send path is at speed: one server (Release, SQLite) on CPU 0 under wrk (64 connections, CPU 1)
# from its first second, without a pause; prints msg/s of each consecutive window. A pause between windows lets tiered
# compilation catch up, which a loaded node never gets: this measures what a node restarted into traffic sees.
# Usage (from the project root): bash bench/rest/warmup.sh /abs/path/GitpleLive.Server.dll WINDOWS SECONDS
# Environment: EXTRA_ENV="K=V …" (more server environment, e.g. DOTNET_TieredPGO=0), LABEL (the printed line's name).
set -euo pipefail
dll=$1; wins=$2; secs=$3
source "$(dirname "$0")/one-server.sh"
one_server "$dll" 5414
out=""
for i in $(seq 1 $wins); do r=$(taskset -c 1 wrk -t1 -c64 -d${secs}s -s bench/rest/send.lua $u | awk '/Requests\/sec/{printf "%d", $2}'); out="$out $r"; done
echo "${LABEL:-run}:$out"
