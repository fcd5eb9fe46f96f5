#!/usr/bin/env bash
# Installs the Debian 12 packages wsbench needs to build and test. Idempotent: prints
# nothing and changes nothing when every package is already installed. Works as root or
# through sudo.
set -euo pipefail

packages=(
    g++ cmake make pkg-config python3 python3-jsonschema openssl
    libwebsocketpp-dev libasio-dev nlohmann-json3-dev libcxxopts-dev
    libgtest-dev libgmock-dev libbenchmark-dev
    libssl-dev zlib1g-dev libyaml-cpp-dev libsimdjson-dev
    clang libclang-rt-14-dev clang-format-14
    libedit-dev tmux python3-websockets node-ws libqt5websockets5-dev
    rabbitmq-server  # the STOMP broker (web-stomp) of the STOMP tests, run as a private node
    prometheus  # promtool and a Prometheus server, for the /metrics tests
    prometheus-pushgateway  # the Pushgateway of wsbench-loadgen --metrics-push's test
    chromium  # headless, for the test of wsbench-loadgen --dashboard's page (loadgen_dashboard_test)
)

# The JavaScript test peers (Socket.IO, graphql-ws, aedes) come from the npm registry, pinned
# by tests/peers/js/package-lock.json; node and npm themselves from Debian when absent.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

install_js_peers() {
    local dir
    dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/peers/js"
    # A copy of the lock file in node_modules marks a finished install of exactly that lock.
    cmp -s "$dir/package-lock.json" "$dir/node_modules/.wsbench-installed-lock" && return 0
    echo "setup.sh: installing the JavaScript test peers (npm ci in tests/peers/js)" >&2
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/tmp/wsbench-npm.log 2>&1); then
        echo "setup.sh: npm ci failed in $dir; see /tmp/wsbench-npm.log" >&2
        tail -n 20 /tmp/wsbench-npm.log >&2
        exit 3
    fi
    cp "$dir/package-lock.json" "$dir/node_modules/.wsbench-installed-lock"
}

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    install_js_peers
    exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
else
    echo "setup.sh: missing packages (${missing[*]}) and neither root nor sudo to install them" >&2
    exit 3
fi

echo "setup.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Try without refreshing first (fast when the lists are current); refresh once on failure.
if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/wsbench-apt.log 2>&1; then
    "${sudo[@]}" apt-get update -q >>/tmp/wsbench-apt.log 2>&1 || true
    if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/wsbench-apt.log 2>&1; then
        echo "setup.sh: apt-get install failed; see /tmp/wsbench-apt.log" >&2
        tail -n 20 /tmp/wsbench-apt.log >&2
        exit 3
    fi
fi

install_js_peers
