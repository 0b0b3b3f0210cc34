#!/usr/bin/env bash
# Ensures the `helm` CLI (v4.3.1), built once from the Go module proxy and cached, then:
#   bash scripts/helm.sh                    prints the binary's path (stdout; progress goes to stderr)
#   bash scripts/helm.sh lint helm/spine    runs helm with these arguments
# Why built and not downloaded: the only reachable hosts are package registries; the Go module proxy
# serves helm's source (helm.sh/helm/v4), so `go install` builds it (about 2 minutes the first time).
# Environment: SPINE_CACHE_DIR [$HOME/.cache/spine]; SPINE_HELM_VERSION [4.3.1].
set -euo pipefail

SPINE_HELM_VERSION="${SPINE_HELM_VERSION:-4.3.1}"
SPINE_CACHE_DIR="${SPINE_CACHE_DIR:-$HOME/.cache/spine}"
HELM_DIR="$SPINE_CACHE_DIR/helm-$SPINE_HELM_VERSION"
HELM_BIN="$HELM_DIR/helm"

say() { echo "spine-helm: $*" >&2; }

helm_ready() { [ -x "$HELM_BIN" ] && [ -f "$HELM_DIR/.built" ]; }

build_helm() {
  if ! command -v go >/dev/null 2>&1; then
    say "go is not on PATH; install Go >= 1.26 (https://go.dev/doc/install or Debian's golang package) and run this again"
    return 1
  fi
  local tmp started pid status=0
  tmp="$(mktemp -d "$SPINE_CACHE_DIR/.helm-build.XXXXXX")"
  started=$SECONDS
  say "building helm v$SPINE_HELM_VERSION with $(go version | cut -d' ' -f3) from the Go module proxy into $HELM_DIR (about 2 minutes the first time)"
  # The version is stamped the way helm's own Makefile does it, so `helm version` reports v$SPINE_HELM_VERSION.
  CGO_ENABLED=0 GOBIN="$tmp" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=v$SPINE_HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@v$SPINE_HELM_VERSION" >"$tmp/build.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 10
    kill -0 "$pid" 2>/dev/null && say "still building ($((SECONDS - started)) s; $(grep -c '^go: downloading' "$tmp/build.log" || true) modules downloaded)"
  done
  wait "$pid" || status=$?
  if [ "$status" -ne 0 ] || [ ! -x "$tmp/helm" ]; then
    say "go install failed (exit $status); last lines of $tmp/build.log:"
    tail -n 20 "$tmp/build.log" >&2
    say "fix: check that the Go module proxy answers (go env GOPROXY: $(go env GOPROXY)) and that go >= 1.26 (helm v$SPINE_HELM_VERSION needs it; GOTOOLCHAIN=$(go env GOTOOLCHAIN)), then run bash scripts/helm.sh again"
    return 1
  fi
  mkdir -p "$HELM_DIR"
  mv -f "$tmp/helm" "$HELM_BIN"
  rm -rf "$tmp"
  touch "$HELM_DIR/.built"
  say "built $("$HELM_BIN" version --template '{{.Version}}') in $((SECONDS - started)) s: $HELM_BIN"
}

mkdir -p "$SPINE_CACHE_DIR"
if ! helm_ready; then
  # One build at a time (parallel test workers, two shells): the others wait and reuse it.
  exec 9>"$SPINE_CACHE_DIR/.helm-$SPINE_HELM_VERSION.lock"
  flock 9
  helm_ready || build_helm
  flock -u 9
fi

if [ "$#" -eq 0 ]; then
  echo "$HELM_BIN"
else
  exec "$HELM_BIN" "$@"
fi
