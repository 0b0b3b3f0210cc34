#!/usr/bin/env bash
# Spine's container image, built and run with podman (no Docker daemon, no image registry needed).
#   bash scripts/containers.sh setup     podman, runc, debootstrap from apt when missing; podman's ulimit setting;
#                                        a Debian bookworm base image made with debootstrap (once; the rootfs
#                                        tarball is cached in ~/.cache/spine/containers, so a new podman store
#                                        re-imports it in seconds)
#   bash scripts/containers.sh build     build the image (spine:dev) from ./Dockerfile; the layer cache is reused
#   bash scripts/containers.sh run <service> [podman run options] [-- service args]
#                                        one service (or `cli`) on the host network against the stack in the
#                                        environment (KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL, SPINE_*)
#   bash scripts/containers.sh podman <args>    podman with the flags this script uses (what the tests call)
#   bash scripts/containers.sh compose <args>   podman-compose (PyPI, pinned, cached venv) with the same flags
#   bash scripts/containers.sh info      what would be used: podman, base image, cache, image
# Environment: SPINE_IMAGE (spine:dev), SPINE_BASE_IMAGE (an image with Node 24, e.g. node:24-bookworm-slim,
# instead of the debootstrap base), SPINE_DEBIAN_MIRROR (default: this machine's apt mirror),
# SPINE_CA_BUNDLE (CA certificates the build trusts for npm; default: the host's bundle), SPINE_CACHE_DIR.
# Safe to run again: every step checks what is already there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SPINE_CACHE_DIR="${SPINE_CACHE_DIR:-$HOME/.cache/spine}"
SPINE_IMAGE="${SPINE_IMAGE:-spine:dev}"
CACHE="$SPINE_CACHE_DIR/containers"
# The base image's recipe; bump the tag when the recipe below changes, so old caches are not reused.
BASE_SUITE=bookworm
BASE_TAG="localhost/spine-base:$BASE_SUITE-minbase-1"
BASE_TARBALL="$CACHE/spine-base-$BASE_SUITE-minbase-1.tar.gz"
COMPOSE_VENV="$SPINE_CACHE_DIR/podman-compose"
# No systemd here and crun is not installed: runc with cgroupfs. Override with SPINE_PODMAN_FLAGS.
read -r -a PODMAN_FLAGS <<< "${SPINE_PODMAN_FLAGS:---runtime runc --cgroup-manager=cgroupfs}"

step() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'containers.sh: %s\n' "$*" >&2; exit 1; }
pm() { podman "${PODMAN_FLAGS[@]}" "$@"; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# One setup or build at a time (the container and compose tests may start together in two Jest workers).
lock() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  flock 9
}

ensure_packages() {
  local missing=() cmd
  for cmd in podman runc debootstrap; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -n "${SPINE_BASE_IMAGE:-}" ] && command -v podman >/dev/null 2>&1; then return 0; fi   # no debootstrap needed
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    die "missing ${missing[*]}: install them (Debian/Ubuntu: sudo apt-get install podman runc debootstrap), or run this as root on a Debian-based machine"
  fi
  step "installing ${missing[*]} from Debian's packages (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  # A stale package list is the usual reason an install fails; refresh it once and try again.
  "${apt[@]}" install -y -q podman runc debootstrap >"$CACHE/apt.log" 2>&1 || {
    "${apt[@]}" update -q >>"$CACHE/apt.log" 2>&1 &&
      "${apt[@]}" install -y -q podman runc debootstrap >>"$CACHE/apt.log" 2>&1
  } || { tail -n 20 "$CACHE/apt.log" >&2; die "apt-get could not install podman runc debootstrap (log: $CACHE/apt.log)"; }
  echo "  $(podman --version), $(runc --version | head -n 1)" >&2
}

