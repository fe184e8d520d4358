#!/usr/bin/env bash
# A private containerd for end-to-end tests and the demo, on a Debian machine with no image
# registry: own root/state/socket under one directory, CNI from Debian's plugins, and images
# (pause, busybox) built locally as OCI layouts and imported into the k8s.io namespace.
#
#   runtime-lab.sh up   [DIR]   start (idempotent); last stdout line is the endpoint
#   runtime-lab.sh down [DIR]   stop it and remove everything it made
#   runtime-lab.sh env  [DIR]   print CONTAINER_RUNTIME_ENDPOINT=...
#   runtime-lab.sh restart [DIR]  restart containerd only (containers keep running)
set -euo pipefail

cmd="${1:-}"
dir="${2:-${CRICTL_LAB_DIR:-/tmp/crictl-lab}}"
here="$(cd "$(dirname "$0")/.." && pwd)"
sock="$dir/containerd.sock"
# One bridge per lab directory, so two labs (tests, demo) do not share one.
bridge="crl$(printf '%s' "$dir" | md5sum | cut -c1-8)"
subnet_octet=$(( $(printf '%d' "0x$(printf '%s' "$dir" | md5sum | cut -c1-2)") % 200 + 20 ))

log() { echo "runtime-lab: $*" >&2; }

install_packages() {
  local missing=()
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  [ -x /bin/busybox ] || missing+=(busybox-static)
  command -v iptables >/dev/null || missing+=(iptables)
  command -v gcc >/dev/null || missing+=(gcc libc6-dev)
  [ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/aarch64-linux-gnu/libc.a ] || missing+=(libc6-dev)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    # Another apt may hold the lock for a while (e.g. right after boot): wait for it.
    for _ in $(seq 1 120); do
      fuser /var/lib/dpkg/lock-frontend >/dev/null 2>&1 || break
      sleep 2
    done
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
  # busybox-static may be installed but shadowed: make sure the static binary is what we copy.
  if ! file -L /bin/busybox 2>/dev/null | grep -q static && [ -x /bin/busybox ]; then
    ldd /bin/busybox >/dev/null 2>&1 && log "warning: /bin/busybox is dynamic; install busybox-static"
  fi
}

arch() { dpkg --print-architecture; }

# Builds an OCI image-layout tarball from a root filesystem directory. Fixed mtimes and
# ownership make it reproducible, so the image ID is stable across machines.
#   oci_image REF ROOTFS OUT.tar CMD_JSON
oci_image() {
  local ref=$1 rootfs=$2 out=$3 cmd_json=$4 work
  work="$(mktemp -d)"
  mkdir -p "$work/blobs/sha256"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
  local diff_id; diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -n -9 -c "$work/layer.tar" > "$work/layer.tgz"
  local layer; layer=$(sha256sum "$work/layer.tgz" | cut -d' ' -f1)
  local layer_size; layer_size=$(stat -c%s "$work/layer.tgz")
  mv "$work/layer.tgz" "$work/blobs/sha256/$layer"
  rm "$work/layer.tar"

  printf '{"architecture":"%s","os":"linux","config":{"Cmd":%s,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$(arch)" "$cmd_json" "$diff_id" > "$work/config.json"
  local config; config=$(sha256sum "$work/config.json" | cut -d' ' -f1)
  local config_size; config_size=$(stat -c%s "$work/config.json")
  mv "$work/config.json" "$work/blobs/sha256/$config"

  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
    "$config" "$config_size" "$layer" "$layer_size" > "$work/manifest.json"
  local manifest; manifest=$(sha256sum "$work/manifest.json" | cut -d' ' -f1)
  local manifest_size; manifest_size=$(stat -c%s "$work/manifest.json")
  mv "$work/manifest.json" "$work/blobs/sha256/$manifest"

  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"},"platform":{"architecture":"%s","os":"linux"}}]}' \
    "$manifest" "$manifest_size" "$ref" "$(arch)" > "$work/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$work/oci-layout"
  tar --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out" oci-layout index.json blobs
  rm -rf "$work"
}

build_images() {
  local images="$dir/images" rootfs
  mkdir -p "$images"
  if [ ! -s "$images/pause.tar" ]; then
    rootfs="$(mktemp -d)"
    gcc -static -Os -s -o "$rootfs/pause" "$here/fixtures/images/pause.c"
    oci_image registry.k8s.io/pause:3.6 "$rootfs" "$images/pause.tar" '["/pause"]'
    rm -rf "$rootfs"
  fi
  if [ ! -s "$images/busybox.tar" ]; then
    rootfs="$(mktemp -d)"
    mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
    cp /bin/busybox "$rootfs/bin/busybox"
    for applet in sh ash echo cat sleep top nc httpd ls ps env id true false date hostname wc head tail seq yes printf kill mkdir rm touch grep sed; do
      ln -s busybox "$rootfs/bin/$applet"
    done
    echo 'root:x:0:0:root:/root:/bin/sh' > "$rootfs/etc/passwd"
    echo 'root:x:0:' > "$rootfs/etc/group"
    oci_image docker.io/library/busybox:1.33.1 "$rootfs" "$images/busybox.tar" '["sh"]'
    rm -rf "$rootfs"
  fi
}

