#!/usr/bin/env bash
# `npm test`: install, build, bring up the private containerd (as root), run every test once.
# Unit tests (test/unit) import modules; CLI tests (test/cli) run the build against fake servers;
# end-to-end tests (test/e2e) need root and the lab runtime, and are skipped loudly (not silently)
# when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

# The CLI keeps a code cache per machine ($XDG_CACHE_HOME/crictl-ts, else /var/cache/crictl-ts
# for root): tests keep theirs in a temporary directory.
cache_tmp=""
if [ -z "${XDG_CACHE_HOME:-}" ]; then
  cache_tmp="$(mktemp -d)"
  export XDG_CACHE_HOME="$cache_tmp"
fi

lab_started=""
validate_tmp=""
cleanup() {
  # First: taking the lab down runs the CLI (rmp -a), which uses the code cache directory too.
  if [ -n "$lab_started" ] && [ -z "${CRICTL_KEEP_LAB:-}" ]; then
    bash scripts/runtime-lab.sh down "$CRICTL_LAB_DIR" >/dev/null 2>&1 || true
  fi
  if [ -n "$cache_tmp" ]; then
    # A code-cache build started by the last CLI run would recreate the directory after it is
    # removed: wait (bounded) until no builder is left.
    for _ in $(seq 1 50); do
      grep -lqsz '^CRICTL_TS_BUILD_CODE_CACHE=' /proc/[0-9]*/environ || break
      sleep 0.2
    done
    rm -rf "$cache_tmp"
  fi
  if [ -n "$validate_tmp" ]; then rm -rf "$validate_tmp"; fi
}
trap cleanup EXIT

if [ "$(id -u)" = "0" ]; then
  # Terminal tests drive exec -it/attach -it through tmux and util-linux script.
  if ! command -v tmux >/dev/null || ! command -v script >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux util-linux >/dev/null
  fi
  # Completion tests drive each shell's completion function; a shell that cannot be installed is
  # skipped by its test with a reason.
  if ! command -v zsh >/dev/null || ! command -v fish >/dev/null || [ ! -f /usr/share/bash-completion/bash_completion ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh fish bash-completion >/dev/null; } || echo "test: could not install zsh/fish/bash-completion; their completion tests are skipped"
  fi
  export CRICTL_LAB_DIR="${CRICTL_LAB_DIR:-/tmp/crictl-ts-test-lab}"
  lab_started=1
  CRICTL_TEST_ENDPOINT="$(bash scripts/runtime-lab.sh up "$CRICTL_LAB_DIR" | tail -n 1)"
  export CRICTL_TEST_ENDPOINT
  # The CRI plugin says "server is not initialized yet" for a few seconds after a start.
  for _ in $(seq 1 100); do
    node dist/crictl.js -r "$CRICTL_TEST_ENDPOINT" info -o go-template \
      --template '{{range .status.conditions}}{{.type}}={{.status}} {{end}}' 2>/dev/null | grep -q 'RuntimeReady=true' && break
    sleep 0.3
  done
  echo "test: runtime lab at $CRICTL_TEST_ENDPOINT"
else
  echo "################################################################"
  echo "# NOT ROOT: end-to-end tests against containerd will be SKIPPED #"
  echo "# run 'sudo npm test' to include them                          #"
  echo "################################################################"
fi

# CRI conformance of the lab's containerd, as a CI job runs it (first, so that the test summary
# ends the output); any unexpected failure fails the run once the tests have run.
validate_status=0
if [ -n "$lab_started" ]; then
  validate_tmp="$(mktemp -d)"
  node dist/crictl.js -r "$CRICTL_TEST_ENDPOINT" validate --parallel 4 --flake-attempts 2 \
    --junit "$validate_tmp/validate.xml" || validate_status=$?
fi

# One runner invocation, so the closing summary counts every test.
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  test/unit/*.test.ts test/cli/*.test.ts test/e2e/*.test.ts

if [ "$validate_status" != 0 ]; then
  echo "test: validate found unexpected failures (exit $validate_status); see its report above"
  exit "$validate_status"
fi
