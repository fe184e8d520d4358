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
cleanup() {
  if [ -n "$cache_tmp" ]; then rm -rf "$cache_tmp"; fi
  if [ -n "$lab_started" ] && [ -z "${CRICTL_KEEP_LAB:-}" ]; then
    bash scripts/runtime-lab.sh down "$CRICTL_LAB_DIR" >/dev/null 2>&1 || true
  fi
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

# One runner invocation, so the closing summary counts every test.
node --import tsx --test --test-concurrency=1 --test-reporter=spec \
  test/unit/*.test.ts test/cli/*.test.ts test/e2e/*.test.ts
