#!/usr/bin/env bash
# Local Spine infrastructure without Docker: Apache Kafka (KRaft, single
# node), Apicurio Registry (Confluent-compatible schema registry API) and
# PostgreSQL, fetched from Maven Central / the distribution and run as plain
# background processes. docker-compose.yml at the repository root runs the
# same stack from the official images, on the same ports.
#
# Usage:
#   bash scripts/stack.sh up              start what is not running, wait until healthy
#   bash scripts/stack.sh down [--purge]  stop what `up` started; --purge also deletes
#                                         the state dir (all data)
#   bash scripts/stack.sh status          up/down, pid, port and RSS of each component
#   bash scripts/stack.sh logs [kafka|registry|postgres] [-f]
#                                         last lines of the log(s); -f follows them
#   bash scripts/stack.sh env             print stack.env (see below)
#
# `up` is idempotent: running components are only reported and health-checked.
# It writes $SPINE_STATE_DIR/stack.env, plain KEY=value lines for other scripts
# (`set -a; . "$file"; set +a`), dotenv loaders and `node --env-file`:
#   KAFKA_BROKERS=127.0.0.1:9092
#   SCHEMA_REGISTRY_URL=http://127.0.0.1:8081/apis/ccompat/v7
#   DATABASE_URL=postgresql://spine:spine@127.0.0.1:5432/spine
#
# Environment (defaults in brackets):
#   SPINE_KAFKA_PORT [9092]  SPINE_KAFKA_CONTROLLER_PORT [9093]
#   SPINE_REGISTRY_PORT [8081]  SPINE_REGISTRY_MANAGEMENT_PORT [9081]
#   SPINE_PG_PORT [5432]  SPINE_PG_PASSWORD [spine]
#   SPINE_CACHE_DIR [$HOME/.cache/spine]      downloads, kept across purges
#   SPINE_STATE_DIR [/var/tmp/spine-$(id -un)] data, logs/, pids/, stack.env;
#       outside $HOME because PostgreSQL runs as user "postgres" when we are
#       root and must be able to reach its data dir
#   SPINE_STACK_TIMEOUT [90]  seconds each component may take to become healthy
#   SPINE_STOP_TIMEOUT [20]   seconds before a stopping server gets SIGKILL
#   SPINE_KAFKA_JAVA          java (binary or JDK dir) for Kafka, Java >= 17
#   SPINE_REGISTRY_JAVA       java for the registry, Java >= 21 (else the
#                             newest JDK >= 21 under /usr/lib/jvm is used)
#   SPINE_KAFKA_JAVA_OPTS, SPINE_REGISTRY_JAVA_OPTS   extra JVM options
#   DATABASE_URL              if set, that PostgreSQL is reused and none is started
#
# Notes:
# - PostgreSQL: if a server on SPINE_PG_PORT already accepts
#   spine:<SPINE_PG_PASSWORD>@127.0.0.1/spine it is reused. `down` only stops
#   what `up` started (pid files in $SPINE_STATE_DIR/pids).
# - The registry keeps its data in the database "apicurio" of that PostgreSQL
#   (or in an H2 file in the state dir if it cannot have one). Its schema ids
#   are Apicurio content ids: like Confluent's, one id per distinct schema.
# - Kafka: auto.create.topics.enable=false, so topics must be created.
# - Servers run detached (setsid, stdin /dev/null, output to
#   $SPINE_STATE_DIR/logs/*.log), so CI steps calling `up` never hang on them.
# - Requires bash, curl, flock, mvn (first run only), a JDK 17+ and a JDK 21+,
#   and the PostgreSQL server (installed with apt-get when missing and root).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

STACK_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=stack/common.sh
. "$STACK_SCRIPT_DIR/stack/common.sh"
# shellcheck source=stack/postgres.sh
. "$STACK_SCRIPT_DIR/stack/postgres.sh"
# shellcheck source=stack/kafka.sh
. "$STACK_SCRIPT_DIR/stack/kafka.sh"
# shellcheck source=stack/registry.sh
. "$STACK_SCRIPT_DIR/stack/registry.sh"

readonly COMPONENTS=(postgres kafka registry)

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

