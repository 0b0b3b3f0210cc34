#!/usr/bin/env bash
# Scaffold a workspace project (lib or app) with Spine's conventions: ESM package, composite tsconfig, Nx targets.
# Usage: bash tools/new-project.sh libs|apps NAME [DEP ...]   (DEP = other @spine/* project names)
set -euo pipefail
kind="$1"; name="$2"; shift 2
dir="$kind/$name"
mkdir -p "$dir/src"
deps=""; refs=""
# Libraries export an index; apps are processes started from dist/main.js.
if [ "$kind" = libs ]; then entry='"exports": { ".": { "types": "./dist/index.d.ts", "default": "./dist/index.js" } },'; else entry='"main": "dist/main.js",'; fi
for d in "$@"; do
  deps="$deps\"@spine/$d\": \"*\", "
  refs="$refs{ \"path\": \"../../libs/$d\" }, "
done
cat > "$dir/package.json" <<JSON
{
  "name": "@spine/$name",
  "version": "0.1.0",
  "private": true,
  "type": "module",
  $entry
  "dependencies": { ${deps%, } },
  "nx": {
    "targets": {
      "build": { "command": "tsc -b {projectRoot}/tsconfig.json" },
      "lint": { "command": "eslint {projectRoot}/src" },
      "test": { "command": "node scripts/jest.mjs {projectRoot}" }
    }
  }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/tsconfig.tsbuildinfo" },
  "include": ["src/**/*.ts"],
  "exclude": ["src/**/*.test.ts"],
  "references": [${refs%, }]
}
JSON
[ "$kind" = apps ] || [ -f "$dir/src/index.ts" ] || echo "export {};" > "$dir/src/index.ts"
echo "created $dir"
