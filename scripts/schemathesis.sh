#!/usr/bin/env bash
# REST fuzzing: schemathesis (pinned, in .venv-schemathesis) with every check (`--checks all`, plus
# the hooks' own) against /openapi.json of the real service (embedded store, real models in
# ./models), twice: started without API keys, then with one key that schemathesis sends (its auth
# checks then also try no key and a wrong one). Each service is started here on loopback and always
# stopped. Seed and example counts are fixed so runs repeat; SCHEMATHESIS_SEED,
# SCHEMATHESIS_MAX_EXAMPLES and SCHEMATHESIS_KEYS_MAX_EXAMPLES try others. Generation routes are
# excluded: each call runs the text model for seconds, so fuzzing them would dominate the run (their
# schemas are covered by test/integration and the model tests). So the service starts with the text
# model disabled (about 2.5 CPU-s less per start; every fuzzed route answers as before). It keeps
# the default two embedding threads: the
# fuzzer embeds a great deal, and one thread's session of two onnxruntime threads spends about a
# third more CPU per text than two single-threaded sessions, half again more when the machine is
# busy, as it is here beside the external jest files (docs/MODELS.md; measured while onnxruntime's
# threads still spun between runs, which they no longer do).
# schemathesis itself is installed by scripts/setup.sh schemathesis (scripts/install-schemathesis.sh),
# the weights by scripts/setup.sh models.
# Every check runs except max_response_time (`--checks all` would add a 10 s limit per response):
# speed is measured by the benchmarks, never asserted in a test, and a 2,048-text embedding call takes
# seconds on a loaded 2-core machine. --request-timeout (120 s) stays as a guard against a hang.
# The run with a key sends only schema-valid data (`--mode positive`): what it adds is the auth
# checks (each answer re-sent without the key and with a wrong one), which run on valid requests.
# Its invalid requests would meet the same validation as the run without keys, which sends them
# all; they were half its cases and about 40 % of its time (1,380 cases in 39 s without them). And
# the key is checked per route before the body is read (src/http/auth-hook.ts), so a few valid
# requests per operation test it as well as many: the run skips the coverage phase, whose boundary
# values (sizes at their limits, every enum member) probe the body's validation that the run
# without keys covers, and generates SCHEMATHESIS_KEYS_MAX_EXAMPLES (5) per operation. Generating
# bodies is most of schemathesis's own CPU; with coverage and 25 the run took 145 of the external
# tier's 390 CPU-s (fuzzer and service), beside the external jest files.
# Usage: scripts/schemathesis.sh [keys|nokeys]   (default: both, without keys first)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-schemathesis
SEED=${SCHEMATHESIS_SEED:-20261125}
EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-25}
KEYS_EXAMPLES=${SCHEMATHESIS_KEYS_MAX_EXAMPLES:-5}
# Only for the service this script starts and stops; never a real credential.
FUZZ_KEY="fuzz-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

[ -x "$VENV/bin/st" ] || { echo "schemathesis.sh: schemathesis is not installed: run scripts/setup.sh schemathesis" >&2; exit 1; }
# The service runs from dist/, built from the current sources when they changed.
node scripts/ensure-dist.js

PID=""
DATA_DIR=""
cleanup() {
  if [ -n "$PID" ]; then
    kill "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
  fi
  if [ -n "$DATA_DIR" ]; then rm -rf "$DATA_DIR"; fi
  PID=""
  DATA_DIR=""
}
trap cleanup EXIT

# fuzz LABEL API_KEYS PHASES EXAMPLES [schemathesis options...]
fuzz() {
  local label=$1 keys=$2 phases=$3 examples=$4
  shift 4
  DATA_DIR=$(mktemp -d -t taishang-fuzz-XXXXXX)
  local log="$DATA_DIR/service.log"
  mkdir -p "$DATA_DIR/data"
  HOST=127.0.0.1 GRPC_PORT=0 HTTP_PORT=0 LOG_LEVEL=info DATA_DIR="$DATA_DIR/data" API_KEYS="$keys" API_KEYS_FILE= \
    TEXT_MODEL_ENABLED=false \
    node dist/main.js >"$log" 2>&1 &
  PID=$!
  local port=""
  for _ in $(seq 1 600); do
    kill -0 "$PID" 2>/dev/null || { echo "service exited early:"; cat "$log"; exit 1; }
    port=$(grep -o '"httpPort":[0-9]*' "$log" | head -1 | cut -d: -f2 || true)
    if [ -n "$port" ] && curl -fs "http://127.0.0.1:$port/readyz" >/dev/null; then break; fi
    port=""
    sleep 0.2
  done
  [ -n "$port" ] || { echo "service not ready within 120 s:"; cat "$log"; exit 1; }

  # too_slow is Hypothesis timing its own data generation (the rerank body's nested rules), which a
  # loaded 2-core machine fails now and then; it says nothing about the service, so it is off.
  echo "== schemathesis, service $label (seed $SEED, phases $phases, $examples examples per operation)"
  SCHEMATHESIS_HOOKS=scripts/schemathesis-hooks.py timeout 900 "$VENV/bin/st" --config-file scripts/schemathesis.toml run \
    "http://127.0.0.1:$port/openapi.json" \
    --checks all \
    --exclude-path-regex '/generate|/completions' \
    --phases "$phases" \
    --max-examples "$examples" --seed "$SEED" \
    --generation-database none --workers 1 --request-timeout 120 --no-color \
    --suppress-health-check too_slow "$@"
  cleanup
}

fuzz_nokeys() { fuzz "without API keys" "" examples,coverage,fuzzing,stateful "$EXAMPLES"; }
fuzz_keys() { fuzz "with API keys" "$FUZZ_KEY" examples,fuzzing,stateful "$KEYS_EXAMPLES" --header "Authorization: Bearer $FUZZ_KEY" --mode positive; }

case "${1:-both}" in
  nokeys) fuzz_nokeys ;;
  keys) fuzz_keys ;;
  both)
    # Two commands, not `a && b`: set -e does not apply inside the left side of &&.
    fuzz_nokeys
    fuzz_keys
    ;;
  *) echo "usage: $0 [keys|nokeys]" >&2; exit 2 ;;
esac
