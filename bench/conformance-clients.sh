#!/usr/bin/env bash
# Client conformance of real WebSocket clients (issue 7): runs `wsbench-conformance serve`
# against websocketpp's client, python3-websockets' asyncio client, Node `ws`'s client and
# Qt5's QWebSocket, each through its small Autobahn-style driver in tests/peers/, and prints
# a Markdown summary table (docs/conformance-results.md records it). Not part of the product.
#
#   bench/conformance-clients.sh [--agents LIST] [--cases GLOBS] [--build-dir BUILD]
#                                [--report-dir DIR] [--timeout SECONDS] [--jobs N]
#
#   --agents LIST     comma-separated, from websocketpp,python-websockets,node-ws,qt5 (all)
#   --cases GLOBS     the cases served (default '*': sections 1-10, M and C, 311 cases)
#   --build-dir BUILD build directory (default build); drivers and npm's ws go under it
#   --report-dir DIR  reports, one subdirectory per client (default BUILD/reports/conformance-clients)
#   --timeout S       deadline for one client's whole run (default 300)
#   --jobs N          parallel jobs when building wsbench-conformance (default: nproc)
#
# Installs what is missing: python3-websockets, libqt5websockets5-dev, nodejs and npm
# (Debian packages, through sudo when not root) and `ws` from npm into BUILD/peers-node
# (never into the source tree). Each client gets its own `serve --port 0 --once` on
# loopback; the script waits for its `listening on` line, runs the driver under the deadline
# and reads the verdicts from the server's index.json.
# Exit codes: 0 every client ran to its reports, 1 a client failed to (timeout, no report),
# 2 usage error, 3 setup failed (packages, build, a server that did not start).
set -euo pipefail
cd "$(dirname "$0")/.."

agents=websocketpp,python-websockets,node-ws,qt5
cases='*'
build=build
report_dir=""
deadline=300
jobs=$(nproc 2>/dev/null || echo 2)
while [[ $# -gt 0 ]]; do
    case "$1" in
        --agents) agents=${2:?--agents needs a list}; shift 2 ;;
        --cases) cases=${2:?--cases needs globs}; shift 2 ;;
        --build-dir) build=${2:?--build-dir needs a directory}; shift 2 ;;
        --report-dir) report_dir=${2:?--report-dir needs a directory}; shift 2 ;;
        --timeout) deadline=${2:?--timeout needs seconds}; shift 2 ;;
        --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
        -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "conformance-clients.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ $deadline =~ ^[0-9]+$ && $deadline -gt 0 ]] ||
    { echo "conformance-clients.sh: --timeout: expected whole seconds above 0" >&2; exit 2; }
IFS=, read -r -a agent_list <<<"$agents"
for a in "${agent_list[@]}"; do
    case $a in
        websocketpp|python-websockets|node-ws|qt5) ;;
        *) echo "conformance-clients.sh: --agents: unknown client '$a'" >&2; exit 2 ;;
    esac
done
report_dir=${report_dir:-$build/reports/conformance-clients}
wants() { [[ ",$agents," == *",$1,"* ]]; }

# --- what is missing -------------------------------------------------------------------
./scripts/setup.sh || exit 3
packages=()
wants python-websockets && packages+=(python3-websockets)
wants qt5 && packages+=(libqt5websockets5-dev)
if wants node-ws && ! command -v node >/dev/null; then packages+=(nodejs); fi
if wants node-ws && ! command -v npm >/dev/null; then packages+=(npm); fi
missing=()
for p in "${packages[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] ||
        missing+=("$p")
done
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "conformance-clients.sh: installing ${missing[*]}" >&2
    sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
    if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "${missing[@]}" >/tmp/wsbench-apt.log 2>&1; then
        "${sudo_cmd[@]}" apt-get update -q >>/tmp/wsbench-apt.log 2>&1 || true
        "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            --no-install-recommends "${missing[@]}" >>/tmp/wsbench-apt.log 2>&1 ||
            { echo "conformance-clients.sh: apt-get failed, see /tmp/wsbench-apt.log" >&2; exit 3; }
    fi
fi

cmake -S . -B "$build" >/dev/null || exit 3
cmake --build "$build" --target wsbench-conformance websocketpp_client_driver -j "$jobs" \
    >/dev/null || { echo "conformance-clients.sh: build failed" >&2; exit 3; }
