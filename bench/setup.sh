#!/usr/bin/env bash
# Installs the peers that bench/run.ts runs beside kafkawire into bench/node_modules:
# kafkajs and @platformatic/kafka (pure JS), and @confluentinc/kafka-javascript (librdkafka),
# whose native addon is built here from the sources in its npm package.
#
#   bash bench/setup.sh          (after `npm ci` at the repository root: it uses that Node 24)
#
# Why the steps below: the addon's install script first tries to download a prebuilt binary from
# GitHub, and node-gyp downloads Node's headers from nodejs.org; on a machine that reaches only
# package registries both fail. So the headers come from the npm registry (the node-linux-<arch>
# package of the same Node version), and librdkafka is configured against the system's libraries
# (CKJS_LINKING=dynamic) instead of downloading the sources of OpenSSL, zstd, etc. itself.
# The build takes about 3 minutes on 2 cores. A peer that fails to install is reported as
# "unavailable" by the runner; the others still run.
set -euo pipefail
bench="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$bench/.." && pwd)"

if [[ ! -x "$root/node_modules/.bin/node" ]]; then
  echo "setup.sh: run \`npm ci\` at the repository root first (it brings Node 24)" >&2
  exit 1
fi
# node_modules/.bin first: npm, node-gyp and the addon must all see Node 24, not the system's node.
export PATH="$root/node_modules/.bin:$PATH"
node_version="$(node --version)"

# Debian packages: a C/C++ toolchain for librdkafka and the addon, the libraries librdkafka links
# (TLS, SASL, compression, HTTP for OIDC), /usr/bin/time for the Java tools' CPU and RSS, and
# Java + Maven for the broker and kafka-tools (scripts/kafka.sh fetch).
packages=(build-essential python3 pkg-config libssl-dev zlib1g-dev libzstd-dev liblz4-dev
  libsasl2-dev libcurl4-openssl-dev time openjdk-17-jre-headless maven)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "setup.sh: apt-get install ${missing[*]}" >&2
  sudo=""
  [[ "$(id -u)" == 0 ]] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# Node's headers for node-gyp, from the npm registry.
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch="$(uname -m)" ;;
esac
headers="$bench/.cache/node-headers-$node_version"
if [[ ! -f "$headers/include/node/node_version.h" ]]; then
  mkdir -p "$bench/.cache" "$headers"
  tgz="$(cd "$bench/.cache" && npm pack --silent "node-linux-$arch@${node_version#v}")"
  tar xzf "$bench/.cache/$tgz" -C "$headers" --strip-components=1 package/include
  rm -f "$bench/.cache/$tgz"
fi

cd "$bench"
export npm_config_nodedir="$headers" CKJS_LINKING=dynamic
npm ci --no-audit --no-fund

# npm may skip install scripts it has not been told to allow: build the addon explicitly then.
addon_loads() {
  node -e "require('@confluentinc/kafka-javascript')" >/dev/null 2>&1
}
if ! addon_loads; then
  npm rebuild @confluentinc/kafka-javascript
fi
if addon_loads; then
  node -e "const k = require('@confluentinc/kafka-javascript'); console.log('librdkafka', k.librdkafkaVersion, k.features.join(','))"
else
  echo "setup.sh: @confluentinc/kafka-javascript did not build; the runner will report it unavailable" >&2
fi

# The Kafka jars (broker and Java perf tools), into ~/.cache/kafkawire.
bash "$root/scripts/kafka.sh" fetch >/dev/null
echo "setup.sh: done; run \`npm run bench:quick\` at the repository root"