write_config() {
  mkdir -p "$dir/root" "$dir/state" "$dir/cni" "$dir/logs" "$dir/certs.d"
  cat > "$dir/config.toml" <<EOF
version = 2
root = "$dir/root"
state = "$dir/state"
# Plugins this VM cannot or need not run.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = "$dir/debug.sock"
[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.6"
  # Without this runc fails here with "can't get final child's PID from pipe: EOF".
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
  # Per-registry host config (plain-HTTP test registries: see registry-lab.sh), read at pull time.
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni"
EOF
  cat > "$dir/cni/10-crictl-lab.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "crictl-lab-$bridge",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$bridge",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "10.$subnet_octet.77.0/24" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$dir/cni-ipam"
      }
    },
    { "type": "portmap", "capabilities": { "portMappings": true } },
    { "type": "loopback" }
  ]
}
EOF
}

running() { [ -f "$dir/containerd.pid" ] && kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; }

ctr_() { ctr --address "$sock" -n k8s.io "$@"; }

up() {
  [ "$(id -u)" = "0" ] || { log "needs root"; exit 1; }
  install_packages
  if ! running; then
    write_config
    build_images
    # Each container holds open files in containerd: give it what the machine allows.
    ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    rm -f "$sock" # a stale socket from a killed containerd would look like a live one
    containerd --config "$dir/config.toml" >> "$dir/containerd.log" 2>&1 &
    echo $! > "$dir/containerd.pid"
    for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.1; done
    [ -S "$sock" ] || { log "containerd did not start; see $dir/containerd.log"; tail -20 "$dir/containerd.log" >&2; exit 1; }
  fi
  build_images
  local have; have="$(ctr_ images ls -q 2>/dev/null || true)"
  grep -qx 'registry.k8s.io/pause:3.6' <<<"$have" || ctr_ images import "$dir/images/pause.tar" >&2
  grep -qx 'docker.io/library/busybox:1.33.1' <<<"$have" || ctr_ images import "$dir/images/busybox.tar" >&2
  # The CRI plugin answers "server is not initialized yet" for a few seconds after start.
  for _ in $(seq 1 150); do
    ctr_ plugins ls 2>/dev/null | grep -q 'io.containerd.grpc.v1 *cri *linux/[a-z0-9]* *ok' && break
    sleep 0.2
  done
  echo "unix://$sock"
}

down() {
  if running; then
    local pid; pid="$(cat "$dir/containerd.pid")"
    # Tear pods down through the runtime first, so CNI releases addresses, netns and rules.
    if [ -f "$here/dist/crictl.js" ]; then
      timeout 60 node "$here/dist/crictl.js" -r "unix://$sock" -t 30s rmp -a -f >/dev/null 2>&1 || true
    fi
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  # Shims and the processes they run outlive containerd: end those that belong to this lab.
  local p
  for p in $(pgrep -f "containerd-shim.*-address $sock" 2>/dev/null || true); do
    pkill -KILL -P "$p" 2>/dev/null || true
    kill -KILL "$p" 2>/dev/null || true
  done
  for p in $(pgrep -f "containerd-shim.*$dir" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
  if [ -d "$dir" ]; then
    # Unmount deepest first (rootfs overlays, shm).
    awk -v d="$dir" '$2 ~ "^"d {print $2}' /proc/self/mounts | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  fi
  ip link delete "$bridge" 2>/dev/null || true
  rm -rf "$dir"
}

# Restarts containerd alone (containers and their shims keep running), as an upgrade would.
restart() {
  running || { log "not running"; exit 1; }
  local pid; pid="$(cat "$dir/containerd.pid")"
  kill -TERM "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  up
}

# A tiny extra image named REF (one file holding REF, so each name is a distinct image),
# imported into the running lab: for tests that need an image nothing uses.
test_image() {
  local ref="${1:?image reference}" rootfs tarball
  running || { log "not running"; exit 1; }
  rootfs="$(mktemp -d)"
  tarball="$(mktemp)"
  printf '%s\n' "$ref" > "$rootfs/name"
  oci_image "$ref" "$rootfs" "$tarball" '["/name"]'
  ctr_ images import "$tarball" >&2
  rm -rf "$rootfs" "$tarball"
}

case "$cmd" in
  up) up ;;
  restart) restart ;;
  test-image) test_image "${3:-}" ;;
  down) down ;;
  env) echo "CONTAINER_RUNTIME_ENDPOINT=unix://$sock" ;;
  *) echo "usage: $0 up|down|restart|env [DIR] | test-image DIR REF" >&2; exit 2 ;;
esac