# Podman's default ulimits (nofile raised above what this sandbox allows) make every `podman run` fail:
# an empty default_ulimits under [containers] in containers.conf, added once, keeps the host's limits.
ensure_containers_conf() {
  local conf=/etc/containers/containers.conf
  is_root || conf="${XDG_CONFIG_HOME:-$HOME/.config}/containers/containers.conf"
  if [ -f "$conf" ] && grep -Eq '^[[:space:]]*default_ulimits[[:space:]]*=' "$conf"; then return 0; fi
  mkdir -p "$(dirname "$conf")"
  if [ -f "$conf" ] && grep -Eq '^[[:space:]]*\[containers\][[:space:]]*$' "$conf"; then
    sed -i -E '0,/^[[:space:]]*\[containers\][[:space:]]*$/s//[containers]\ndefault_ulimits = []/' "$conf"
  else
    printf '\n[containers]\ndefault_ulimits = []\n' >> "$conf"
  fi
  echo "  set default_ulimits = [] under [containers] in $conf" >&2
}

# This machine's Debian mirror (the one apt uses, reachable here), for debootstrap.
debian_mirror() {
  if [ -n "${SPINE_DEBIAN_MIRROR:-}" ]; then echo "$SPINE_DEBIAN_MIRROR"; return; fi
  local uri
  uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    awk '/^deb / && $3 ~ /^(bookworm|trixie|stable)$/ {print $2; exit} /^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

ensure_base_image() {
  if [ -n "${SPINE_BASE_IMAGE:-}" ]; then return 0; fi
  if pm image exists "$BASE_TAG"; then return 0; fi
  if [ ! -s "$BASE_TARBALL" ]; then
    is_root || die "debootstrap needs root to make the base image; run 'sudo bash scripts/containers.sh setup', or set SPINE_BASE_IMAGE to an image with Node 24 (e.g. node:24-bookworm-slim)"
    local mirror rootfs started=$SECONDS
    mirror="$(debian_mirror)"
    rootfs="$CACHE/rootfs.tmp"
    rm -rf "$rootfs"
    step "making the base image: debootstrap --variant=minbase $BASE_SUITE from $mirror (log: $CACHE/debootstrap.log)"
    debootstrap --variant=minbase "$BASE_SUITE" "$rootfs" "$mirror" >"$CACHE/debootstrap.log" 2>&1 || {
      tail -n 20 "$CACHE/debootstrap.log" >&2
      die "debootstrap failed (log: $CACHE/debootstrap.log); check that $mirror answers, or set SPINE_DEBIAN_MIRROR"
    }
    # Nothing an image needs: package caches and lists, docs (a later apt-get update fetches the lists again).
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
      "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/var/log/*.log
    tar -C "$rootfs" --numeric-owner --exclude='./dev/*' --exclude='./proc/*' --exclude='./sys/*' -c . |
      gzip -1 > "$BASE_TARBALL.tmp"
    mv "$BASE_TARBALL.tmp" "$BASE_TARBALL"
    rm -rf "$rootfs"
    echo "  base rootfs: $(du -h "$BASE_TARBALL" | cut -f1) in $((SECONDS - started)) s ($BASE_TARBALL)" >&2
  fi
  step "importing the base image $BASE_TAG from $BASE_TARBALL"
  pm import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'LABEL org.opencontainers.image.description="Debian bookworm minbase (debootstrap), base of the Spine image"' \
    --change 'CMD ["/bin/bash"]' \
    "$BASE_TARBALL" "$BASE_TAG" >/dev/null || die "podman import of $BASE_TARBALL failed; delete it to make it again"
}

setup() {
  lock
  ensure_packages
  ensure_containers_conf
  pm info >/dev/null 2>"$CACHE/podman-info.log" || {
    cat "$CACHE/podman-info.log" >&2
    die "podman does not work here (see above); SPINE_PODMAN_FLAGS overrides the flags ('${PODMAN_FLAGS[*]}')"
  }
  ensure_base_image
}

# The host's CA certificates, handed to npm in the build as a build secret (not stored in the image): builds behind a
# TLS-inspecting proxy then trust what the host trusts.
ca_bundle() {
  local f
  for f in "${SPINE_CA_BUNDLE:-}" "${NODE_EXTRA_CA_CERTS:-}" /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem; do
    [ -n "$f" ] && [ -s "$f" ] && { echo "$f"; return; }
  done
}

build() {
  setup
  local started=$SECONDS args=() ca
  if [ -n "${SPINE_BASE_IMAGE:-}" ]; then
    args+=(--build-arg "BASE_IMAGE=$SPINE_BASE_IMAGE" --build-arg "NODE_SOURCE=${SPINE_NODE_SOURCE:-image}")
  else
    args+=(--build-arg "BASE_IMAGE=$BASE_TAG" --build-arg NODE_SOURCE=npm)
  fi
  ca="$(ca_bundle)"
  [ -n "$ca" ] && args+=(--secret "id=ca-certificates,src=$ca")
  step "building $SPINE_IMAGE from Dockerfile (podman build; cached layers are reused)"
  # --format docker: the OCI image format has no HEALTHCHECK. --network host: RUN steps (npm ci) reach the
  # registry like the host does, without a container network.
  pm build --format docker --layers --network host --file Dockerfile --tag "$SPINE_IMAGE" "${args[@]}" . ||
    die "podman build failed (see above); 'bash scripts/containers.sh info' shows what it used"
  # Intermediate images are the layer cache; those of builds older than a week go, so the store stays bounded.
  pm image prune --force --filter until=168h >/dev/null 2>&1 || true
  echo "  built $SPINE_IMAGE in $((SECONDS - started)) s; size $(pm image inspect --format '{{.Size}}' "$SPINE_IMAGE" | awk '{printf "%.0f MB", $1/1e6}')" >&2
}

run() {
  local service="${1:-}"
  [ -n "$service" ] || die "usage: bash scripts/containers.sh run <service> [podman run options] [-- service args]"
  shift
  local opts=() svc_args=() seen_sep=0 a
  for a in "$@"; do
    if [ $seen_sep -eq 0 ] && [ "$a" = "--" ]; then seen_sep=1; continue; fi
    if [ $seen_sep -eq 0 ]; then opts+=("$a"); else svc_args+=("$a"); fi
  done
  pm image exists "$SPINE_IMAGE" || die "no image $SPINE_IMAGE: run 'bash scripts/containers.sh build' first"
  # The stack and Spine's settings from this environment (passed by name: values never appear in the command line).
  local envs=() name
  for name in $(compgen -e); do
    case "$name" in KAFKA_BROKERS | SCHEMA_REGISTRY_URL | DATABASE_URL | PORT | SPINE_* | OTEL_*) envs+=(-e "$name") ;; esac
  done
  # On the host network a service binds 127.0.0.1 unless the options say otherwise (-e HOST=0.0.0.0 wins: last one).
  exec podman "${PODMAN_FLAGS[@]}" run --rm --network host --ulimit host -e HOST=127.0.0.1 "${envs[@]}" \
    "${opts[@]}" "$SPINE_IMAGE" "$service" "${svc_args[@]}"
}