write_stack_env() {
  local tmp=$STACK_ENV.tmp
  # Exactly KEY=value lines, no comments or quotes: readable by `set -a; .`,
  # dotenv, `node --env-file` and `export $(cat file)` alike.
  cat >"$tmp" <<EOF
KAFKA_BROKERS=127.0.0.1:$(recorded_port kafka "$SPINE_KAFKA_PORT")
SCHEMA_REGISTRY_URL=$(registry_url)
DATABASE_URL=$DATABASE_URL_EFFECTIVE
EOF
  mv -f "$tmp" "$STACK_ENV"
}

# After a failed `up` that already started something, says what is left
# running instead of silently leaving half a stack behind.
up_failed_hint() {
  local rc=$?
  if ((rc != 0)) && $STARTED_SOMETHING; then
    echo "       components that did start keep running: 'bash scripts/stack.sh status' shows them, 'bash scripts/stack.sh down' stops them" >&2
  fi
  return "$rc"
}

# Port problems are found before anything starts: the ports of the
# components that are not running yet must be distinct and free.
preflight_ports() {
  local -A seen=()
  local var
  for var in SPINE_PG_PORT SPINE_KAFKA_PORT SPINE_KAFKA_CONTROLLER_PORT SPINE_REGISTRY_PORT SPINE_REGISTRY_MANAGEMENT_PORT; do
    [[ -z ${seen[${!var}]:-} ]] || die "$var and ${seen[${!var}]} are both ${!var}; each component needs its own port"
    seen[${!var}]=$var
  done
  if ! kafka_pid >/dev/null; then
    ensure_port_free kafka "$SPINE_KAFKA_PORT" SPINE_KAFKA_PORT
    ensure_port_free "kafka controller" "$SPINE_KAFKA_CONTROLLER_PORT" SPINE_KAFKA_CONTROLLER_PORT
  fi
  if ! registry_pid >/dev/null; then
    ensure_port_free registry "$SPINE_REGISTRY_PORT" SPINE_REGISTRY_PORT
    ensure_port_free "registry management" "$SPINE_REGISTRY_MANAGEMENT_PORT" SPINE_REGISTRY_MANAGEMENT_PORT
  fi
}

cmd_up() {
  (($# == 0)) || die "up takes no arguments (configure it with SPINE_* variables)"
  trap up_failed_hint EXIT
  check_settings
  require_cmd curl "apt-get install -y curl"
  require_cmd flock "apt-get install -y util-linux"
  make_state_dirs
  take_lock
  say "stack: state in $SPINE_STATE_DIR, downloads cached in $SPINE_CACHE_DIR"
  preflight_ports

  # Everything that can fail without side effects comes first.
  local kafka_java registry_java
  kafka_java=$(find_java 17 SPINE_KAFKA_JAVA "Kafka $KAFKA_VERSION needs Java >= 17; apt-get install -y openjdk-17-jre-headless or set SPINE_KAFKA_JAVA")
  registry_java=$(registry_find_java)
  pg_ensure_installed
  kafka_fetch
  registry_fetch

  # PostgreSQL first: the registry stores its data there. Kafka and the
  # registry then boot concurrently, and we wait for both.
  DATABASE_URL_EFFECTIVE=''
  postgres_up
  kafka_start "$kafka_java"
  registry_start "$registry_java" "$REGISTRY_JDBC" "$REGISTRY_DB_USER" "$REGISTRY_DB_PASSWORD"
  kafka_wait
  registry_wait

  write_stack_env
  say "stack: up; environment in $STACK_ENV:"
  sed 's/^/         /' "$STACK_ENV"
}

cmd_down() {
  local purge=false arg
  for arg in "$@"; do
    case $arg in
      --purge) purge=true ;;
      *) die "down: unknown option '$arg' (only --purge)" ;;
    esac
  done
  if [[ ! -d $SPINE_STATE_DIR ]]; then
    say "stack: nothing to stop ($SPINE_STATE_DIR does not exist)"
    return 0
  fi
  take_lock
  # Reverse start order: the registry needs PostgreSQL until it is stopped.
  registry_stop
  kafka_stop
  postgres_stop
  rm -f "$STACK_ENV"
  if $purge; then
    [[ -e $STATE_MARKER ]] ||
      die "down --purge: $SPINE_STATE_DIR has no $(basename "$STATE_MARKER") marker, refusing to delete it"
    rm -rf -- "$SPINE_STATE_DIR"
    say "stack: purged $SPINE_STATE_DIR (downloads in $SPINE_CACHE_DIR are kept)"
  else
    say "stack: down (data kept in $SPINE_STATE_DIR; 'down --purge' deletes it)"
  fi
}

