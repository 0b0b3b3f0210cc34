# shellcheck shell=bash disable=SC2034 # variables are used by the other stack files
# PostgreSQL: a private cluster from the distribution's server binaries, or
# an already running server that is reused. Sourced by stack.sh.
#
# Decision order in postgres_up:
#   1. ours is running (pid file)                  -> report
#   2. DATABASE_URL is set (and is not just our own URL, e.g. exported from
#      stack.env)                                  -> reuse it, start nothing
#   3. something on SPINE_PG_PORT accepts spine:<password>@.../spine
#                                                  -> reuse it, start nothing
#   4. otherwise                                   -> initdb (once) + start ours
# A reused server is recorded in pids/postgres.external so status/down know
# that it is not ours to stop.

PG_DIR=$SPINE_STATE_DIR/postgres
PG_DATA=$PG_DIR/data
PG_SOCKET_DIR=$PG_DIR/run
PG_LOG=$LOG_DIR/postgres.log
PG_EXTERNAL_FILE=$PID_DIR/postgres.external
readonly PG_MARKER=postgres

# The server refuses to run as root, so as root it runs as the "postgres"
# system user; otherwise as the invoking user.
pg_os_user() {
  if is_root; then echo postgres; else id -un; fi
}

# Runs a command as the PostgreSQL OS user, from a directory that user can
# read (root's cwd is often not).
as_pg() {
  if is_root; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && "$@")
  fi
}

