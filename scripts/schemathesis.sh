#!/usr/bin/env bash
# REST fuzzing: schemathesis (pinned, in .venv-schemathesis) against /openapi.json of the real
# service (embedded store, real models in ./models), started here on loopback and always stopped.
# Seed and example count are fixed so runs repeat. Generation routes are excluded: each call runs
# the text model for seconds, so fuzzing them would dominate the run (their schemas are covered by
# test/integration and the model tests). schemathesis itself is installed by
# scripts/setup.sh schemathesis (scripts/install-schemathesis.sh), the weights by scripts/setup.sh models.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-schemathesis
SEED=${SCHEMATHESIS_SEED:-20261125}
EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}

[ -x "$VENV/bin/st" ] || { echo "schemathesis.sh: schemathesis is not installed: run scripts/setup.sh schemathesis" >&2; exit 1; }

DATA_DIR=$(mktemp -d -t taishang-fuzz-XXXXXX)
LOG="$DATA_DIR/service.log"
mkdir -p "$DATA_DIR/data"
HOST=127.0.0.1 GRPC_PORT=0 HTTP_PORT=0 LOG_LEVEL=info DATA_DIR="$DATA_DIR/data" \
  node --import tsx src/main.ts >"$LOG" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT

PORT=""
for _ in $(seq 1 600); do
  kill -0 "$PID" 2>/dev/null || { echo "service exited early:"; cat "$LOG"; exit 1; }
  PORT=$(grep -o '"httpPort":[0-9]*' "$LOG" | head -1 | cut -d: -f2 || true)
  if [ -n "$PORT" ] && curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null; then break; fi
  PORT=""
  sleep 0.2
done
[ -n "$PORT" ] || { echo "service not ready within 120 s:"; cat "$LOG"; exit 1; }

SCHEMATHESIS_HOOKS=scripts/schemathesis-hooks.py timeout 300 "$VENV/bin/st" run \
  "http://127.0.0.1:$PORT/openapi.json" \
  --checks not_a_server_error,response_schema_conformance,problem_json_for_4xx \
  --exclude-path-regex '/generate|/chat/completions' \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "$EXAMPLES" --seed "$SEED" \
  --generation-database none --workers 1 --request-timeout 20 --no-color
