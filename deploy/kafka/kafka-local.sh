#!/usr/bin/env bash
# kafka-local.sh - Tuoguan's local broker: a REAL single-node Apache Kafka broker (KRaft combined mode, no ZooKeeper, no Docker)
# from jars fetched off Maven Central with Maven. Needs: Java 17+, Maven 3.6.3+, bash, coreutils.
#
#   kafka-local.sh fetch     copy the broker jars into the cache (once; no-op when cached)
#   kafka-local.sh start     fetch, format storage once (random cluster id), start in background, wait for the port
#   kafka-local.sh stop      SIGTERM (controlled shutdown), SIGKILL after KAFKA_STOP_TIMEOUT seconds
#   kafka-local.sh status    exit 0 = running and port open, 1 = process up but port closed, 3 = stopped
#   kafka-local.sh restart | reset (stop + delete data/logs) | logs | tool <main-class> [args...]
#   kafka-local.sh start-node N | stop-node N | kill-node N    one node of a cluster (kill-node: SIGKILL, as a crash)
#   kafka-local.sh controller    the node id of the active KRaft controller
#
# A local CLUSTER: KAFKA_BROKERS=3 (or TUOGUAN_KAFKA_BROKERS=3) runs 3 combined broker+controller nodes (a
# 3-voter KRaft quorum) instead of one, default state <repo>/.state/kafka-cluster, same security (SCRAM, TLS,
# ACLs). Node i (1-based) listens on KAFKA_PORT+4(i-1) (client), +1 (controller), +2 (TLS), +3 (inter-broker),
# KAFKA_PORT defaulting to 29092 there; its data, logs, config and pid are under <state>/node-i. Internal topics
# are replicated 3 times with min.insync.replicas 2 (server-cluster.properties); so are the declared topics
# (deploy/provision.py, shared/topics.py).
#
# Environment (all optional):
#   KAFKA_VERSION=4.3.1          Maven version of org.apache.kafka:kafka_2.13
#   KAFKA_LOCAL_STATE=<dir>      data, logs, pid, generated config      (default: <repo>/.state/kafka)
#   KAFKA_LOCAL_LIBS=<dir>       jar cache                              (default: ~/.cache/tuoguan/kafka/<version>[-tools])
#   KAFKA_WITH_TOOLS=1           also fetch org.apache.kafka:kafka-tools (TopicCommand, AclCommand, ...)
#   KAFKA_HOST=127.0.0.1 KAFKA_PORT=19092 KAFKA_CONTROLLER_PORT=19093 KAFKA_TLS_PORT=19094 KAFKA_INTERNAL_PORT=19095
#   KAFKA_BROKERS=1              nodes; >1 is a cluster (ports above); TUOGUAN_KAFKA_BROKERS is read too
#   KAFKA_SCRAM_USERS="name:password ..."  extra SCRAM users created at FORMAT time (services and partners are
#                                the admin's job: python -m deploy.kafka_access)
#
# Security (see server.properties and docs/security.md): every listener authenticates. On first start this
# script generates, under the state dir and mode 0600: the broker's own password (PLAIN, inter-broker and
# controller), the admin's SCRAM password, and a local CA with the broker's TLS certificate. It writes
# <state>/client.env for the admin: KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_ADMIN_USERNAME,
# KAFKA_ADMIN_PASSWORD, KAFKA_TLS_BOOTSTRAP_SERVERS, KAFKA_SSL_CAFILE.
#   KAFKA_HEAP_OPTS="-Xms256m -Xmx512m"  KAFKA_JVM_PERFORMANCE_OPTS=...  KAFKA_OPTS=...  (same names as Kafka's scripts)
#   KAFKA_START_TIMEOUT=90 KAFKA_STOP_TIMEOUT=30   JAVA_HOME  MVN=mvn  KAFKA_MVN_ARGS (extra mvn args, e.g. "-s settings.xml")
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"
WITH_TOOLS="${KAFKA_WITH_TOOLS:-0}"
BROKERS="${KAFKA_BROKERS:-${TUOGUAN_KAFKA_BROKERS:-1}}"
[[ "$BROKERS" =~ ^[1-9]$ ]] || { echo "kafka-local: KAFKA_BROKERS must be 1..9, got '$BROKERS'" >&2; exit 2; }
if ((BROKERS == 1)); then _default_state=kafka; else _default_state=kafka-cluster; fi
STATE_DIR="${KAFKA_LOCAL_STATE:-$(cd "$HERE/../.." && pwd)/.state/$_default_state}"
if [[ "$WITH_TOOLS" == 1 ]]; then _suffix="-tools"; else _suffix=""; fi
LIB_DIR="${KAFKA_LOCAL_LIBS:-${XDG_CACHE_HOME:-$HOME/.cache}/tuoguan/kafka/${KAFKA_VERSION}${_suffix}}"
CLUSTER_ID_FILE="$STATE_DIR/cluster.id"