# Newest server installation: Debian keeps them in /usr/lib/postgresql/<v>/bin.
pg_bindir() {
  local dir best='' best_v=0 v
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/pg_ctl && -x $dir/initdb ]] || continue
    v=${dir#/usr/lib/postgresql/}
    v=${v%%/*}
    [[ $v =~ ^[0-9]+$ ]] || continue
    if ((v > best_v)); then
      best=$dir
      best_v=$v
    fi
  done
  if [[ -z $best ]] && command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
    [[ -x $dir/pg_ctl && -x $dir/initdb ]] && best=$dir
  fi
  [[ -n $best ]] && echo "$best"
}

# Installs the distribution's server when it is missing and we may do so.
pg_ensure_installed() {
  pg_bindir >/dev/null && command -v psql >/dev/null && command -v pg_isready >/dev/null && return 0
  if is_root && command -v apt-get >/dev/null 2>&1; then
    local log=$LOG_DIR/install-postgres.log
    say "postgres: server not installed; installing the Debian package (log: $log)"
    : >"$log"
    run_logged postgres "$log" apt-get update ||
      die "postgres: apt-get update failed; see $log"
    DEBIAN_FRONTEND=noninteractive run_logged postgres "$log" apt-get install -y --no-install-recommends postgresql ||
      die "postgres: apt-get install postgresql failed; see $log"
    pg_bindir >/dev/null || die "postgres: installed, but no server binaries in /usr/lib/postgresql/*/bin"
  else
    die "postgres: PostgreSQL server not found; install it (sudo apt-get install -y postgresql) or point DATABASE_URL at a running server"
  fi
}

pg_pid() { running_pid postgres "$PG_MARKER"; }

pg_own_url() {
  printf 'postgresql://%s:%s@127.0.0.1:%s/%s' "$PG_ROLE" "$(urlencode "$SPINE_PG_PASSWORD")" "$1" "$PG_DB"
}

# Percent-encodes everything but RFC 3986 unreserved characters, so any
# SPINE_PG_PASSWORD yields a valid URL.
urlencode() {
  local s=$1 out='' c i
  for ((i = 0; i < ${#s}; i++)); do
    c=${s:i:1}
    case $c in
      [A-Za-z0-9._~-]) out+=$c ;;
      *) out+=$(printf '%%%02X' "'$c") ;;
    esac
  done
  printf '%s' "$out"
}

# True when the URL accepts a login. -w: never prompt for a password.
pg_url_ok() {
  PGCONNECT_TIMEOUT=3 psql -X -q -w -d "$1" -c 'select 1' >/dev/null 2>&1
}

urldecode() {
  local s=${1//+/ }
  printf '%b' "${s//%/\\x}"
}

# Splits postgres[ql]://user[:password]@host[:port]/db[?params] into the
# PGURL_* variables (used to derive the registry's JDBC settings).
pg_parse_url() {
  local re='^postgres(ql)?://([^:@/]*)(:([^@/]*))?@(\[[^]]*\]|[^:/?]*)(:([0-9]+))?(/([^?]*))?(\?.*)?$'
  [[ $1 =~ $re ]] || return 1
  PGURL_USER=$(urldecode "${BASH_REMATCH[2]}")
  PGURL_PASSWORD_RAW=${BASH_REMATCH[4]}
  PGURL_PASSWORD=$(urldecode "${BASH_REMATCH[4]}")
  PGURL_HOST=${BASH_REMATCH[5]:-127.0.0.1}
  PGURL_PORT=${BASH_REMATCH[7]:-5432}
}

# Registry database settings, consumed by registry_start. Empty REGISTRY_JDBC
# means "use H2 file storage".
REGISTRY_JDBC='' REGISTRY_DB_USER='' REGISTRY_DB_PASSWORD=''

# True when the login may create tables in the database's default schema,
# which Apicurio does on first start. Being able to connect is not enough:
# since PostgreSQL 15 only a database's owner may create in "public".
pg_url_can_create() {
  local answer
  answer=$(PGCONNECT_TIMEOUT=3 psql -X -q -w -At -d "$1" \
    -c "select has_schema_privilege(current_schema(), 'CREATE')" 2>/dev/null) || return 1
  [[ $answer == t ]]
}

# Makes sure the reused server has a registry database the login may use,
# creating it if allowed; otherwise the registry falls back to its H2 file
# storage.
pg_prepare_registry_db() {
  local url=$1 registry_url
  pg_parse_url "$url" || {
    warn "registry: cannot parse DATABASE_URL; using H2 file storage for the registry"
    return 0
  }
  registry_url="postgresql://${PGURL_USER}${PGURL_PASSWORD_RAW:+:$PGURL_PASSWORD_RAW}@$PGURL_HOST:$PGURL_PORT/$PG_REGISTRY_DB"
  if ! pg_url_ok "$registry_url"; then
    PGCONNECT_TIMEOUT=3 psql -X -q -w -d "$url" -c "CREATE DATABASE $PG_REGISTRY_DB" >/dev/null 2>&1 || true
  fi
  if pg_url_can_create "$registry_url"; then
    REGISTRY_JDBC="jdbc:postgresql://$PGURL_HOST:$PGURL_PORT/$PG_REGISTRY_DB"
    REGISTRY_DB_USER=$PGURL_USER
    REGISTRY_DB_PASSWORD=$PGURL_PASSWORD
  else
    warn "registry: '$PGURL_USER' cannot use or create a database '$PG_REGISTRY_DB' on $PGURL_HOST:$PGURL_PORT (needs CREATE there); using H2 file storage in $SPINE_STATE_DIR/registry instead"
  fi
}

pg_use_external() {
  local url=$1 why=$2
  say "postgres: reusing $why (${url%%@*}@... not started, will not be stopped)"
  mkdir -p "$PID_DIR"
  printf '%s\n' "$url" >"$PG_EXTERNAL_FILE"
  pg_prepare_registry_db "$url"
  DATABASE_URL_EFFECTIVE=$url
}

# Creates the data directory once: UTF8, no locale dependency, peer auth on
# the private unix socket (admin), password (scram) auth over TCP.
pg_init_once() {
  local bindir=$1 user log=$LOG_DIR/postgres-initdb.log
  user=$(pg_os_user)
  [[ -e $PG_DATA/PG_VERSION ]] && return 0
  # The OS user must reach its data dir through the state dir.
  as_pg test -x "$SPINE_STATE_DIR" ||
    die "postgres: user '$user' cannot enter $SPINE_STATE_DIR (a parent directory is not world-traversable, e.g. /root); choose another SPINE_STATE_DIR, e.g. /var/tmp/spine-$(id -un)"
  say "postgres: initdb in $PG_DATA (first start only)"
  mkdir -p "$PG_DATA"
  chmod 700 "$PG_DATA"
  is_root && chown -R postgres: "$PG_DIR"
  : >"$log"
  as_pg "$bindir/initdb" -D "$PG_DATA" -U "$user" -E UTF8 --no-locale \
    --auth-local=peer --auth-host=scram-sha-256 </dev/null >>"$log" 2>&1 || {
    show_log_tail "$log"
    die "postgres: initdb failed; see $log"
  }
  # Settings that depend on the environment live in spine.conf, rewritten on
  # every start (see pg_write_config).
  echo "include_if_exists = 'spine.conf'" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_write_config() {
  local port=$1
  as_pg mkdir -p "$PG_SOCKET_DIR"
  as_pg tee "$PG_DATA/spine.conf" >/dev/null <<EOF
# Generated by scripts/stack.sh on every start; edits are overwritten.
listen_addresses = '127.0.0.1'
port = $port
# A private socket dir: no clash with a distribution cluster in /run/postgresql.
unix_socket_directories = '$PG_SOCKET_DIR'
max_connections = 100
shared_buffers = 128MB
log_line_prefix = '%m [%p] %q%u@%d '
EOF
}

pg_healthy() {
  pg_isready -q -h 127.0.0.1 -p "$(recorded_port postgres "$SPINE_PG_PORT")" -t 2 >/dev/null 2>&1
}

# Role and databases, idempotent; also resets the role's password so a
# changed SPINE_PG_PASSWORD takes effect.
pg_provision() {
  local bindir=$1 port=$2 log=$LOG_DIR/postgres-provision.log
  : >"$log"
  as_pg "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$port" \
    -U "$(pg_os_user)" -d postgres -v role="$PG_ROLE" -v pw="$SPINE_PG_PASSWORD" \
    -v db="$PG_DB" -v regdb="$PG_REGISTRY_DB" >>"$log" 2>&1 <<'SQL' || {
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'role', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'regdb', :'role')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'regdb') \gexec
SQL
    show_log_tail "$log"
    die "postgres: creating role/databases failed; see $log"
  }
}

pg_start_own() {
  local bindir=$1 port=$SPINE_PG_PORT pid
  pg_init_once "$bindir"
  pg_write_config "$port"
  rotate_log "$PG_LOG"
  is_root && chown postgres: "$PG_LOG"
  echo "$port" >"$(port_file postgres)"
  rm -f "$(pid_file postgres)"
  STARTED_SOMETHING=true
  # pg_ctl forks the postmaster into its own session (setsid) with output to
  # the log; -W: do not wait, we poll pg_isready ourselves. The outer setsid
  # plus closing inherited fds keeps the caller's pipes and lock out of it.
  local cmd=("$bindir/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -W start)
  is_root && cmd=(runuser -u postgres -- "${cmd[@]}")
  (cd / && setsid -w bash -c "$CLOSE_FDS_AND_EXEC" pg_ctl "${cmd[@]}" \
    </dev/null >>"$PG_LOG" 2>&1) || {
    show_log_tail "$PG_LOG"
    die "postgres: pg_ctl start failed; see $PG_LOG"
  }
  # The postmaster writes its pid as the first line of postmaster.pid.
  local i
  for ((i = 0; i < 100; i++)); do
    # A stale file from a killed server may still name a dead pid.
    pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)
    [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && break
    pid=
    sleep 0.1
  done
  [[ $pid =~ ^[0-9]+$ ]] || {
    show_log_tail "$PG_LOG"
    die "postgres: did not start (no postmaster.pid); see $PG_LOG"
  }
  echo "$pid" >"$(pid_file postgres)"
  say "postgres: started pid $pid on 127.0.0.1:$port ($(basename "$(dirname "$bindir")")) (log: $PG_LOG)"
  wait_healthy postgres "$pid" "$PG_LOG" pg_healthy
  pg_provision "$bindir" "$port"
}

# Ensures a usable PostgreSQL and sets DATABASE_URL_EFFECTIVE and the
# REGISTRY_* settings.
postgres_up() {
  local pid own_url port bindir
  rm -f "$PG_EXTERNAL_FILE"
  if pid=$(pg_pid); then
    port=$(recorded_port postgres "$SPINE_PG_PORT")
    say "postgres: already running (pid $pid, port $port)"
    [[ $port == "$SPINE_PG_PORT" ]] || warn "postgres: running on $port, not SPINE_PG_PORT=$SPINE_PG_PORT; run 'stack.sh down' first to move it"
    pg_healthy || wait_healthy postgres "$pid" "$PG_LOG" pg_healthy
    pg_set_own_settings "$port"
    return 0
  fi
  own_url=$(pg_own_url "$SPINE_PG_PORT")
  if [[ -n ${DATABASE_URL:-} && $DATABASE_URL != "$own_url" ]]; then
    pg_url_ok "$DATABASE_URL" ||
      die "postgres: DATABASE_URL is set (${DATABASE_URL%%@*}@...) but does not accept connections; fix it, or unset DATABASE_URL to let the stack start its own PostgreSQL"
    pg_use_external "$DATABASE_URL" "DATABASE_URL"
    return 0
  fi
  if port_open "$SPINE_PG_PORT"; then
    if pg_url_ok "$own_url"; then
      pg_use_external "$own_url" "the PostgreSQL already listening on port $SPINE_PG_PORT"
      return 0
    fi
    local owner
    owner=$(port_owner "$SPINE_PG_PORT")
    die "postgres: port $SPINE_PG_PORT is in use${owner:+ by $owner} but does not accept $PG_ROLE:<SPINE_PG_PASSWORD>@127.0.0.1:$SPINE_PG_PORT/$PG_DB; set SPINE_PG_PORT to a free port, or DATABASE_URL to a server to reuse"
  fi
  bindir=$(pg_bindir) || die "postgres: no server binaries found"
  pg_start_own "$bindir"
  pg_set_own_settings "$SPINE_PG_PORT"
}

pg_set_own_settings() {
  local port=$1
  DATABASE_URL_EFFECTIVE=$(pg_own_url "$port")
  REGISTRY_JDBC="jdbc:postgresql://127.0.0.1:$port/$PG_REGISTRY_DB"
  REGISTRY_DB_USER=$PG_ROLE
  REGISTRY_DB_PASSWORD=$SPINE_PG_PASSWORD
}

postgres_stop() {
  local pid
  if [[ -e $PG_EXTERNAL_FILE ]]; then
    say "postgres: reused, not started by stack.sh; leaving it running"
    rm -f "$PG_EXTERNAL_FILE"
    return 0
  fi
  pid=$(pg_pid) || {
    say "postgres: not running"
    rm -f "$(pid_file postgres)" "$(port_file postgres)"
    return 0
  }
  # SIGINT is PostgreSQL's "fast" shutdown (disconnect clients, checkpoint);
  # SIGTERM ("smart") would wait for every client to disconnect.
  stop_process postgres "$pid" INT
  rm -f "$(pid_file postgres)" "$(port_file postgres)"
}