peers=$build/peers
mkdir -p "$peers" "$report_dir"
if wants qt5 && [[ ! $peers/qt_client -nt tests/peers/qt_client.cpp ]]; then
    # shellcheck disable=SC2046  # pkg-config prints several flags
    g++ -std=c++17 -O2 -fPIC tests/peers/qt_client.cpp \
        $(pkg-config --cflags --libs Qt5WebSockets) -o "$peers/qt_client" || exit 3
fi
node_modules=$(realpath -m "$build/peers-node/node_modules")
if wants node-ws && [[ ! -f $node_modules/ws/package.json ]]; then
    echo "conformance-clients.sh: npm install ws into $build/peers-node" >&2
    npm install --prefix "$build/peers-node" --no-audit --no-fund ws >/dev/null || exit 3
fi

# --- one client ------------------------------------------------------------------------
# Debian's interpreter explicitly: python3-websockets is in its dist-packages, which another
# python3 first on PATH (pyenv, a venv) would not see.
debian_python=/usr/bin/python3

version_of() {
    case $1 in
        websocketpp) dpkg-query -W -f='${Version}' libwebsocketpp-dev | sed 's/-[^-]*$//' ;;
        python-websockets) "$debian_python" -c 'import websockets; print(websockets.__version__)' ;;
        node-ws) node -p "require('$node_modules/ws/package.json').version" ;;
        qt5) pkg-config --modversion Qt5WebSockets ;;
    esac
}

driver_of() {
    case $1 in
        websocketpp) echo "$build/bin/websocketpp_client_driver" ;;
        python-websockets) echo "$debian_python tests/peers/python_websockets_client.py" ;;
        node-ws) echo "node tests/peers/ws_client.js" ;;
        qt5) echo "$peers/qt_client" ;;
    esac
}

status=0
results=()
for name in "${agent_list[@]}"; do
    version=$(version_of "$name")
    agent="$name-$version"
    dir=$report_dir/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    exec 3< <(exec "$build/bin/wsbench-conformance" serve --host 127.0.0.1 --port 0 \
        --cases "$cases" --report-dir "$dir" --once 2>"$dir/serve.log")
    server=$!
    line=""
    read -r -t 10 line <&3 || true
    if [[ $line != "listening on "* ]]; then
        echo "conformance-clients.sh: $name: the server did not start (see $dir/serve.log)" >&2
        kill "$server" 2>/dev/null || true
        exit 3
    fi
    url=${line#listening on }
    echo "== $agent against $url" >&2
    start=$(date +%s.%N)
    # shellcheck disable=SC2046  # the driver command is words
    if ! NODE_PATH=$node_modules timeout "$deadline" $(driver_of "$name") "$url" "$agent" \
            >"$dir/driver.log" 2>&1; then
        echo "conformance-clients.sh: $name: the driver failed or timed out (see $dir/driver.log)" >&2
        status=1
    fi
    end=$(date +%s.%N)
    # --once: the server exits after /updateReports; give it a moment, then stop it (SIGTERM
    # still writes the reports).
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$server" 2>/dev/null; then kill "$server"; wait "$server" 2>/dev/null || true; fi
    exec 3<&-
    if [[ ! -f $dir/index.json ]]; then
        echo "conformance-clients.sh: $name: no index.json (see $dir/serve.log)" >&2
        status=1
        continue
    fi
    results+=("$name|$version|$(awk "BEGIN {printf \"%.1f\", $end - $start}")|$dir/index.json")
done

# --- the summary -----------------------------------------------------------------------
python3 - "${results[@]}" <<'PY'
import collections, json, sys

def key(case_id):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in case_id.split(".")]

print("| client | version | OK | NON-STRICT | INFORMATIONAL | FAILED | not OK/OK | run time |")
print("|---|---|---:|---:|---:|---:|---|---:|")
for item in sys.argv[1:]:
    name, version, seconds, path = item.split("|", 3)
    index = json.load(open(path))
    (agent, cases), = index.items()
    counts = collections.Counter(v["behavior"] for v in cases.values())
    odd = []
    for cid in sorted(cases, key=key):
        v = cases[cid]
        if (v["behavior"], v["behaviorClose"]) != ("OK", "OK"):
            close = "" if v["behaviorClose"] == v["behavior"] else "/" + v["behaviorClose"]
            odd.append(f"{cid} {v['behavior']}{close}")
    print(f"| {name} | {version} | {counts['OK']} | {counts['NON-STRICT']} | "
          f"{counts['INFORMATIONAL']} | {counts['FAILED']} | {', '.join(odd) or '-'} | {seconds} s |")
PY
exit "$status"
