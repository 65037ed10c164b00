#!/usr/bin/env bash
# Runs test tiers in the order given, each tier's setup (scripts/setup.sh) just before its tests
# and every setup step at most once per run, so a broken build fails in seconds, before anything
# is downloaded. `npm test` runs all four; README "Tests" says what each holds.
#
#   checks       generated code (src/gen), buf lint + breaking, tsc, the layer rule, every test file in one tier
#   unit         jest project `unit`: memory store and fakes; nothing but npm ci
#   integration  setup `integration` and dist/ (scripts/ensure-dist.js: the tests start the service from
#                it); jest project `integration`: LanceDB, real weights, real processes
#   external     setup `external`; Go stubs (clients/go/gen), then the Go client's tests and both
#                schemathesis runs (all three at once) beside jest project `external` (three files at a time;
#                EXTERNAL_JEST_WORKERS sets another count): Milvus,
#                Chromium, grpcurl, Docker Compose, the Go client over TLS (the contract suite's
#                files and the other external files that do not stop Milvus share one started here)
#
# Usage: scripts/test-tiers.sh TIER... [-- JEST ARGS]   e.g. scripts/test-tiers.sh unit -- -t 'filter'
set -Eeuo pipefail
cd "$(dirname "$0")/.."

# Tier names first; from `--` or the first other argument on, the rest goes to jest (so
# `npm run test:unit -- -t filter` or `npm run test:unit -- test/unit/config.test.ts` work too).
tiers=()
while [ $# -gt 0 ]; do
  case "$1" in
    checks | unit | integration | external) tiers+=("$1") ;;
    *) break ;;
  esac
  shift
