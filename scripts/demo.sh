#!/usr/bin/env bash
# `npm run demo`: install, build, start a private containerd (root), and walk a pod through
# runp → create → start → exec → logs → stats → cleanup with the crictl-ts CLI.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != "0" ]; then
  echo "demo: needs root (it starts a private containerd); run: sudo npm run demo" >&2
  exit 1
fi
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

export CRICTL_LAB_DIR="${CRICTL_LAB_DIR:-/tmp/crictl-ts-demo-lab}"
endpoint="$(bash scripts/runtime-lab.sh up "$CRICTL_LAB_DIR" | tail -n 1)"
trap 'bash scripts/runtime-lab.sh down "$CRICTL_LAB_DIR" >/dev/null 2>&1 || true' EXIT

crictl() { dist/crictl --runtime-endpoint "$endpoint" "$@"; }
step() { printf '\n\033[1m$ crictl %s\033[0m\n' "$*"; crictl "$@"; }

# A pod config with a cgroup parent, so pod stats work; logs go to a temp dir.
work="$(mktemp -d)"
sed -e "s#\"log_directory\": \"/tmp\"#\"log_directory\": \"$work\"#" \
    -e 's#"linux": {}#"linux": {"cgroup_parent": "/crictl-ts-demo"}#' fixtures/pod-config.json > "$work/pod-config.json"
sed -e 's#"top"#"sh", "-c", "echo hello from busybox; while true; do date; sleep 1; done"#' fixtures/container-config.json > "$work/container-config.json"

step version
step info -o go-template --template '{{range .status.conditions}}{{.type}}={{.status}} {{end}}'
step images
printf '\n\033[1m$ crictl runp %s\033[0m\n' "$work/pod-config.json"
pod="$(crictl runp "$work/pod-config.json")"; echo "$pod"
printf '\n\033[1m$ crictl create %s ...\033[0m\n' "${pod:0:13}"
ctr="$(crictl create "$pod" "$work/container-config.json" "$work/pod-config.json")"; echo "$ctr"
step start "$ctr"
step pods
step ps
step exec -s "$ctr" sh -c 'echo "hi from $(hostname)"; id'
# Streaming exec (SPDY, then WebSocket) exits with the remote command's own code.
for transport in spdy websocket; do
  printf '\n\033[1m$ crictl exec --transport %s %s sh -c ...\033[0m\n' "$transport" "${ctr:0:13}"
  crictl exec --transport "$transport" "$ctr" sh -c "echo streamed over $transport; exit 3" || echo "(exit code $?)"
done
printf '\n\033[1m$ echo hello | crictl exec -i %s cat\033[0m\n' "${ctr:0:13}"
echo hello | crictl exec -i "$ctr" cat
sleep 2
step logs --tail 3 -t "$ctr"
step stats
step statsp
step inspect -o go-template --template '{{.status.state}} pid={{.info.pid}}' "$ctr"
step stop "$ctr"
step rm "$ctr"
step stopp "$pod"
step rmp "$pod"
step ps -a
echo
echo "demo: done (the private containerd is stopped on exit)"
