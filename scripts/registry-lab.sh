#!/usr/bin/env bash
# A private image registry for pull tests: Debian's docker-registry (distribution 2.8) on
# 127.0.0.1 with htpasswd auth over plain HTTP, holding the lab's busybox image (pushed with
# skopeo), and a containerd hosts.toml so the lab containerd pulls from it over HTTP.
#
#   registry-lab.sh up   DIR LABDIR   start; last stdout line is HOST:PORT; DIR/password has the password
#   registry-lab.sh down DIR LABDIR   stop and remove it
set -euo pipefail

cmd="${1:-}"
dir="${2:?registry dir}"
labdir="${3:?runtime lab dir (scripts/runtime-lab.sh)}"
user=crictl

log() { echo "registry-lab: $*" >&2; }

install_packages() {
  local missing=()
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v skopeo >/dev/null || missing+=(skopeo)
  command -v htpasswd >/dev/null || missing+=(apache2-utils)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
  fi
}

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

running() { [ -f "$dir/registry.pid" ] && kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; }

up() {
  install_packages
  if ! running; then
    mkdir -p "$dir/data"
    local port; port="$(free_port)"
    echo "127.0.0.1:$port" > "$dir/address"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
    # distribution accepts only bcrypt hashes.
    htpasswd -Bbn "$user" "$(cat "$dir/password")" > "$dir/htpasswd"
    cat > "$dir/config.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
auth:
  htpasswd:
    realm: crictl-test
    path: $dir/htpasswd
CFG
    docker-registry serve "$dir/config.yml" >> "$dir/registry.log" 2>&1 &
    echo $! > "$dir/registry.pid"
    local ok=""
    for _ in $(seq 1 100); do
      if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/" 2>/dev/null || true)" = "401" ]; then ok=1; break; fi
      sleep 0.1
    done
    [ -n "$ok" ] || { log "registry did not start; see $dir/registry.log"; tail -5 "$dir/registry.log" >&2; exit 1; }
    # Push the lab's busybox (an OCI layout tarball) under a test name.
    rm -rf "$dir/oci" && mkdir -p "$dir/oci"
    tar -C "$dir/oci" -xf "$labdir/images/busybox.tar"
    skopeo copy --quiet --dest-tls-verify=false --dest-creds "$user:$(cat "$dir/password")" \
      "oci:$dir/oci" "docker://127.0.0.1:$port/test/busybox:pulltest" >&2
  fi
  local address; address="$(cat "$dir/address")"
  # containerd reads registry host config at pull time (config_path in runtime-lab.sh).
  mkdir -p "$labdir/certs.d/$address"
  cat > "$labdir/certs.d/$address/hosts.toml" <<TOML
server = "http://$address"

[host."http://$address"]
  capabilities = ["pull", "resolve"]
TOML
  echo "$address"
}

down() {
  if running; then
    kill "$(cat "$dir/registry.pid")" 2>/dev/null || true
  fi
  [ -f "$dir/address" ] && rm -rf "$labdir/certs.d/$(cat "$dir/address")"
  rm -rf "$dir"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down DIR LABDIR" >&2; exit 2 ;;
esac
