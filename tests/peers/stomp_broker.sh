#!/usr/bin/env bash
# A real STOMP 1.2 broker for the integration tests (issue 15): RabbitMQ (Debian's
# rabbitmq-server, installed by scripts/setup.sh) with only its web-stomp plugin, as a private
# node: its own temporary data directory, node name, Erlang cookie and epmd port, no AMQP or
# plain-STOMP listener, nothing from /etc or /var. Not part of the product.
#   tests/peers/stomp_broker.sh
# Prints "listening on ws://127.0.0.1:PORT/ws" on stdout once the node has booted and the
# WebSocket port accepts (subprotocol v12.stomp, user guest/guest, vhost /). Stops the node,
# everything it started and its directory when stdin closes or on SIGTERM/SIGINT. Logs go to
# stderr only when it fails. Exit 3 when RabbitMQ is missing or does not start in 60 s.
set -uo pipefail

rabbit=/usr/lib/rabbitmq/bin/rabbitmq-server
if [[ ! -x "$rabbit" ]]; then
    echo "stomp_broker.sh: $rabbit is missing: install Debian's rabbitmq-server (scripts/setup.sh)" >&2
    exit 3
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

dir=$(mktemp -d /tmp/wsbench-stomp-broker.XXXXXX)
port=$(free_port)
epmd_port=$(free_port)
mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp = none
stomp.listeners.tcp = none
web_stomp.tcp.ip = 127.0.0.1
web_stomp.tcp.port = $port
log.console = true
log.console.level = info
log.file = false
EOF

export HOME="$dir/home"
export RABBITMQ_NODENAME="wsbench-stomp-$$@localhost"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_ENABLED_PLUGINS=rabbitmq_web_stomp
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_PLUGINS_EXPAND_DIR="$dir/plugins"
export RABBITMQ_DIST_PORT=$(free_port)
export ERL_EPMD_PORT=$epmd_port ERL_EPMD_ADDRESS=127.0.0.1

# The node in its own session, so that stopping it reaches the shell wrapper, beam and the
# helpers they start; epmd daemonizes, on our private port, and is stopped by that port.
setsid "$rabbit" >"$dir/broker.log" 2>&1 </dev/null &
node_pid=$!
watcher=

stop() {
    trap '' TERM INT
    [[ -n "$watcher" ]] && kill "$watcher" 2>/dev/null
    kill -TERM -- "-$node_pid" 2>/dev/null
    for _ in $(seq 100); do
        kill -0 -- "-$node_pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$node_pid" 2>/dev/null
    wait "$node_pid" 2>/dev/null
    ERL_EPMD_PORT=$epmd_port epmd -kill >/dev/null 2>&1
    rm -rf "$dir"
}

fail() {
    echo "stomp_broker.sh: $1; the broker's log:" >&2
    tail -n 40 "$dir/broker.log" >&2
    stop
    exit 3
}
trap 'stop; exit 0' TERM INT
# A reader gone before the listening line must not kill us before we stop the node.
trap '' PIPE

start=$SECONDS
until grep -q "Server startup complete" "$dir/broker.log" 2>/dev/null &&
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$node_pid" 2>/dev/null || fail "RabbitMQ exited during startup"
    ((SECONDS - start < 60)) || fail "RabbitMQ did not start within 60 s"
    sleep 0.1
done
echo "listening on ws://127.0.0.1:$port/ws"
echo "stomp_broker.sh: RabbitMQ web-stomp ready in $((SECONDS - start)) s ($dir)" >&2

# Until stdin closes (cat ends) or a signal arrives (wait returns early, the trap stops all).
cat <&0 >/dev/null &
watcher=$!
wait "$watcher"
watcher=
stop
