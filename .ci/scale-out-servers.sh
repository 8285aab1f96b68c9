#!/usr/bin/env bash
# Throw-away servers for the scale-out suites, on loopback ports of their own — never the machine's
# PostgreSQL or Redis, which they only sit in front of (PgBouncer) or beside (Redis):
#   Redis Cluster   3 masters on 127.0.0.1:7101-7103 (redis-server --cluster-enabled, redis-cli --cluster create)
#   Redis Sentinel  primary 127.0.0.1:7201, replica :7202, Sentinels :7211-7213 (quorum 2), primary name "nda-primary"
#   PgBouncer       127.0.0.1:6433, transaction pooling, in front of 127.0.0.1:5432
#
#   .ci/scale-out-servers.sh start   # (re)creates everything under $SCALE_OUT_DIR and waits until ready
#   .ci/scale-out-servers.sh stop
#   .ci/scale-out-servers.sh env     # the TEST_* variables the suites read, for `eval`
#
# Needs redis-server / redis-cli (the machine has them) and pgbouncer (apt, installed by .ci/run).
set -euo pipefail

DIR="${SCALE_OUT_DIR:-/tmp/nda-scale-out}"
CLUSTER_PORTS=(7101 7102 7103)
PRIMARY_PORT=7201
REPLICA_PORT=7202
SENTINEL_PORTS=(7211 7212 7213)
SENTINEL_NAME=nda-primary
BOUNCER_PORT=6433
PG_HOST="${CI_PG_HOST:-127.0.0.1}"
PG_PORT="${CI_PG_PORT:-5432}"

sentinel_bin() { if command -v redis-sentinel >/dev/null 2>&1; then echo redis-sentinel; else echo "redis-server --sentinel"; fi; }

wait_for() { # wait_for <description> <command…>
  local what="$1"; shift
  for _ in $(seq 1 100); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out waiting for $what" >&2; return 1
}
pong() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }

# Every server this script starts writes its pid under $DIR; stopping kills exactly those pids
# (never anything found by name or port, so nothing of the machine's own is touched).
stop() {
  local pids=() pid
  for f in "$DIR"/cluster/*/redis.pid "$DIR"/sentinel/*.pid "$DIR"/pgbouncer/pgbouncer.pid; do
    [ -f "$f" ] || continue
    pid="$(cat "$f")"
    # A pid file can outlive its process (the failover test kills the primary): skip a pid that
    # now belongs to something else.
    grep -qsE 'redis|pgbouncer' "/proc/$pid/comm" && pids+=("$pid")
  done
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$DIR"
}

start_cluster() {
  for port in "${CLUSTER_PORTS[@]}"; do
    mkdir -p "$DIR/cluster/$port"
    redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --dir "$DIR/cluster/$port" \
      --cluster-enabled yes --cluster-config-file nodes.conf --cluster-node-timeout 2000 \
      --save '' --appendonly no --logfile "$DIR/cluster/$port/redis.log" --pidfile "$DIR/cluster/$port/redis.pid"
  done
  for port in "${CLUSTER_PORTS[@]}"; do wait_for "cluster node $port" pong "$port"; done
  redis-cli --cluster create $(printf '127.0.0.1:%s ' "${CLUSTER_PORTS[@]}") --cluster-replicas 0 --cluster-yes >"$DIR/cluster/create.log"
  wait_for "cluster state ok" bash -c "redis-cli -p ${CLUSTER_PORTS[0]} cluster info | grep -q 'cluster_state:ok'"
}

start_sentinel() {
  mkdir -p "$DIR/sentinel"
  redis-server --port "$PRIMARY_PORT" --bind 127.0.0.1 --daemonize yes --dir "$DIR/sentinel" \
    --save '' --appendonly no --logfile "$DIR/sentinel/primary.log" --dbfilename primary.rdb --pidfile "$DIR/sentinel/primary.pid"
  redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --daemonize yes --dir "$DIR/sentinel" \
    --save '' --appendonly no --logfile "$DIR/sentinel/replica.log" --dbfilename replica.rdb --pidfile "$DIR/sentinel/replica.pid" \
    --replicaof 127.0.0.1 "$PRIMARY_PORT"
  wait_for "primary" pong "$PRIMARY_PORT"
  wait_for "replica in sync" bash -c "redis-cli -p $REPLICA_PORT info replication | grep -q 'master_link_status:up'"
  for port in "${SENTINEL_PORTS[@]}"; do
    cat >"$DIR/sentinel/sentinel-$port.conf" <<EOF
port $port
bind 127.0.0.1
daemonize yes
logfile $DIR/sentinel/sentinel-$port.log
pidfile $DIR/sentinel/sentinel-$port.pid
dir $DIR/sentinel
sentinel monitor $SENTINEL_NAME 127.0.0.1 $PRIMARY_PORT 2
sentinel down-after-milliseconds $SENTINEL_NAME 2000
sentinel failover-timeout $SENTINEL_NAME 10000
sentinel parallel-syncs $SENTINEL_NAME 1
EOF
    $(sentinel_bin) "$DIR/sentinel/sentinel-$port.conf"
  done
  for port in "${SENTINEL_PORTS[@]}"; do
    wait_for "sentinel $port to see the replica and the other sentinels" bash -c \
      "redis-cli -p $port sentinel master $SENTINEL_NAME 2>/dev/null | tr '\n' ' ' | grep -Eq 'num-slaves 1 .*num-other-sentinels 2'"
  done
}

start_pgbouncer() {
  mkdir -p "$DIR/pgbouncer"
  echo '"postgres" ""' >"$DIR/pgbouncer/userlist.txt"
  cat >"$DIR/pgbouncer/pgbouncer.ini" <<EOF
[databases]
* = host=$PG_HOST port=$PG_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
auth_type = trust
auth_file = $DIR/pgbouncer/userlist.txt
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
; node-postgres sends statement_timeout as a startup parameter, which PgBouncer does not forward:
; ignore it here (the app's own client-side deadline still applies; see README "Running many instances").
ignore_startup_parameters = extra_float_digits,statement_timeout
server_reset_query =
logfile = $DIR/pgbouncer/pgbouncer.log
pidfile = $DIR/pgbouncer/pgbouncer.pid
admin_users = postgres
EOF
  # PgBouncer refuses to run as root.
  if [ "$(id -u)" = 0 ]; then
    chown -R postgres "$DIR/pgbouncer"
    runuser -u postgres -- pgbouncer -d "$DIR/pgbouncer/pgbouncer.ini"
  else
    pgbouncer -d "$DIR/pgbouncer/pgbouncer.ini"
  fi
  wait_for "pgbouncer" bash -c "pg_isready -q -h 127.0.0.1 -p $BOUNCER_PORT"
}

print_env() {
  echo "TEST_REDIS_CLUSTER_NODES=$(printf '127.0.0.1:%s,' "${CLUSTER_PORTS[@]}" | sed 's/,$//')"
  echo "TEST_REDIS_SENTINELS=$(printf '127.0.0.1:%s,' "${SENTINEL_PORTS[@]}" | sed 's/,$//')"
  echo "TEST_REDIS_SENTINEL_NAME=$SENTINEL_NAME"
  echo "TEST_PGBOUNCER_URL=postgres://postgres@127.0.0.1:$BOUNCER_PORT/postgres"
}

case "${1:-}" in
  start)
    stop
    mkdir -p "$DIR"
    start_cluster
    start_sentinel
    if command -v pgbouncer >/dev/null 2>&1; then start_pgbouncer; else echo "pgbouncer not installed: skipped" >&2; fi
    ;;
  stop) stop ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
