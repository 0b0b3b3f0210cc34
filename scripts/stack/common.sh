# shellcheck shell=bash disable=SC2034 # variables are used by the other stack files
# Shared configuration and helpers for scripts/stack.sh. Sourced, never run.

# ---------------------------------------------------------------- settings --
# Pinned versions: the docker-compose.yml images use the same ones.
readonly KAFKA_VERSION=4.4.0
readonly APICURIO_VERSION=3.3.3
# Pinned so that a fresh ~/.m2 resolves the same plugin everywhere.
readonly MVN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

STACK_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly STACK_LIB_DIR

SPINE_CACHE_DIR=${SPINE_CACHE_DIR:-$HOME/.cache/spine}
SPINE_STATE_DIR=${SPINE_STATE_DIR:-/var/tmp/spine-$(id -un)}
SPINE_KAFKA_PORT=${SPINE_KAFKA_PORT:-9092}
SPINE_KAFKA_CONTROLLER_PORT=${SPINE_KAFKA_CONTROLLER_PORT:-9093}
SPINE_REGISTRY_PORT=${SPINE_REGISTRY_PORT:-8081}
# Quarkus' management interface (health/metrics); bound to 127.0.0.1 only.
SPINE_REGISTRY_MANAGEMENT_PORT=${SPINE_REGISTRY_MANAGEMENT_PORT:-9081}
SPINE_PG_PORT=${SPINE_PG_PORT:-5432}
SPINE_PG_PASSWORD=${SPINE_PG_PASSWORD:-spine}
SPINE_STACK_TIMEOUT=${SPINE_STACK_TIMEOUT:-90}
SPINE_STOP_TIMEOUT=${SPINE_STOP_TIMEOUT:-20}

readonly PG_ROLE=spine PG_DB=spine PG_REGISTRY_DB=apicurio

