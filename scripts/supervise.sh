#!/usr/bin/env bash
# Keeps one Spine service alive: runs `node apps/<service>/dist/main.js` and starts it again whenever it exits,
# after a backoff of 1, 2, 4 … SPINE_RESTART_MAX_BACKOFF_S (30) seconds, back to 1 s once a run stayed up
# SPINE_RESTART_RESET_S (60) seconds. Each exit and restart is logged (JSON lines, in the service's log).
# scripts/services.sh starts one per service under setsid, stdin /dev/null, output appended to the log.
#   $SPINE_STATE_DIR/pids/<service>.pid        the service's current pid (written here)
#   $SPINE_STATE_DIR/pids/<service>.supervise  restarts, last exit and when, this supervisor's pid
# SIGTERM / SIGINT: no more restarts; the service gets SIGTERM (SIGKILL after SPINE_STOP_TIMEOUT_S, 30 s), then
# this exits. So `./spine down` stops supervisors first and nothing comes back.
set -u
svc="${1:?usage: supervise.sh <service>}"
state_dir="${SPINE_STATE_DIR:?SPINE_STATE_DIR must be set}"
pidfile="$state_dir/pids/$svc.pid"
statefile="$state_dir/pids/$svc.supervise"
max_backoff="${SPINE_RESTART_MAX_BACKOFF_S:-30}"
reset_after="${SPINE_RESTART_RESET_S:-60}"
stop_timeout="${SPINE_STOP_TIMEOUT_S:-30}"

log() { printf '{"level":"%s","logger":"supervisor","service":"%s","message":"%s","time":"%s"}\n' "$1" "$svc" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"; }

restarts=0 last_exit=- last_exit_at=- backoff=1 child="" killer="" stopping=0
write_state() {
  printf 'restarts=%s\nlast_exit=%s\nlast_exit_at=%s\nsupervisor=%s\n' "$restarts" "$last_exit" "$last_exit_at" "$$" >"$statefile.tmp" &&
    mv -f "$statefile.tmp" "$statefile"
}

on_stop() {
  stopping=1
  [ -n "$child" ] || return 0
  kill -TERM "$child" 2>/dev/null
  # A service that ignores SIGTERM past the budget is killed; the timer is cancelled once it is gone.
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    sleep "$stop_timeout" &
    nap=$!
    wait "$nap" && kill -KILL "$child" 2>/dev/null
  ) </dev/null &
  killer=$!
}
trap on_stop TERM INT
trap '' HUP

# How a process ended, from the status `wait` gives: "0", "1", "137 (SIGKILL)".
describe_exit() { if [ "$1" -gt 128 ]; then echo "$1 (SIG$(kill -l "$(($1 - 128))" 2>/dev/null || echo "?"))"; else echo "$1"; fi; }

mkdir -p "$state_dir/pids"
write_state
while [ "$stopping" = 0 ]; do
  node "apps/$svc/dist/main.js" </dev/null &
  child=$!
  echo "$child" >"$pidfile"
  started=$SECONDS
  log info "started $svc (pid $child)"
  # `wait` returns early when a trapped signal arrives: wait again until the service is really gone.
  while :; do
    wait "$child"
    code=$?
    kill -0 "$child" 2>/dev/null || break
  done
  child=""
  if [ -n "$killer" ]; then kill "$killer" 2>/dev/null; wait "$killer" 2>/dev/null; killer=""; fi
  [ "$stopping" = 0 ] || break
  up=$((SECONDS - started))
  [ "$up" -lt "$reset_after" ] || backoff=1
  restarts=$((restarts + 1)) last_exit="$(describe_exit "$code")" last_exit_at="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  write_state
  log warn "$svc exited with $last_exit after ${up} s; restart $restarts in ${backoff} s"
  sleep "$backoff" </dev/null &
  wait $! 2>/dev/null # a stop during the backoff ends it at once
  kill $! 2>/dev/null
  backoff=$((backoff * 2 > max_backoff ? max_backoff : backoff * 2))
done
rm -f "$pidfile"
write_state
log info "supervisor stopped ($restarts restart(s))"