# Memory of PostgreSQL: the postmaster and its backends share their buffers,
# so summing RSS would count shared memory many times; PSS splits it fairly.
pg_memory_mb() {
  local pid=$1 pids kb=0 p v
  pids=("$pid")
  mapfile -t -O 1 pids < <(ps -o pid= --ppid "$pid" 2>/dev/null | tr -d ' ')
  for p in "${pids[@]}"; do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
    kb=$((kb + ${v:-0}))
  done
  echo $(((kb + 512) / 1024))
}

cmd_status() {
  local name pid port state mem total=0 all_up=true
  printf '%-9s %-9s %-8s %-6s %s\n' COMPONENT STATE PID PORT RSS_MB
  for name in "${COMPONENTS[@]}"; do
    pid='-' mem='-'
    case $name in
      postgres)
        port=$(recorded_port postgres "$SPINE_PG_PORT")
        if [[ -s $PG_EXTERNAL_FILE ]]; then
          pg_parse_url "$(<"$PG_EXTERNAL_FILE")" && port=$PGURL_PORT
          if pg_url_ok "$(<"$PG_EXTERNAL_FILE")"; then state=external; else state=down; fi
        elif pid=$(pg_pid); then
          if pg_healthy; then state=up; else state=starting; fi
          mem=$(pg_memory_mb "$pid")
        else
          pid='-' state=down
        fi
        ;;
      kafka)
        port=$(recorded_port kafka "$SPINE_KAFKA_PORT")
        if pid=$(kafka_pid); then
          if kafka_healthy; then state=up; else state=starting; fi
          mem=$(rss_mb "$pid")
        else
          pid='-' state=down
        fi
        ;;
      registry)
        port=$(recorded_port registry "$SPINE_REGISTRY_PORT")
        if pid=$(registry_pid); then
          if registry_healthy; then state=up; else state=starting; fi
          mem=$(rss_mb "$pid")
        else
          pid='-' state=down
        fi
        ;;
    esac
    [[ $state == up || $state == external ]] || all_up=false
    [[ $mem == - ]] || total=$((total + mem))
    printf '%-9s %-9s %-8s %-6s %s\n' "$name" "$state" "$pid" "$port" "$mem"
  done
  printf '%-9s %-9s %-8s %-6s %s\n' total '' '' '' "$total"
  echo "(postgres memory is the PSS sum of its processes; state dir $SPINE_STATE_DIR)"
  $all_up
}

cmd_logs() {
  local follow=false names=() arg files=()
  for arg in "$@"; do
    case $arg in
      -f | --follow) follow=true ;;
      kafka | registry | postgres) names+=("$arg") ;;
      *) die "logs: unknown argument '$arg' (kafka|registry|postgres, -f)" ;;
    esac
  done
  ((${#names[@]})) || names=("${COMPONENTS[@]}")
  for arg in "${names[@]}"; do
    [[ -e $LOG_DIR/$arg.log ]] && files+=("$LOG_DIR/$arg.log")
  done
  ((${#files[@]})) || die "no logs yet in $LOG_DIR (run 'stack.sh up' first)"
  if $follow; then
    exec tail -n "${SPINE_LOG_LINES:-50}" -F "${files[@]}"
  fi
  tail -n "${SPINE_LOG_LINES:-50}" "${files[@]}"
}

cmd_env() {
  [[ -s $STACK_ENV ]] || die "$STACK_ENV does not exist: the stack is not up (run 'bash scripts/stack.sh up')"
  cat "$STACK_ENV"
}

main() {
  local command_name=${1:-help}
  (($#)) && shift
  case $command_name in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status "$@" ;;
    logs) cmd_logs "$@" ;;
    env) cmd_env "$@" ;;
    help | -h | --help) usage ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
