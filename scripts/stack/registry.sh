# shellcheck shell=bash disable=SC2034 # variables are used by the other stack files
# Schema registry: Apicurio Registry (Quarkus fast-jar from Maven Central),
# serving the Confluent-compatible API under /apis/ccompat/v7, storing its
# data in the stack's PostgreSQL (database "apicurio"). Sourced by stack.sh.

REGISTRY_HOME=$SPINE_CACHE_DIR/apicurio-registry-$APICURIO_VERSION
REGISTRY_DIR=$SPINE_STATE_DIR/registry
REGISTRY_LOG=$LOG_DIR/registry.log
readonly REGISTRY_MARKER=quarkus-run.jar
# Apicurio 3 is compiled for Java 21 (class file 65).
readonly REGISTRY_MIN_JAVA=21

registry_pid() { running_pid registry "$REGISTRY_MARKER"; }

registry_find_java() {
  find_java "$REGISTRY_MIN_JAVA" SPINE_REGISTRY_JAVA \
    "Apicurio Registry $APICURIO_VERSION needs Java >= $REGISTRY_MIN_JAVA; install one (apt-get install -y openjdk-21-jre-headless where available, or a Temurin 21/25 JDK) or set SPINE_REGISTRY_JAVA=/path/to/jdk"
}

# Downloads and unpacks the registry once. The ~150 MB tarball is deleted
# after unpacking (Maven keeps its own copy in ~/.m2).
registry_fetch() {
  [[ -e $REGISTRY_HOME/.complete ]] && return 0
  require_mvn
  local log=$LOG_DIR/fetch-registry.log tmp=$REGISTRY_HOME.tmp tarball
  say "registry: fetching Apicurio Registry $APICURIO_VERSION (~150 MB) from Maven Central (log: $log)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  : >"$log"
  # Runs outside any project, so Maven never touches the repository.
  (cd "$tmp" && run_logged registry "$log" mvn -B -q \
    "$MVN_DEPENDENCY_PLUGIN:copy" \
    -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$tmp") ||
    die "registry: Maven could not fetch io.apicurio:apicurio-registry-app:$APICURIO_VERSION; see $log (is Maven Central reachable?)"
  tarball=$tmp/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz
  [[ -s $tarball ]] || die "registry: $tarball missing after download; see $log"
  say "registry: unpacking"
  tar -xzf "$tarball" -C "$tmp" >>"$log" 2>&1 || die "registry: could not unpack $tarball; see $log"
  rm -f "$tarball"
  # The tarball has a single top-level directory holding quarkus-run.jar.
  local jar
  jar=$(find "$tmp" -maxdepth 3 -name quarkus-run.jar -print -quit)
  [[ -n $jar ]] || die "registry: no quarkus-run.jar in the tarball; see $log"
  rm -rf "$REGISTRY_HOME"
  mv "$(dirname "$jar")" "$REGISTRY_HOME"
  rm -rf "$tmp"
  touch "$REGISTRY_HOME/.complete"
  say "registry: cached in $REGISTRY_HOME ($(du -sm "$REGISTRY_HOME" | cut -f1) MB)"
}

registry_url() {
  printf 'http://127.0.0.1:%s/apis/ccompat/v7' "$(recorded_port registry "$SPINE_REGISTRY_PORT")"
}

registry_healthy() {
  curl -fsS -o /dev/null -m 3 "$(registry_url)/subjects" 2>/dev/null
}

# Storage options: PostgreSQL when a JDBC URL is given, else an H2 database
# file in the state dir (both survive restarts; Apicurio's default H2
# in-memory store would not).
registry_storage_opts() {
  local jdbc=$1 user=$2 password=$3
  if [[ -n $jdbc ]]; then
    printf '%s\n' \
      -Dapicurio.storage.kind=sql \
      -Dapicurio.storage.sql.kind=postgresql \
      "-Dapicurio.datasource.url=$jdbc" \
      "-Dapicurio.datasource.username=$user" \
      "-Dapicurio.datasource.password=$password"
  else
    printf '%s\n' \
      -Dapicurio.storage.kind=sql \
      -Dapicurio.storage.sql.kind=h2 \
      "-Dapicurio.datasource.url=jdbc:h2:file:$REGISTRY_DIR/h2/registry;DB_CLOSE_ON_EXIT=FALSE" \
      -Dapicurio.datasource.username=sa \
      -Dapicurio.datasource.password=sa
  fi
}

# Starts the registry unless ours is already running; does not wait.
# Arguments: java binary, JDBC URL (empty for H2), db user, db password.
registry_start() {
  local java=$1 jdbc=$2 user=$3 password=$4 pid
  if pid=$(registry_pid); then
    local port
    port=$(recorded_port registry "$SPINE_REGISTRY_PORT")
    say "registry: already running (pid $pid, port $port)"
    [[ $port == "$SPINE_REGISTRY_PORT" ]] || warn "registry: running on $port, not SPINE_REGISTRY_PORT=$SPINE_REGISTRY_PORT; run 'stack.sh down' first to move it"
    return 0
  fi
  ensure_port_free registry "$SPINE_REGISTRY_PORT" SPINE_REGISTRY_PORT
  ensure_port_free "registry management" "$SPINE_REGISTRY_MANAGEMENT_PORT" SPINE_REGISTRY_MANAGEMENT_PORT
  mkdir -p "$REGISTRY_DIR/tmp"
  rotate_log "$REGISTRY_LOG"
  echo "$SPINE_REGISTRY_PORT" >"$(port_file registry)"
  local storage=()
  mapfile -t storage < <(registry_storage_opts "$jdbc" "$user" "$password")
  # - http and management interfaces on loopback only (Quarkus' management
  #   interface would otherwise listen on 0.0.0.0:9000);
  # - a small JDBC pool: the default (20..100 connections) would use most of
  #   PostgreSQL's max_connections=100 for a single-user dev registry;
  # - snapshots/imports into the state dir rather than /tmp;
  # - a log timestamp format that parses (the stock one prints "2026-11+00-22").
  # shellcheck disable=SC2086 # SPINE_REGISTRY_JAVA_OPTS is a list of options
  spawn registry "$REGISTRY_LOG" "$REGISTRY_DIR" "$java" \
    -Xms64m -Xmx384m -XX:+UseSerialGC -Djava.awt.headless=true \
    -Djava.io.tmpdir="$REGISTRY_DIR/tmp" \
    ${SPINE_REGISTRY_JAVA_OPTS:-} \
    -Dquarkus.http.host=127.0.0.1 \
    -Dquarkus.http.port="$SPINE_REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 \
    -Dquarkus.management.port="$SPINE_REGISTRY_MANAGEMENT_PORT" \
    "${storage[@]}" \
    -Dapicurio.datasource.jdbc.initial-size=2 \
    -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20 \
    -Dapicurio.storage.snapshot.location="$REGISTRY_DIR/tmp" \
    -Dapicurio.import.work-dir="$REGISTRY_DIR/tmp" \
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%c{3.}] (%t) %m%n' \
    -jar "$REGISTRY_HOME/quarkus-run.jar"
  say "registry: started pid $(<"$(pid_file registry)") on 127.0.0.1:$SPINE_REGISTRY_PORT with Java $(java_major "$java"), storage ${jdbc:-H2 file in $REGISTRY_DIR/h2} (log: $REGISTRY_LOG)"
}

registry_wait() {
  local pid
  pid=$(registry_pid) || {
    show_log_tail "$REGISTRY_LOG"
    die "registry is not running; see $REGISTRY_LOG"
  }
  registry_healthy && return 0
  wait_healthy registry "$pid" "$REGISTRY_LOG" registry_healthy
}

registry_stop() {
  local pid
  pid=$(registry_pid) || {
    say "registry: not running"
    rm -f "$(pid_file registry)" "$(port_file registry)"
    return 0
  }
  stop_process registry "$pid" TERM
  rm -f "$(pid_file registry)" "$(port_file registry)"
}