# The state dir must not be relative: servers run with other working dirs.
case $SPINE_STATE_DIR in /*) ;; *) SPINE_STATE_DIR=$PWD/$SPINE_STATE_DIR ;; esac
case $SPINE_CACHE_DIR in /*) ;; *) SPINE_CACHE_DIR=$PWD/$SPINE_CACHE_DIR ;; esac

LOG_DIR=$SPINE_STATE_DIR/logs
PID_DIR=$SPINE_STATE_DIR/pids
STACK_ENV=$SPINE_STATE_DIR/stack.env
# Written into the state dir so `down --purge` never deletes a directory it
# did not create.
STATE_MARKER=$SPINE_STATE_DIR/.spine-stack

# ------------------------------------------------------------------ output --
# One line per step, prefixed with the seconds elapsed since the command began.
say() { printf '[%3ds] %s\n' "$SECONDS" "$*"; }
warn() { printf '[%3ds] WARNING: %s\n' "$SECONDS" "$*" >&2; }
die() {
  printf '[%3ds] ERROR: %s\n' "$SECONDS" "$*" >&2
  exit 1
}

# Prints the end of a log file to stderr, indented, to explain a failure.
show_log_tail() {
  local file=$1 lines=${2:-25}
  [[ -s $file ]] || return 0
  printf '       --- last %s lines of %s ---\n' "$lines" "$file" >&2
  tail -n "$lines" "$file" | sed 's/^/       | /' >&2
}

# ------------------------------------------------------------------ checks --
is_root() { [[ $(id -u) -eq 0 ]]; }

require_cmd() {
  local cmd=$1 hint=$2
  command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' not found: $hint"
}

check_port_number() {
  local name=$1 value=$2
  if [[ ! $value =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
    die "$name must be a TCP port number, got '$value'"
  fi
}

check_settings() {
  check_port_number SPINE_KAFKA_PORT "$SPINE_KAFKA_PORT"
  check_port_number SPINE_KAFKA_CONTROLLER_PORT "$SPINE_KAFKA_CONTROLLER_PORT"
  check_port_number SPINE_REGISTRY_PORT "$SPINE_REGISTRY_PORT"
  check_port_number SPINE_REGISTRY_MANAGEMENT_PORT "$SPINE_REGISTRY_MANAGEMENT_PORT"
  check_port_number SPINE_PG_PORT "$SPINE_PG_PORT"
  [[ $SPINE_STACK_TIMEOUT =~ ^[0-9]+$ ]] || die "SPINE_STACK_TIMEOUT must be a number of seconds"
  [[ $SPINE_STOP_TIMEOUT =~ ^[0-9]+$ ]] || die "SPINE_STOP_TIMEOUT must be a number of seconds"
}

# True when something accepts TCP connections on 127.0.0.1:port. Uses bash's
# /dev/tcp so no netcat is needed; the subshell closes the socket again.
port_open() {
  timeout 2 bash -c ": </dev/tcp/127.0.0.1/$1" >/dev/null 2>&1
}

# Describes who listens on a port (for error messages); empty if unknown.
port_owner() {
  command -v ss >/dev/null 2>&1 || return 0
  ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 (pid \2)/p' | head -n 1
}

# Fails with a useful message when a port we are about to bind is taken.
ensure_port_free() {
  local what=$1 port=$2 var=$3 owner
  port_open "$port" || return 0
  owner=$(port_owner "$port")
  die "$what: port $port is already in use${owner:+ by $owner}; stop it or choose another port with $var=<port>"
}

# ------------------------------------------------------------- state files --
make_state_dirs() {
  mkdir -p "$SPINE_STATE_DIR" "$LOG_DIR" "$PID_DIR" "$SPINE_CACHE_DIR"
  # Other users (postgres) must be able to traverse the state dir.
  chmod 755 "$SPINE_STATE_DIR"
  [[ -e $STATE_MARKER ]] || echo "state dir of scripts/stack.sh; safe to delete when the stack is down" >"$STATE_MARKER"
}

# Serialises concurrent stack.sh invocations on the same state dir. fd 9 is
# closed again in the servers we spawn (see spawn), so they never hold it.
take_lock() {
  mkdir -p "$SPINE_STATE_DIR"
  exec 9>"$SPINE_STATE_DIR/.lock"
  flock -w 300 9 || die "another stack.sh is still running on $SPINE_STATE_DIR (lock $SPINE_STATE_DIR/.lock)"
}

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }
port_file() { printf '%s/%s.port' "$PID_DIR" "$1"; }

# Port a running component was started with (falls back to the setting).
recorded_port() {
  local name=$1 default=$2 file
  file=$(port_file "$name")
  if [[ -s $file ]]; then cat "$file"; else echo "$default"; fi
}

# Prints the pid of a component started by us if it is still alive. The
# command line must contain a marker, so a recycled pid is never mistaken
# for (and never signalled as) one of our servers.
running_pid() {
  local name=$1 marker=$2 file pid
  file=$(pid_file "$name")
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# Keeps the previous run's log as <log>.1 so each run's log starts empty and
# health checks only look at the current run.
rotate_log() {
  local log=$1
  [[ -e $log ]] && mv -f "$log" "$log.1"
  : >"$log"
}

# ---------------------------------------------------------------- process --
# Script for `bash -c`: closes every inherited file descriptor above 2, then
# execs "$@". A CI runner waiting for a pipe (or our lock fd) to close would
# otherwise hang until the server dies.
# shellcheck disable=SC2016 # expanded by the child bash, not here
readonly CLOSE_FDS_AND_EXEC='
  for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    if [ "$fd" -gt 2 ] 2>/dev/null; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
  exec "$@"'

# Set once `up` has started a server (for the hint after a failed `up`).
STARTED_SOMETHING=false

# Starts a server in its own session (setsid), detached from the caller:
# stdin from /dev/null, stdout/stderr appended to a log file, no other
# inherited descriptors. The pid is written by the child itself right before
# it execs the server, which is correct whether or not setsid had to fork.
spawn() {
  local name=$1 log=$2 workdir=$3
  shift 3
  local pidf i
  pidf=$(pid_file "$name")
  rm -f "$pidf"
  STARTED_SOMETHING=true
  (
    cd "$workdir" || exit 1
    # shellcheck disable=SC2016 # expanded by the child bash
    exec setsid bash -c 'echo $$ >"$1"; shift; '"$CLOSE_FDS_AND_EXEC" \
      spawn "$pidf" "$@" </dev/null >>"$log" 2>&1
  ) &
  for ((i = 0; i < 50; i++)); do
    [[ -s $pidf ]] && return 0
    sleep 0.1
  done
  die "$name: could not start (no pid file $pidf); see $log"
}

# Stops a process and its session: first the graceful signal, then, after
# SPINE_STOP_TIMEOUT seconds, SIGKILL to the whole process group.
stop_process() {
  local name=$1 pid=$2 signal=${3:-TERM} i
  say "$name: stopping pid $pid (SIG$signal)"
  kill -s "$signal" "$pid" 2>/dev/null || true
  for ((i = 0; i < SPINE_STOP_TIMEOUT * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || {
      say "$name: stopped"
      return 0
    }
    sleep 0.2
  done
  warn "$name: still running after ${SPINE_STOP_TIMEOUT}s, sending SIGKILL"
  kill -s KILL -- "-$pid" 2>/dev/null || kill -s KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

# Polls a health check until it passes. Fails early if the process died,
# and after SPINE_STACK_TIMEOUT seconds, naming the log and showing its end.
# Prints a dot every 2 s so slow starts visibly progress.
wait_healthy() {
  local name=$1 pid=$2 log=$3 check=$4 start=$SECONDS dots=0
  while ! "$check"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      ((dots)) && echo
      show_log_tail "$log"
      die "$name exited during startup; see $log"
    fi
    if ((SECONDS - start >= SPINE_STACK_TIMEOUT)); then
      ((dots)) && echo
      show_log_tail "$log"
      die "$name not healthy after ${SPINE_STACK_TIMEOUT}s (raise SPINE_STACK_TIMEOUT if the machine is just slow); see $log"
    fi
    if (((SECONDS - start) / 2 > dots)); then
      ((dots == 0)) && printf '[%3ds] %s: waiting ' "$SECONDS" "$name"
      printf '.'
      dots=$((dots + 1))
    fi
    sleep 0.5
  done
  ((dots)) && echo
  say "$name: healthy after $((SECONDS - start))s"
}

# Runs a slow command (downloads) with its output in a log file, printing a
# progress line every 10 s; on failure shows the end of that log.
run_logged() {
  local label=$1 log=$2
  shift 2
  local start=$SECONDS last=$SECONDS pid rc=0
  "$@" </dev/null >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS - last >= 10)); then
      say "$label: still working ($((SECONDS - start))s, log: $log)"
      last=$SECONDS
    fi
  done
  wait "$pid" || rc=$?
  if ((rc != 0)); then
    show_log_tail "$log" 30
    return "$rc"
  fi
}

# Resident memory of one process in MB (0 if gone).
rss_mb() {
  local kb
  kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null) || kb=0
  echo $(((${kb:-0} + 512) / 1024))
}

# ------------------------------------------------------------------- java --
# Major version of a java binary, e.g. 17 for "17.0.15" and 8 for "1.8.0".
java_major() {
  local v
  v=$("$1" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  v=${v#1.}
  v=${v%%[!0-9]*}
  echo "${v:-0}"
}

# Accepts either a java binary or a JDK/JRE home directory.
java_bin_of() {
  if [[ -d $1 ]]; then echo "$1/bin/java"; else echo "$1"; fi
}

# Finds a java >= min. An explicitly configured one (override variable) must
# fit or we fail; otherwise JAVA_HOME, the java on PATH, then the newest
# under /usr/lib/jvm.
find_java() {
  local min=$1 override_var=$2 hint=$3 explicit candidate best='' best_v=0 v
  explicit=${!override_var:-}
  if [[ -n $explicit ]]; then
    candidate=$(java_bin_of "$explicit")
    [[ -x $candidate ]] || die "$override_var=$explicit is not a java binary or JDK directory"
    v=$(java_major "$candidate")
    ((v >= min)) || die "$override_var=$explicit is Java $v, need >= $min"
    echo "$candidate"
    return 0
  fi
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} "$(command -v java || true)"; do
    [[ -n $candidate && -x $candidate ]] || continue
    v=$(java_major "$candidate")
    if ((v >= min)); then
      echo "$candidate"
      return 0
    fi
  done
  for candidate in /usr/lib/jvm/*/bin/java; do
    [[ -x $candidate && ! -L ${candidate%/bin/java} ]] || continue
    v=$(java_major "$candidate")
    if ((v >= min && v > best_v)); then
      best=$candidate
      best_v=$v
    fi
  done
  [[ -n $best ]] || die "no JDK >= $min found (looked at \$$override_var, \$JAVA_HOME, PATH, /usr/lib/jvm/*): $hint"
  echo "$best"
}

# ----------------------------------------------------------------- maven --
require_mvn() {
  require_cmd mvn "install Maven (apt-get install -y maven) or put mvn on PATH; it fetches the jars from Maven Central"
}
