#!/usr/bin/env bash
# Starts and stops Spine's services as background processes of the local platform: every service of the
# stage registry (libs/platform), read through the built CLI, so a new service needs no edit here.
# Logs: $SPINE_STATE_DIR/logs/<service>.log; pids: $SPINE_STATE_DIR/pids/<service>.pid.
# Sourced by ./spine; expects KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL in the environment.

SPINE_STATE_DIR="${SPINE_STATE_DIR:-/var/tmp/spine-$(id -un)}"
SPINE_SERVICES=()
declare -A SPINE_SERVICE_PORTS=()

# Fills SPINE_SERVICES and SPINE_SERVICE_PORTS from the registry; SPINE_<NAME>_PORT overrides a port.
services_load() {
  [ ${#SPINE_SERVICES[@]} -gt 0 ] && return 0
  local lines name port _rest var
  if [ -f apps/cli/dist/main.js ]; then
    lines="$(node apps/cli/dist/main.js registry --services)" || return 1
  elif [ -f "$SPINE_STATE_DIR/services" ]; then
    lines="$(cat "$SPINE_STATE_DIR/services")"   # a tree without a build: what the last ./spine up started
  else
    return 0
  fi
  mkdir -p "$SPINE_STATE_DIR" && printf '%s\n' "$lines" > "$SPINE_STATE_DIR/services"
  while read -r name port _rest; do
    [ -n "$name" ] || continue
    var="SPINE_$(echo "$name" | tr 'a-z-' 'A-Z_')_PORT"
    SPINE_SERVICES+=("$name")
    SPINE_SERVICE_PORTS[$name]="${!var:-$port}"
  done <<< "$lines"
}

# The local API key lives in the state dir (mode 0600), never in git; SPINE_API_KEYS wins when set.
services_api_key() {
  local file="$SPINE_STATE_DIR/api-key"
  if [ -n "${SPINE_API_KEYS:-}" ]; then echo "${SPINE_API_KEYS%%,*}"; return; fi
  if [ ! -s "$file" ]; then
    mkdir -p "$SPINE_STATE_DIR"
    (umask 077 && node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64url"))' > "$file")
  fi
  cat "$file"
}

service_pid() {
  local pidfile="$SPINE_STATE_DIR/pids/$1.pid"
  [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && cat "$pidfile"
}

services_start() {
  services_load
  mkdir -p "$SPINE_STATE_DIR/logs" "$SPINE_STATE_DIR/pids"
  local key; key="$(services_api_key)"
  local svc
  for svc in "${SPINE_SERVICES[@]}"; do
    if service_pid "$svc" >/dev/null; then echo "  $svc already running (pid $(service_pid "$svc"))" >&2; continue; fi
    # setsid + log file + </dev/null: a service must never hold the caller's terminal or CI's output open.
    SPINE_API_KEYS="${SPINE_API_KEYS:-$key}" PORT="${SPINE_SERVICE_PORTS[$svc]}" \
      setsid node "apps/$svc/dist/main.js" >>"$SPINE_STATE_DIR/logs/$svc.log" 2>&1 </dev/null &
    echo $! > "$SPINE_STATE_DIR/pids/$svc.pid"
    echo "  started $svc (pid $!, log $SPINE_STATE_DIR/logs/$svc.log)" >&2
  done
  local deadline=$((SECONDS + 90))
  for svc in "${SPINE_SERVICES[@]}"; do
    local url="http://127.0.0.1:${SPINE_SERVICE_PORTS[$svc]}/health/ready"
    until curl -fs "$url" >/dev/null 2>&1; do
      if ! service_pid "$svc" >/dev/null; then
        echo "spine: $svc exited during start-up; last lines of $SPINE_STATE_DIR/logs/$svc.log:" >&2
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

services_stop() {
  services_load
  local svc pid
  for svc in "${SPINE_SERVICES[@]}"; do
    pid="$(service_pid "$svc" || true)"
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$SPINE_STATE_DIR/pids/$svc.pid"
    echo "  stopped $svc" >&2
  done
}

services_status() {
  services_load
  local svc pid
  for svc in "${SPINE_SERVICES[@]}"; do
    pid="$(service_pid "$svc" || true)"
    if [ -n "$pid" ]; then
      printf '  %-11s up    pid %-7s port %s  rss %s MB\n' "$svc" "$pid" "${SPINE_SERVICE_PORTS[$svc]}" "$(( $(awk '/VmRSS/{print $2}' "/proc/$pid/status") / 1024 ))"
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
    printf '  ingestion   POST http://127.0.0.1:%s/v1/events      (OpenAPI: /docs, /openapi.json)\n' "${SPINE_SERVICE_PORTS[ingestion]}"
    printf '  sink        GET  http://127.0.0.1:%s/v1/results/<eventId>\n' "${SPINE_SERVICE_PORTS[sink]}"
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
