#!/usr/bin/env bash
# A real Milvus server without Docker, for the tests and for trying VECTOR_BACKEND=milvus locally.
# PyPI's `milvus` package ("embedded Milvus") ships the Milvus 2.3 standalone binary with embedded
# etcd, local storage and RocksMQ; it is installed into .venv-milvus (git-ignored), pinned by hash.
#
#   scripts/milvus-server.sh install                       venv + package + binary unpacked once
#   scripts/milvus-server.sh start DATA_DIR PORT [PID]     serves the Milvus gRPC API on PORT; prints
#                                                          the server's pid once it answers; with PID,
#                                                          the server is stopped when PID exits
#   scripts/milvus-server.sh stop DATA_DIR [--kill]        graceful (SIGINT, then SIGKILL after 15 s),
#                                                          or at once with --kill (a crash)
#
# Clients connect to 127.0.0.1:PORT. Milvus 2.3 has no listen-address setting, so its gRPC ports are
# bound on every interface (the package picks free ones besides PORT); the embedded etcd listens on
# two free loopback ports, kept in DATA_DIR for restarts. Several servers can run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
venv="$root/.venv-milvus"
base="$venv/milvus-base"
version="2.3.5"
start_timeout="${MILVUS_START_TIMEOUT_S:-120}"

die() { echo "milvus-server: $*" >&2; exit 1; }

installed() {
  [ -x "$venv/bin/milvus-server" ] && [ -x "$base/bin/milvus" ] &&
    [ "$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("milvus"))' 2>/dev/null)" = "$version" ]
}

install() {
  if installed; then
    echo "milvus $version already in $venv"
    return
  fi
  command -v python3 >/dev/null || die "python3 is required (venv + pip)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --disable-pip-version-check -q --require-hashes -r "$root/scripts/milvus-requirements.txt"
  # Unpack the binary once: each data dir links to it instead of unpacking 250 MB on every start.
  "$venv/bin/python" -c 'import sys, milvus; milvus._initialize_data_files(sys.argv[1])' "$base"
  echo "milvus $version installed in $venv"
}

# Two distinct free loopback ports (both held while choosing, so they differ).
free_ports() {
  "$venv/bin/python" -c 'import socket
a, b = socket.socket(), socket.socket()
a.bind(("127.0.0.1", 0)); b.bind(("127.0.0.1", 0))
print(a.getsockname()[1], b.getsockname()[1])'
}

# Embedded etcd on loopback ports of this server's own: its default peer port (2380) is fixed and
# would keep a second server from starting. Milvus reads the file named by ETCD_CONFIG_PATH.
etcd_config() {
  local data="$1" client peer
  [ -f "$data/etcd-ports" ] || free_ports >"$data/etcd-ports"
  read -r client peer <"$data/etcd-ports"
  cat >"$data/embed-etcd.yaml" <<EOF
name: milvus-test
listen-client-urls: http://127.0.0.1:$client
advertise-client-urls: http://127.0.0.1:$client
listen-peer-urls: http://127.0.0.1:$peer
initial-advertise-peer-urls: http://127.0.0.1:$peer
initial-cluster: milvus-test=http://127.0.0.1:$peer
EOF
  echo "$client"
}

# Stops a process group: SIGINT (the wrapper then stops Milvus), SIGKILL after a grace period.
stop_group() {
  local pid="$1" grace="$2" waited=0
  kill -0 "$pid" 2>/dev/null || return 0
  if [ "$grace" -gt 0 ]; then
    kill -INT -- "-$pid" 2>/dev/null || true
    while kill -0 -- "-$pid" 2>/dev/null && [ "$waited" -lt $((grace * 10)) ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
  fi
  kill -KILL -- "-$pid" 2>/dev/null || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

start() {
  local data="$1" port="$2" watch="${3:-}"
  installed || die "not installed: run scripts/setup.sh milvus"
  mkdir -p "$data"
  data="$(cd "$data" && pwd)"
  [ -e "$data/bin" ] || ln -s "$base/bin" "$data/bin"
  local log="$data/server.log" etcd_port
  : >"$log"
  etcd_port="$(etcd_config "$data")"
  # Test-server tuning only: time ticks every 50 ms instead of 200 ms make Strong-consistency reads
  # wait ~50 ms (20 ms kept an idle server at 0.115 of a core, 50 ms at 0.06: about 12 CPU-s of
  # the external tier's shared server, where every core is busy); faster query-coordinator checks
  # shorten loads; a 6 s session TTL (30 s by default) lets a restarted server take over from its
  # crashed predecessor in seconds. Semantics unchanged.
  # proxy.port is forced in the config as well: the package only takes --proxy-port as a first
  # choice, and moves on to the next port while the old server's connections linger in TIME_WAIT.
  ETCD_CONFIG_PATH="$data/embed-etcd.yaml" setsid "$venv/bin/milvus-server" --data "$data" --proxy-port "$port" --etcd-port "$etcd_port" \
    --extra-config "proxy.port=$port" \
    --extra-config proxy.timeTickInterval=50 \
    --extra-config queryCoord.checkInterval=100 \
    --extra-config queryCoord.distPullInterval=50 \
    --extra-config common.session.ttl=6 \
    >>"$log" 2>&1 </dev/null &
  local pid=$!
  echo "$pid" >"$data/server.pid"
  local waited=0
  # The wrapper prints its banner once Milvus's own health endpoint answers OK.
  until grep -q 'Ctrl+C to exit' "$log"; do
    # The wrapper outlives a Milvus that panicked; its log tells.
    if ! kill -0 "$pid" 2>/dev/null || [ "$waited" -ge $((start_timeout * 10)) ] ||
      grep -qs -e '^panic:' -e '^fatal error:' "$data/logs/milvus-stderr.log"; then
      stop_group "$pid" 0
      echo "milvus-server: did not start within ${start_timeout}s; last lines of its logs:" >&2
      tail -n 20 "$log" "$data/logs/milvus-stderr.log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    stop_group "$pid" 0
    die "started, but nothing serves 127.0.0.1:$port"
  fi
  if [ -n "$watch" ]; then
    # A test runner killed before its cleanup must not leave Milvus running.
    (
      while kill -0 "$watch" 2>/dev/null && kill -0 "$pid" 2>/dev/null; do sleep 1; done
      stop_group "$pid" 5
    ) >/dev/null 2>&1 </dev/null &
  fi
  echo "$pid"
}

stop() {
  local data="$1" grace=15
  [ "${2:-}" = "--kill" ] && grace=0
  [ -f "$data/server.pid" ] || return 0
  stop_group "$(cat "$data/server.pid")" "$grace"
  rm -f "$data/server.pid"
}

case "${1:-}" in
  install) install ;;
  start) [ $# -ge 3 ] || die "usage: start DATA_DIR PORT [WATCH_PID]"; start "$2" "$3" "${4:-}" ;;
  stop) [ $# -ge 2 ] || die "usage: stop DATA_DIR [--kill]"; stop "$2" "${3:-}" ;;
  *) die "usage: $0 install | start DATA_DIR PORT [WATCH_PID] | stop DATA_DIR [--kill]" ;;
esac
