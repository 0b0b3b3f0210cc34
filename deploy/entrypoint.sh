#!/bin/sh
# Entry point of the Spine image: runs one app of /app/apps by name (every service of the stage registry, and cli).
#   <image> <service> [args]            e.g. ingestion, inference, sink; `cli provision`
#   SPINE_SERVICE=<service> <image> [args]   (args that are not a command go to that service)
#   <image> <command> [args]            anything else on PATH runs as given, e.g. `node apps/sink/dist/main.js`
set -eu
cd /app
apps() { for d in apps/*/dist/main.js; do d=${d#apps/}; printf '%s ' "${d%%/*}"; done; }
if [ $# -gt 0 ] && [ -f "apps/$1/dist/main.js" ]; then
  service=$1; shift
elif [ $# -gt 0 ] && command -v "$1" >/dev/null 2>&1; then
  exec "$@"
elif [ -n "${SPINE_SERVICE:-}" ]; then
  service=$SPINE_SERVICE
else
  echo "spine image: name a service to run, as the first argument or in SPINE_SERVICE${1:+ (\"$1\" is neither a service nor a command)}; this image has: $(apps)" >&2
  exit 2
fi
if [ ! -f "apps/$service/dist/main.js" ]; then
  echo "spine image: no service \"$service\" in this image; it has: $(apps)" >&2
  exit 2
fi
export SPINE_SERVICE="$service"
exec node "apps/$service/dist/main.js" "$@"