# podman-compose from PyPI, pinned by tools/compose/requirements.txt, in a virtualenv of its own.
compose() {
  local ready
  ready="$COMPOSE_VENV/.installed-$(sha256sum tools/compose/requirements.txt | cut -c1-12)"
  if [ ! -f "$ready" ]; then
    command -v python3 >/dev/null 2>&1 || die "podman-compose needs python3 with venv (Debian: apt-get install python3-venv)"
    step "installing podman-compose from PyPI into $COMPOSE_VENV"
    rm -rf "$COMPOSE_VENV"
    python3 -m venv "$COMPOSE_VENV" || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
    "$COMPOSE_VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r tools/compose/requirements.txt ||
      die "pip could not install tools/compose/requirements.txt from PyPI"
    touch "$ready"
  fi
  exec "$COMPOSE_VENV/bin/podman-compose" --podman-args="${PODMAN_FLAGS[*]}" "$@"
}

info() {
  echo "podman:      $(command -v podman || echo 'not installed (bash scripts/containers.sh setup)') ${PODMAN_FLAGS[*]}"
  echo "base image:  ${SPINE_BASE_IMAGE:-$BASE_TAG (debootstrap $BASE_SUITE from $(debian_mirror); cache $BASE_TARBALL)}"
  echo "image:       $SPINE_IMAGE"
  echo "CA bundle:   $(ca_bundle)"
}

cmd="${1:-help}"; shift || true
case "$cmd" in
  setup) setup ;;
  build) build ;;
  run) run "$@" ;;
  podman) exec podman "${PODMAN_FLAGS[@]}" "$@" ;;
  compose) compose "$@" ;;
  info) info ;;
  help | -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) die "unknown command '$cmd' (setup, build, run, podman, compose, info)" ;;
esac
