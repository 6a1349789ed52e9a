#!/usr/bin/env bash
# Apache Kafka without Docker, for kafkawire's tests and for trying the client by hand.
#
#   scripts/kafka.sh fetch                  resolve the broker jars from Maven Central (once per version)
#   scripts/kafka.sh start [--nodes 1|3] [--port N] [--dir DIR]
#                                           run a fresh KRaft cluster in the foreground and print its
#                                           bootstrap address; Ctrl-C stops it. --port: node 1's client
#                                           port (nodes 2 and 3 take N+1, N+2); default free ports
#   scripts/kafka.sh stop [--dir DIR]       stop a cluster `start` runs elsewhere (same KAFKA_VERSION)
#   scripts/kafka.sh version                print the version KAFKA_VERSION resolves to
#
# KAFKA_VERSION picks the broker: unset, the default pin (kafka.version in scripts/kafka-jars/pom.xml,
# 4.3.1); a line such as `3.9` or `3.9.x`, that line's pin (kafka.version.3.9 there, 3.9.2); or an
# exact version (any 3.x or 4.x release on Maven Central, e.g. 4.0.1). KRaft mode for every version.
# `fetch` prints the jar directory on stdout (test/harness/launcher.ts reads it); Maven's output
# goes to stderr. The cache is ${KAFKAWIRE_CACHE:-~/.cache/kafkawire}/kafka-<version>, one per version.
# `start` is test/harness/launcher.ts run through tsx.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pom="$root/scripts/kafka-jars/pom.xml"

# The value of <name> in the pom's properties, or nothing.
pom_property() {
  sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$pom" | head -n 1
}

resolve_version() {
  local wanted="${KAFKA_VERSION:-}" default
  default="$(pom_property 'kafka\.version')"
  wanted="${wanted%.x}"
  if [[ -z "$wanted" ]]; then
    echo "$default"
  elif [[ "$wanted" =~ ^[0-9]+\.[0-9]+$ ]]; then
    local pin
    pin="$(pom_property "kafka\\.version\\.${wanted//./\\.}")"
    if [[ -n "$pin" ]]; then echo "$pin"
    elif [[ "$default" == "$wanted".* ]]; then echo "$default"
    else
      echo "kafka.sh: KAFKA_VERSION=$KAFKA_VERSION: no pin for Kafka $wanted in $pom; give an exact version" >&2
      return 1
    fi
  elif [[ "$wanted" =~ ^[34]\.[0-9]+\.[0-9]+$ ]]; then
    echo "$wanted"
  else
    echo "kafka.sh: KAFKA_VERSION=$KAFKA_VERSION is not a Kafka 3.x/4.x version (e.g. 3.9, 3.9.2, 4.3.1)" >&2
    return 1
  fi
}

version="$(resolve_version)"
cache="${KAFKAWIRE_CACHE:-$HOME/.cache/kafkawire}/kafka-$version"
# `start`/`stop` without --dir: one folder per version, so a 3.9 and a 4.x cluster can run side by side.
run_dir="${KAFKAWIRE_CACHE:-$HOME/.cache/kafkawire}/run"
if [[ "$version" != "$(pom_property 'kafka\.version')" ]]; then run_dir="$run_dir-$version"; fi

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
      # 3.x brokers log through reload4j (kafka-tools brings slf4j-reload4j): leave out the pom's
      # log4j2 binding, or slf4j would pick one of the two at random.
      local exclude=()
      if [[ "$version" == 3.* ]]; then exclude=(-DexcludeArtifactIds=log4j-slf4j-impl); fi
      mvn -q -B -Dstyle.color=never -f "$pom" -Dkafka.version="$version" dependency:copy-dependencies \
        -DoutputDirectory="$libs" -DincludeScope=runtime "${exclude[@]}" >&2
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
  # The launcher asks this script for the jars again, for the version resolved here.
  KAFKA_VERSION="$version" PATH="$root/node_modules/.bin:$PATH" \
    exec tsx "$root/test/harness/launcher.ts" start --dir "$run_dir" "$@"
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
  version) echo "$version" ;;
  *) sed -n '4,11p' "$0" >&2; exit 2 ;;
esac