done
[ "${1:-}" = "--" ] && shift
jest_args=("$@")
[ ${#tiers[@]} -gt 0 ] || { echo "usage: scripts/test-tiers.sh checks|unit|integration|external... [-- jest args]" >&2; exit 2; }

# The caller's jest arguments first: --selectProjects takes every word after it as a project name.
jest() { node --experimental-vm-modules node_modules/jest/bin/jest.js ${jest_args[@]+"${jest_args[@]}"} "$@"; }

# Cleanups of what this run started (background installs, Milvus, the jobs beside jest), run in
# order when the script exits, however it exits.
on_exit=()
run_on_exit() { local step; for step in ${on_exit[@]+"${on_exit[@]}"}; do eval "$step"; done; }
trap run_on_exit EXIT

declare -A ready=()
# Installs what `setup.sh --steps TIER` names, minus the steps an earlier tier of this run installed.
setup() {
  local todo=() step
  for step in $(bash scripts/setup.sh --steps "$1"); do
    [ -n "${ready[$step]:-}" ] && continue
    ready[$step]=1
    todo+=("$step")
  done
  [ ${#todo[@]} -eq 0 ] || bash scripts/setup.sh "${todo[@]}"
}

# One Milvus for the external jest files (each takes a database of its own and drops it:
# milvusDatabase in test/support/milvus-test-server.ts reads MILVUS_TEST_ADDRESS), instead of a
# server started per file; the files that stop Milvus (outage, crash) still start their own.
# Stopped when this script exits, and by milvus-server.sh's watchdog if it dies.
shared_milvus() {
  local port
  milvus_dir=$(mktemp -d "${TMPDIR:-/tmp}/taishang-milvus-shared-XXXXXX")
  on_exit+=('bash scripts/milvus-server.sh stop "$milvus_dir" >/dev/null 2>&1 || true; rm -rf "$milvus_dir"')
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  bash scripts/milvus-server.sh start "$milvus_dir" "$port" $$ >/dev/null
  export MILVUS_TEST_ADDRESS="127.0.0.1:$port"
}

# When the external tier comes later in this run, its installs (Go builds of grpcurl and Compose,
# pip, apt: about three minutes on a fresh clone, mostly compiling) start in the background at the
# lowest CPU priority once the integration tier's own setup is done, so they use what its tests
# leave idle; the external tier waits for them. Their output is printed there, and a failure
# fails the run there.
later_pid=''
later_log=''
install_later_in_background() {
  local todo=() step
  for step in $(bash scripts/setup.sh --steps external); do
    [ -n "${ready[$step]:-}" ] && continue
    ready[$step]=1
    todo+=("$step")
  done
  [ ${#todo[@]} -gt 0 ] || return 0
  later_log=$(mktemp "${TMPDIR:-/tmp}/taishang-setup-XXXXXX")
  nice -n 19 bash scripts/setup.sh "${todo[@]}" >"$later_log" 2>&1 &
  later_pid=$!
  on_exit+=('[ -z "$later_pid" ] || kill "$later_pid" 2>/dev/null || true')
}
wait_background_install() {
  [ -n "$later_pid" ] || return 0
  local status=0
  wait "$later_pid" || status=$?
  cat "$later_log"
  rm -f "$later_log"
  later_pid=''
  [ "$status" -eq 0 ] || { echo "setup (run in the background during the integration tier) failed with status $status" >&2; return "$status"; }
}

# The Go client's tests and both schemathesis runs (without keys, with a key) at once, each run
# against its own service: each is one process (Go, Python) driving a service that mostly waits,
# and the run without keys is the longest job of the tier, so nothing goes before it. Their
# outputs follow one another.
beside_jobs() {
  local dir status=0 job
  dir=$(mktemp -d "${TMPDIR:-/tmp}/taishang-beside-logs-XXXXXX")
  bash scripts/schemathesis.sh nokeys >"$dir/1-nokeys.log" 2>&1 &
  local nokeys=$!
  bash scripts/schemathesis.sh keys >"$dir/2-keys.log" 2>&1 &
  local keys=$!
  bash scripts/test-go.sh >"$dir/0-go.log" 2>&1 &
  local go=$!
  for job in "$go" "$nokeys" "$keys"; do wait "$job" || status=$?; done
  cat "$dir/0-go.log" "$dir/1-nokeys.log" "$dir/2-keys.log"
  rm -rf "$dir"
  return "$status"
}

# The Go client's tests and both schemathesis runs share nothing with the external jest files and,
# like them, spend much of their time waiting (on Milvus, on a service), so they run beside jest:
# the tier took 409 s one after another with 1.1 of 2 cores busy. Their output is printed after
# jest's, and a failure fails the tier there.
beside_pid=''
beside_log=''
beside_jest() {
  beside_log=$(mktemp "${TMPDIR:-/tmp}/taishang-beside-XXXXXX")
  # A process group of its own (job control on for this one job), so that a failing jest run
  # stops it, the services and fuzzers it started included.
  set -m
  beside_jobs >"$beside_log" 2>&1 &
  beside_pid=$!
  set +m
  on_exit+=('[ -z "$beside_pid" ] || kill -TERM -- "-$beside_pid" 2>/dev/null || true')
}
wait_beside_jest() {
  local status=0
  wait "$beside_pid" || status=$?
  beside_pid=''
  echo "=== Go client tests and schemathesis (run beside the external jest files)"
  cat "$beside_log"
  rm -f "$beside_log"
  [ "$status" -eq 0 ] || { echo "Go client tests or schemathesis failed with status $status" >&2; return "$status"; }
}

run_tier() {
  case "$1" in
    checks)
      # tsc, the longest check (about 10 s on one core), beside the others on the other core.
      npm run -s typecheck &
      local typecheck=$!
      bash scripts/check-generated.sh ts
      npm run -s check:layers
      bash scripts/check-tiers.sh
      wait "$typecheck"
      ;;
    unit) jest --selectProjects unit --maxWorkers=2 ;;
    integration)
      # dist/, from which this tier's tests start the service, built while the weights are fetched
      # and checked (on a fresh clone each takes about 10 s). Beside tsc in the checks tier it made
      # that tier 8 s longer: both are CPU-bound there.
      node scripts/ensure-dist.js &
      local build=$!
      setup integration
      wait "$build"
      if [[ " ${tiers[*]} " == *" external "* ]]; then install_later_in_background; fi
      jest --selectProjects integration --maxWorkers=2
      ;;
    external)
      wait_background_install
      setup external
      bash scripts/check-generated.sh go
      # Before the jobs beside jest start: they and jest's globalSetup would otherwise both build.
      node scripts/ensure-dist.js
      # The jobs beside jest need no Milvus, so they start while the shared one comes up (about
      # 5 s in which the tier had little else to do).
      beside_jest
      shared_milvus
      jest --selectProjects external --maxWorkers="${EXTERNAL_JEST_WORKERS:-3}"
      wait_beside_jest
      ;;
  esac
}

summary=()
tier=''
start=$SECONDS
trap 'echo "=== tier $tier FAILED after $((SECONDS - start)) s" >&2' ERR
for tier in "${tiers[@]}"; do
  echo "=== tier: $tier"
  start=$SECONDS
  run_tier "$tier"
  summary+=("$tier $((SECONDS - start)) s")
  echo "=== tier $tier passed in $((SECONDS - start)) s"
done
echo "=== all tiers passed: $(IFS=,; echo "${summary[*]}" | sed 's/,/, /g')"
