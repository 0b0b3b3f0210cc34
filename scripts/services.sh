#!/usr/bin/env bash
# Starts and stops Spine's services as background processes of the local platform: every service of the
# stage registry (libs/platform), read through the built CLI, so a new service needs no edit here.
# Logs: $SPINE_STATE_DIR/logs/<service>.log; pids: $SPINE_STATE_DIR/pids/<service>.pid.
# Each service runs under scripts/supervise.sh, which restarts it when it exits (with backoff) and records
# restarts and the last exit (pids/<service>.supervise, shown by services_status); its pid is
# pids/<service>.supervisor.pid. SPINE_SERVICES_ONLY=a,b limits every function here to those services.
# Sourced by ./spine; expects KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL in the environment.

SPINE_STATE_DIR="${SPINE_STATE_DIR:-/var/tmp/spine-$(id -un)}"
SPINE_SERVICES=()
declare -A SPINE_SERVICE_PORTS=()
declare -A SPINE_SERVICE_APIS=()

# Fills SPINE_SERVICES and SPINE_SERVICE_PORTS from the registry; SPINE_<NAME>_PORT overrides a port.
services_load() {
  [ ${#SPINE_SERVICES[@]} -gt 0 ] && return 0
  local lines name port _db api var
  if [ -f apps/cli/dist/main.js ]; then
    lines="$(node apps/cli/dist/main.js registry --services)" || return 1
  elif [ -f "$SPINE_STATE_DIR/services" ]; then
    lines="$(cat "$SPINE_STATE_DIR/services")"   # a tree without a build: what the last ./spine up started
  else
    return 0
  fi
  mkdir -p "$SPINE_STATE_DIR" && printf '%s\n' "$lines" > "$SPINE_STATE_DIR/services"
  while read -r name port _db api; do
    [ -n "$name" ] || continue
    var="SPINE_$(echo "$name" | tr 'a-z-' 'A-Z_')_PORT"
    SPINE_SERVICES+=("$name")
    SPINE_SERVICE_PORTS[$name]="${!var:-$port}"
    if [ "${api%% *}" = api ]; then SPINE_SERVICE_APIS[$name]="${api#api }"; fi
  done <<< "$lines"
  services_only
}

# SPINE_SERVICES_ONLY (comma- or space-separated registered names) keeps only those services.
services_only() {
  [ -n "${SPINE_SERVICES_ONLY:-}" ] || return 0
  local wanted kept=() svc
  for wanted in ${SPINE_SERVICES_ONLY//,/ }; do
    for svc in "${SPINE_SERVICES[@]}"; do [ "$svc" = "$wanted" ] && kept+=("$svc"); done
    if [[ " ${kept[*]} " != *" $wanted "* ]]; then
      echo "spine: SPINE_SERVICES_ONLY names \"$wanted\", which is not a registered service; registered: ${SPINE_SERVICES[*]}" >&2
      return 1
    fi
  done
  SPINE_SERVICES=("${kept[@]}")
}

# The local API key lives in the state dir (mode 0600), never in git; SPINE_API_KEYS wins when set.
# A random secret of the local platform, made once into the state dir (mode 0600), never in git.
services_secret() {
  local file="$SPINE_STATE_DIR/$1"
  if [ ! -s "$file" ]; then
    mkdir -p "$SPINE_STATE_DIR"
    (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > "$file")
  fi
  cat "$file"
}

services_api_key() {
  if [ -n "${SPINE_API_KEYS:-}" ]; then echo "${SPINE_API_KEYS%%,*}"; return; fi
  services_secret api-key
}

service_pid() {
  local pidfile="$SPINE_STATE_DIR/pids/$1.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

supervisor_pid() {
  local pidfile="$SPINE_STATE_DIR/pids/$1.supervisor.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

# One field (restarts, last_exit, last_exit_at) of a service's supervision record.
supervise_field() {
  local file="$SPINE_STATE_DIR/pids/$1.supervise"
  [ -f "$file" ] && sed -n "s/^$2=//p" "$file"
}

services_start() {
  services_load || return 1
  mkdir -p "$SPINE_STATE_DIR/logs" "$SPINE_STATE_DIR/pids"
  local key; key="$(services_api_key)"
  local webhooks_key; webhooks_key="$(services_secret webhooks-secret-key)"   # seals stored signing secrets
  local svc
  for svc in "${SPINE_SERVICES[@]}"; do
    if supervisor_pid "$svc" >/dev/null || service_pid "$svc" >/dev/null; then echo "  $svc already running (pid $(service_pid "$svc" || supervisor_pid "$svc"))" >&2; continue; fi
    rm -f "$SPINE_STATE_DIR/pids/$svc.pid" "$SPINE_STATE_DIR/pids/$svc.supervise"
    # setsid + log file + </dev/null: a service (and its supervisor) must never hold the caller's terminal or CI's output open.
    SPINE_STATE_DIR="$SPINE_STATE_DIR" SPINE_API_KEYS="${SPINE_API_KEYS:-$key}" PORT="${SPINE_SERVICE_PORTS[$svc]}" \
      SPINE_WEBHOOKS_SECRET_KEY="${SPINE_WEBHOOKS_SECRET_KEY:-$webhooks_key}" \
      setsid bash scripts/supervise.sh "$svc" >>"$SPINE_STATE_DIR/logs/$svc.log" 2>&1 </dev/null &
    echo $! > "$SPINE_STATE_DIR/pids/$svc.supervisor.pid"
    echo "  started $svc under a supervisor (pid $!, log $SPINE_STATE_DIR/logs/$svc.log)" >&2
  done
  local deadline=$((SECONDS + 90))
  for svc in "${SPINE_SERVICES[@]}"; do
    local url="http://127.0.0.1:${SPINE_SERVICE_PORTS[$svc]}/health/ready"
    until curl -fs "$url" >/dev/null 2>&1; do
      local restarts; restarts="$(supervise_field "$svc" restarts || true)"
      if [ "${restarts:-0}" != 0 ] || ! supervisor_pid "$svc" >/dev/null; then
        echo "spine: $svc exited during start-up (its supervisor restarts it with backoff; ./spine down stops it); last lines of $SPINE_STATE_DIR/logs/$svc.log:" >&2
        tail -n 20 "$SPINE_STATE_DIR/logs/$svc.log" >&2; return 1
      fi
      if [ $SECONDS -ge $deadline ]; then
        echo "spine: $svc not ready after 90 s ($url); see $SPINE_STATE_DIR/logs/$svc.log" >&2; return 1
      fi
      sleep 1
    done
    echo "  $svc ready" >&2
  done
}

# Supervisors first (each stops restarting, SIGTERMs its service and waits for it), so nothing comes back;
# then any service still running (no supervisor, or one that was killed) the same way.
services_stop() {
  services_load || return 1
  local svc pid
  for svc in "${SPINE_SERVICES[@]}"; do
    pid="$(supervisor_pid "$svc" || true)"
    [ -z "$pid" ] || kill -TERM "$pid" 2>/dev/null || true
  done
  for svc in "${SPINE_SERVICES[@]}"; do
    pid="$(supervisor_pid "$svc" || true)"
    if [ -n "$pid" ]; then
      for _ in $(seq 1 70); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$SPINE_STATE_DIR/pids/$svc.supervisor.pid"
    pid="$(service_pid "$svc" || true)"
    if [ -n "$pid" ]; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$SPINE_STATE_DIR/pids/$svc.pid"
    echo "  stopped $svc" >&2
  done
}

services_status() {
  services_load || return 1
  local svc pid
  for svc in "${SPINE_SERVICES[@]}"; do
    pid="$(service_pid "$svc" || true)"
    local restarts; restarts="$(supervise_field "$svc" restarts || true)"
    local supervision="${restarts:+  restarts $restarts}"
    [ "${restarts:-0}" = 0 ] || supervision+=", last exit $(supervise_field "$svc" last_exit) at $(supervise_field "$svc" last_exit_at)"
    if [ -n "$pid" ]; then
      printf '  %-11s up    pid %-7s port %s  rss %s MB%s\n' "$svc" "$pid" "${SPINE_SERVICE_PORTS[$svc]}" "$(( $(awk '/VmRSS/{print $2}' "/proc/$pid/status") / 1024 ))" "$supervision"
    elif supervisor_pid "$svc" >/dev/null; then
      printf '  %-11s restarting (supervisor pid %s, backoff)%s\n' "$svc" "$(supervisor_pid "$svc")" "$supervision"
    else
      printf '  %-11s down\n' "$svc"
    fi
  done
}

services_logs() {
  local svc="${1:-}"
  if [ -n "$svc" ]; then tail -n 100 -f "$SPINE_STATE_DIR/logs/$svc.log"; else tail -n 20 -f "$SPINE_STATE_DIR"/logs/*.log; fi
}

services_print_endpoints() {
  services_load
  local svc
  {
    printf '\nSpine is up.\n'
    for svc in "${SPINE_SERVICES[@]}"; do   # the business APIs, as the registry describes them
      if [ -n "${SPINE_SERVICE_APIS[$svc]:-}" ]; then printf '  %-11s http://127.0.0.1:%s  %s  (OpenAPI: /docs)\n' "$svc" "${SPINE_SERVICE_PORTS[$svc]}" "${SPINE_SERVICE_APIS[$svc]}"; fi
    done
    for svc in "${SPINE_SERVICES[@]}"; do
      printf '  %-11s http://127.0.0.1:%s/health/ready  /metrics\n' "$svc" "${SPINE_SERVICE_PORTS[$svc]}"
    done
  } >&2
  cat >&2 <<TXT
  API key     $(services_api_key)   (header: Authorization: Bearer <key>; file: $SPINE_STATE_DIR/api-key)
  Kafka $KAFKA_BROKERS · registry $SCHEMA_REGISTRY_URL · PostgreSQL ${DATABASE_URL%%@*}@…
Try: ./spine demo      Stop: ./spine down
TXT
}