HOST="${KAFKA_HOST:-127.0.0.1}"
if ((BROKERS == 1)); then BASE_PORT="${KAFKA_PORT:-19092}"; else BASE_PORT="${KAFKA_PORT:-29092}"; fi

# The paths and ports of node $1 (1-based): the single broker keeps the flat layout under the state dir.
select_node() {
  NODE="$1"
  if ((BROKERS == 1)); then
    NODE_DIR="$STATE_DIR"
    PORT="$BASE_PORT"
    CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
    TLS_PORT="${KAFKA_TLS_PORT:-19094}"
    INTERNAL_PORT="${KAFKA_INTERNAL_PORT:-19095}"
  else
    NODE_DIR="$STATE_DIR/node-$NODE"
    PORT=$((BASE_PORT + 4 * (NODE - 1)))
    CONTROLLER_PORT=$((PORT + 1)) TLS_PORT=$((PORT + 2)) INTERNAL_PORT=$((PORT + 3))
  fi
  DATA_DIR="$NODE_DIR/data"
  LOG_DIR="$NODE_DIR/logs"
  RUN_CONFIG="$NODE_DIR/server.properties"
  PID_FILE="$NODE_DIR/kafka.pid"
  FORMAT_STAMP="$NODE_DIR/formatted-with"
}
select_node 1
NODES=$(seq 1 "$BROKERS")
# "host:port" of every node's listener $1 (client|controller|tls), comma-separated.
all_ports() {
  local i out=()
  for i in $NODES; do
    select_node "$i"
    case "$1" in client) out+=("$HOST:$PORT") ;; controller) out+=("$HOST:$CONTROLLER_PORT") ;; tls) out+=("$HOST:$TLS_PORT") ;; esac
  done
  local IFS=,; echo "${out[*]}"
}
TLS_DIR="$STATE_DIR/tls"
CREDENTIALS="$STATE_DIR/credentials.env"
CLIENT_ENV="$STATE_DIR/client.env"
SCRAM_USERS="${KAFKA_SCRAM_USERS:-}"
START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
# Same defaults as bin/kafka-run-class.sh (Kafka 4.3) plus headless.
JVM_PERF_OPTS="${KAFKA_JVM_PERFORMANCE_OPTS:--server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true}"
EXTRA_OPTS="${KAFKA_OPTS:-}"
MVN="${MVN:-mvn}"
if [[ -n "${JAVA_HOME:-}" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA="java"; fi

die() { echo "kafka-local: $*" >&2; exit 1; }
log() { echo "kafka-local: $*" >&2; }

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (set JAVA_HOME)"
  local v
  v="$("$JAVA" -version 2>&1 | sed -n -E 's/.* version "([0-9]+).*/\1/p' | head -n1)"
  [[ "$v" =~ ^[0-9]+$ && "$v" -ge 17 ]] || die "Kafka 4.x needs Java 17+, found '${v:-unknown}'"
}

# TCP connect test without extra tools (bash /dev/tcp); `timeout` guards against a hanging connect.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" >/dev/null 2>&1; }

is_running() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(<"$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # guard against PID reuse: the process must be our broker (cmdline is NUL-separated, hence -a)
  grep -qa 'kafka\.Kafka' "/proc/$pid/cmdline" 2>/dev/null
}

# Run a Kafka main class on the fetched classpath (short-lived tools: StorageTool, ConfigCommand, ...).
run_tool() {
  # short-lived: the C1 compiler alone and the serial collector start faster on a busy machine
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.configurationFile="$HERE/log4j2-tools.xml" -cp "$LIB_DIR/*" "$@"
}

cmd_fetch() {
  if [[ -f "$LIB_DIR/.complete" ]]; then
    log "jars for Kafka $KAFKA_VERSION cached in $LIB_DIR"
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 || die "mvn not found"
  local tmp="$LIB_DIR.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp"
  local args=(-q -B -f "$HERE/pom.xml" "-Dkafka.version=$KAFKA_VERSION")
  [[ "$WITH_TOOLS" == 1 ]] && args+=(-Ptools)
  # shellcheck disable=SC2206  # KAFKA_MVN_ARGS is meant to be word-split
  [[ -n "${KAFKA_MVN_ARGS:-}" ]] && args+=(${KAFKA_MVN_ARGS})
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central into $LIB_DIR ..."
  if ! "$MVN" "${args[@]}" dependency:copy-dependencies "-DoutputDirectory=$tmp"; then
    rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed (is Maven Central reachable? proxy/settings.xml?)"
  fi
  # Fail early on the jars that are easy to lose when running Kafka from raw Maven artifacts.
  local j
  for j in "kafka_2.13-$KAFKA_VERSION" "kafka-clients-$KAFKA_VERSION" "kafka-server-$KAFKA_VERSION" \
           "kafka-metadata-$KAFKA_VERSION" "kafka-raft-$KAFKA_VERSION" scala-library- \
           slf4j-api-1.7 log4j-slf4j-impl- log4j-core- log4j-api-; do
    compgen -G "$tmp/${j}*.jar" >/dev/null || { rm -rf "$tmp"; die "fetch: no ${j}*.jar in the download"; }
  done
  if compgen -G "$tmp/slf4j-api-2.*.jar" >/dev/null || compgen -G "$tmp/log4j-slf4j2-impl-*.jar" >/dev/null; then
    rm -rf "$tmp"; die "fetch: SLF4J 2.x artifacts on the classpath; Kafka 4.x needs slf4j-api 1.7.x + log4j-slf4j-impl"
  fi
  rm -rf "$LIB_DIR"; mkdir -p "$(dirname "$LIB_DIR")"; mv "$tmp" "$LIB_DIR"
  date -u +%FT%TZ >"$LIB_DIR/.complete"
  log "fetched $(find "$LIB_DIR" -name '*.jar' | wc -l) jars"
}

random_password() { head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32; }

# The install's broker and admin passwords, made once and kept with the data they protect.
ensure_credentials() {
  mkdir -p "$STATE_DIR"; chmod 700 "$STATE_DIR"
  if [[ ! -s "$CREDENTIALS" ]]; then
    (umask 077; printf 'BROKER_PASSWORD=%s\nADMIN_PASSWORD=%s\n' "$(random_password)" "$(random_password)" >"$CREDENTIALS")
  fi
  # shellcheck disable=SC1090
  . "$CREDENTIALS"
  [[ ${#BROKER_PASSWORD} -ge 24 && ${#ADMIN_PASSWORD} -ge 24 ]] || die "$CREDENTIALS is damaged; run '$0 reset'"
}

# A local CA and the broker's certificate (names: $HOST, localhost), made once.
ensure_tls() {
  [[ -s "$TLS_DIR/server-keystore.pem" && -s "$TLS_DIR/ca.pem" ]] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl is needed to make the local CA"
  mkdir -p "$TLS_DIR"; chmod 700 "$TLS_DIR"
  (
    cd "$TLS_DIR"; umask 077
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 825 -subj "/CN=Tuoguan local CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=$HOST" 2>/dev/null
    printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n' \
      "$HOST" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.crt -days 825 \
      -extfile server.ext 2>/dev/null
    cat server.key server.crt ca.pem >server-keystore.pem
    rm -f server.csr server.ext
    chmod 644 ca.pem
  ) || die "could not make the local CA and broker certificate"
  log "made a local CA: $TLS_DIR/ca.pem"
}

# The configuration of the selected node; the admin's client.env names every node.
write_config() {
  mkdir -p "$NODE_DIR" "$DATA_DIR" "$LOG_DIR"
  local plain="org.apache.kafka.common.security.plain.PlainLoginModule required username=\"broker\" password=\"$BROKER_PASSWORD\" user_broker=\"$BROKER_PASSWORD\";"
  (
    umask 077
    {
      cat "$HERE/server.properties"
      if ((BROKERS > 1)); then echo; cat "$HERE/server-cluster.properties"; fi
      echo
      echo "# ---- appended by kafka-local.sh; last occurrence of a key wins ----"
      echo "node.id=$NODE"
      echo "log.dirs=$DATA_DIR"
      echo "listeners=CLIENT://$HOST:$PORT,TLS://$HOST:$TLS_PORT,INTERNAL://$HOST:$INTERNAL_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT"
      echo "controller.quorum.bootstrap.servers=$(all_ports controller)"
      echo "listener.name.controller.plain.sasl.jaas.config=$plain"
      echo "listener.name.internal.plain.sasl.jaas.config=$plain"
      echo "listener.name.tls.ssl.keystore.location=$TLS_DIR/server-keystore.pem"
      echo "super.users=User:broker;User:admin"
    } >"$RUN_CONFIG.tmp"
  )
  mv "$RUN_CONFIG.tmp" "$RUN_CONFIG"
  select_node "$NODE"  # all_ports moved the selection
}

write_client_env() {
  (
    umask 077
    printf '%s\n' "KAFKA_BOOTSTRAP_SERVERS=$(all_ports client)" "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT" \
      "KAFKA_ADMIN_USERNAME=admin" "KAFKA_ADMIN_PASSWORD=$ADMIN_PASSWORD" \
      "KAFKA_TLS_BOOTSTRAP_SERVERS=$(all_ports tls)" "KAFKA_SSL_CAFILE=$TLS_DIR/ca.pem" >"$CLIENT_ENV"
  )
}

# A Kafka Uuid (22 base64url characters, not starting with '-'), for directory ids.
random_kafka_uuid() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { echo "$id"; return; }
  done
}

cluster_id() {
  local cid=""
  [[ -s "$CLUSTER_ID_FILE" ]] && cid="$(<"$CLUSTER_ID_FILE")"
  if [[ -z "$cid" ]]; then
    # What Kafka's `StorageTool random-uuid` makes (22 base64url characters, never a leading '-'),
    # without a JVM start.
    cid="$(random_kafka_uuid)"
    [[ "$cid" =~ ^[A-Za-z0-9_][A-Za-z0-9_-]{21}$ ]] || die "could not generate a cluster id (got '$cid')"
    echo "$cid" >"$CLUSTER_ID_FILE"
  fi
  echo "$cid"
}

# Format the selected node's metadata/log directory once. A single node uses `format --standalone` (KIP-853
# dynamic quorum), which writes this node's controller endpoint (host:port) into the bootstrap voter set, so
# changing KAFKA_HOST/KAFKA_CONTROLLER_PORT later needs `reset`. (UNSURE whether KRaft would auto-update the
# endpoint of a single voter; not relied on.) A cluster's nodes are formatted with the same
# `--initial-controllers` (every voter's id, endpoint and directory id), so the quorum starts with all of them.
cmd_format() {
  local want="$KAFKA_VERSION $HOST:$CONTROLLER_PORT"
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    if [[ -f "$FORMAT_STAMP" && "$(<"$FORMAT_STAMP")" != "$want" ]]; then
      log "WARNING: storage was formatted with '$(<"$FORMAT_STAMP")', now '$want'; run '$0 reset' if startup fails"
    fi
    return 0
  fi
  local cid="$1" quorum="$2"
  local scram=(--add-scram "SCRAM-SHA-512=[name=admin,password=$ADMIN_PASSWORD]") up
  for up in $SCRAM_USERS; do
    [[ "$up" == *:* ]] || die "KAFKA_SCRAM_USERS entry '$up' is not user:password"
    scram+=(--add-scram "SCRAM-SHA-512=[name=${up%%:*},password=${up#*:}]")
  done
  log "formatting $DATA_DIR (cluster id $cid)"
  run_tool kafka.tools.StorageTool format --config "$RUN_CONFIG" --cluster-id "$cid" $quorum \
    "${scram[@]}" >"$LOG_DIR/format.out" 2>&1 \
    || { cat "$LOG_DIR/format.out" >&2; die "kafka-storage format failed"; }
  echo "$want" >"$FORMAT_STAMP"
}

# Format every node that is not formatted yet (a cluster's in parallel: each is a JVM start).
format_all() {
  local cid quorum="--standalone" i voters=() pids=()
  cid="$(cluster_id)"
  if ((BROKERS > 1)); then
    for i in $NODES; do
      select_node "$i"
      [[ -s "$NODE_DIR/directory.id" ]] || random_kafka_uuid >"$NODE_DIR/directory.id"
      voters+=("$i@$HOST:$CONTROLLER_PORT:$(<"$NODE_DIR/directory.id")")
    done
    quorum="--initial-controllers $(IFS=,; echo "${voters[*]}")"
  fi
  for i in $NODES; do
    select_node "$i"
    cmd_format "$cid" "$quorum" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || die "formatting failed"; done
}

# The selected node's logs.
show_node_logs() {
  local f
  for f in "$LOG_DIR/server.log" "$LOG_DIR/kafka.out"; do  # kafka.out (warnings, a fatal error) last
    [[ -f "$f" ]] && { echo "----- tail $f -----" >&2; tail -n "${1:-40}" "$f" >&2; }
  done
  return 0
}

show_logs() {
  local i
  for i in $NODES; do select_node "$i"; show_node_logs "$@"; done
}

# Launch the selected node's JVM in the background.
launch_node() {
  log "starting Kafka $KAFKA_VERSION node $NODE on $HOST:$PORT (logs: $LOG_DIR)"
  # shellcheck disable=SC2086  # the *_OPTS variables are meant to be word-split, as in kafka-run-class.sh
  nohup "$JAVA" $HEAP_OPTS $JVM_PERF_OPTS \
    "-Xlog:gc*:file=$LOG_DIR/kafkaServer-gc.log:time,tags:filecount=3,filesize=20M" \
    "-Dkafka.logs.dir=$LOG_DIR" \
    "-Dlog4j2.configurationFile=$HERE/log4j2.xml" \
    $EXTRA_OPTS \
    -cp "$LIB_DIR/*" kafka.Kafka "$RUN_CONFIG" \
    >"$LOG_DIR/kafka.out" 2>&1 </dev/null &
  echo "$!" >"$PID_FILE"
}

# Wait until the selected node accepts clients. The broker opens its client listener only after it has
# caught up with the metadata log and been unfenced (BrokerServer.startup ->
# socketServer.enableRequestProcessing), so an accepting port == ready.
wait_node() {
  local pid; pid="$(<"$PID_FILE")"
  local deadline=$((SECONDS + START_TIMEOUT))
  until port_open "$HOST" "$PORT"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"; show_node_logs 60; die "Kafka node $NODE exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_node_logs 60; stop_node || true; die "Kafka node $NODE did not open $HOST:$PORT within ${START_TIMEOUT}s"
    fi
    sleep 0.5
  done
  port_open "$HOST" "$TLS_PORT" || { sleep 1; port_open "$HOST" "$TLS_PORT" || log "WARNING: TLS port $TLS_PORT not open yet"; }
}

prepare() {
  check_java
  cmd_fetch
  local i
  for i in $NODES; do
    select_node "$i"
    is_running && continue
    port_open "$HOST" "$PORT" && die "$HOST:$PORT is already in use by another process"
    port_open "$HOST" "$CONTROLLER_PORT" && die "$HOST:$CONTROLLER_PORT is already in use by another process"
    if [[ -f "$DATA_DIR/meta.properties" && ! -s "$CREDENTIALS" ]]; then
      die "$DATA_DIR was formatted by an older kafka-local.sh, without authentication; run '$0 reset' (local data is lost)"
    fi
  done
  if ((BROKERS > 1)) && [[ -f "$STATE_DIR/data/meta.properties" ]]; then
    die "$STATE_DIR holds a single broker's data; use another KAFKA_LOCAL_STATE for a cluster, or '$0 reset'"
  fi
  ensure_credentials
  ensure_tls
  echo "$BROKERS" >"$STATE_DIR/brokers"
  for i in $NODES; do select_node "$i"; write_config; done
  write_client_env
  format_all
}

cmd_start() {
  local i started=()
  for i in $NODES; do select_node "$i"; is_running || started+=("$i"); done
  if ((${#started[@]} == 0)); then log "already running (pid $(<"$PID_FILE"))"; return 0; fi
  prepare
  # A cluster's nodes start together: none is ready before a majority of the controllers is up.
  for i in "${started[@]}"; do select_node "$i"; launch_node; done
  for i in "${started[@]}"; do select_node "$i"; wait_node; done
  log "Kafka is up: bootstrap.servers=$(all_ports client) (SASL/SCRAM), $(all_ports tls) (SASL_SSL); admin credentials in $CLIENT_ENV"
}

node_arg() {
  [[ "${1:-}" =~ ^[1-9]$ ]] && (($1 <= BROKERS)) || die "usage: $0 {start-node|stop-node|kill-node} N (1..$BROKERS)"
  select_node "$1"
}

cmd_start_node() {
  node_arg "$1"
  if is_running; then log "node $NODE already running (pid $(<"$PID_FILE"))"; return 0; fi
  check_java
  port_open "$HOST" "$PORT" && die "$HOST:$PORT is already in use by another process"
  [[ -f "$DATA_DIR/meta.properties" ]] || die "node $NODE was never formatted; run '$0 start'"
  launch_node
  wait_node
  log "node $NODE is up on $HOST:$PORT (pid $(<"$PID_FILE"))"
}

# SIGKILL: no controlled shutdown, as when a machine dies; its partitions' leaders move once the
# controller stops hearing from it (broker.session.timeout.ms).
cmd_kill_node() {
  node_arg "$1"
  if ! is_running; then rm -f "$PID_FILE"; log "node $NODE not running"; return 0; fi
  local pid; pid="$(<"$PID_FILE")"
  kill -KILL "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  rm -f "$PID_FILE"
  log "node $NODE killed (pid $pid)"
}

# SIGTERM (controlled shutdown), SIGKILL after KAFKA_STOP_TIMEOUT seconds; the selected node.
stop_node() {
  if ! is_running; then rm -f "$PID_FILE"; return 1; fi
  local pid; pid="$(<"$PID_FILE")"
  log "stopping node $NODE, pid $pid"
  kill -TERM "$pid" 2>/dev/null || true     # shutdown hook -> controlled shutdown
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL (next start will run log recovery)"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
}

cmd_stop_node() { node_arg "$1"; stop_node || log "node $NODE not running"; }

# Every node at once: a cluster's last nodes would otherwise wait for a quorum that has gone.
cmd_stop() {
  local i pids=() any=0
  for i in $NODES; do
    select_node "$i"
    is_running || { rm -f "$PID_FILE"; continue; }
    any=1
    stop_node &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || true; done
  ((any)) || log "not running"
  return 0
}

# The node id of the active KRaft controller (the quorum's leader), as the running voters last recorded it
# in <node>/data/__cluster_metadata-0/quorum-state (the highest epoch wins). The Admin API's
# DescribeCluster cannot tell: in KRaft a broker answers it with a random live broker (KIP-919).
cmd_controller() {
  local i state epoch best=-1 leader=""
  for i in $NODES; do
    select_node "$i"
    is_running || continue
    state="$DATA_DIR/__cluster_metadata-0/quorum-state"
    [[ -s "$state" ]] || continue
    epoch="$(sed -n -E 's/.*"leaderEpoch":(-?[0-9]+).*/\1/p' "$state")"
    if [[ -n "$epoch" ]] && ((epoch > best)); then
      best="$epoch"; leader="$(sed -n -E 's/.*"leaderId":(-?[0-9]+).*/\1/p' "$state")"
    fi
  done
  [[ -n "$leader" && "$leader" != -1 ]] || die "no running node knows the controller"
  echo "$leader"
}

cmd_status() {
  local i up=0 open=0
  for i in $NODES; do
    select_node "$i"
    if is_running; then
      up=$((up + 1))
      port_open "$HOST" "$PORT" && open=$((open + 1))
    fi
  done
  if ((up == 0)); then echo "stopped"; return 3; fi
  if ((BROKERS == 1)); then
    if ((open == 1)); then echo "running pid=$(<"$PID_FILE") bootstrap=$HOST:$PORT"; return 0; fi
    echo "process up (pid $(<"$PID_FILE")) but $HOST:$PORT is not accepting connections"; return 1
  fi
  if ((open == BROKERS)); then echo "running brokers=$BROKERS bootstrap=$(all_ports client)"; return 0; fi
  echo "$open of $BROKERS nodes accepting connections ($up processes up)"; return 1
}

cmd_reset() {
  cmd_stop
  local i
  for i in $NODES; do
    select_node "$i"
    rm -rf "$DATA_DIR" "$LOG_DIR" "$FORMAT_STAMP" "$RUN_CONFIG"
    ((BROKERS == 1)) || rm -rf "$NODE_DIR"
  done
  rm -rf "$CLUSTER_ID_FILE" "$CREDENTIALS" "$CLIENT_ENV" "$TLS_DIR" "$STATE_DIR/brokers"
  log "state under $STATE_DIR removed (jar cache kept: $LIB_DIR)"
}

# A throwaway broker or cluster of a test's own: SIGKILL every node (nothing to shut down cleanly
# for), then delete the state as `reset` does.
cmd_discard() {
  local i
  for i in $NODES; do
    select_node "$i"
    is_running && kill -KILL "$(<"$PID_FILE")" 2>/dev/null
    rm -f "$PID_FILE"
  done
  STOP_TIMEOUT=0 cmd_reset
}

case "${1:-}" in
  fetch)   cmd_fetch ;;
  start)   cmd_start ;;
  stop)    cmd_stop ;;
  status)  cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  reset)   cmd_reset ;;
  discard) cmd_discard ;;
  logs)    show_logs "${2:-100}" ;;
  start-node) cmd_start_node "${2:-}" ;;
  stop-node)  cmd_stop_node "${2:-}" ;;
  kill-node)  cmd_kill_node "${2:-}" ;;
  controller) cmd_controller ;;
  tool)    shift; [[ $# -ge 1 ]] || die "usage: $0 tool <main-class> [args...]"; cmd_fetch; run_tool "$@" ;;
  *)       echo "usage: $0 {fetch|start|stop|status|restart|reset|discard|logs [n]|start-node N|stop-node N|kill-node N|controller|tool <main-class> [args...]}" >&2; exit 2 ;;
esac
