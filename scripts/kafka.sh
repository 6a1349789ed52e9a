#!/usr/bin/env bash
# Apache Kafka without Docker, for kafkawire's tests and for trying the client by hand.
#
#   scripts/kafka.sh fetch                            resolve the broker jars from Maven Central (once)
#   scripts/kafka.sh start [--nodes 1|3] [--dir DIR]  run a fresh KRaft cluster in the foreground and
#                                                     print its bootstrap address; Ctrl-C stops it
#   scripts/kafka.sh stop [--dir DIR]                 stop a cluster `start` runs elsewhere
#
# `fetch` prints the jar directory on stdout (test/harness/launcher.ts reads it); Maven's output
# goes to stderr. The cache is ${KAFKAWIRE_CACHE:-~/.cache/kafkawire}/kafka-<version>; the version
# comes from scripts/kafka-jars/pom.xml. `start` is test/harness/launcher.ts run through tsx.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$root/scripts/kafka-jars/pom.xml"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$pom")"
cache="${KAFKAWIRE_CACHE:-$HOME/.cache/kafkawire}/kafka-$version"
run_dir="${KAFKAWIRE_CACHE:-$HOME/.cache/kafkawire}/run"

fetch() {
  local libs="$cache/libs"
  if [[ ! -f "$cache/complete" ]]; then
    mkdir -p "$cache"
    # Two test processes may fetch at once: one resolves, the other waits and finds the marker.
    exec 9>"$cache/lock"
    flock 9
    if [[ ! -f "$cache/complete" ]]; then
      echo "kafka.sh: resolving Apache Kafka $version jars into $libs" >&2
      rm -rf "$libs"
      mvn -q -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
        -DoutputDirectory="$libs" -DincludeScope=runtime >&2
      # Only now: an interrupted or failed mvn must not leave a cache that looks complete.
      touch "$cache/complete"
    fi
    exec 9>&-
  fi
  echo "$libs"
}

start() {
  fetch >/dev/null
  # node_modules/.bin first: its node (v24) runs tsx, whatever node is on PATH.
  PATH="$root/node_modules/.bin:$PATH" exec tsx "$root/test/harness/launcher.ts" start --dir "$run_dir" "$@"
}

stop() {
  local dir="$run_dir"
  if [[ "${1:-}" == --dir ]]; then dir="$2"; fi
  local pid
  pid="$(cat "$dir/launcher.pid" 2>/dev/null)" || { echo "kafka.sh: no cluster running from $dir" >&2; return 1; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  echo "kafka.sh: launcher $pid still running after 20 s" >&2
  return 1
}

case "${1:-}" in
  fetch) fetch ;;
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) sed -n '4,7p' "$0" >&2; exit 2 ;;
esac
