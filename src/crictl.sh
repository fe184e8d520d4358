#!/bin/sh
# dist/crictl: what `crictl` and `crictl-ts` run. It starts node on dist/crictl.cjs, which compiles
# the CLI with a per-machine V8 code cache when it has one (see src/startup/loader.ts).
#
# node reads NODE_EXTRA_CA_CERTS at every start (60 ms for a large bundle), yet only streaming over
# TLS needs it: it goes over as CRICTL_TS_EXTRA_CA_CERTS, read where a certificate is verified.
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then
  export CRICTL_TS_EXTRA_CA_CERTS="$NODE_EXTRA_CA_CERTS"
  unset NODE_EXTRA_CA_CERTS
fi
# npm installs the command as a link to this file; following it costs a process, so only then.
self=$0
if [ -L "$self" ]; then self=$(readlink -f "$self") || exit 127; fi
case $self in */*) dir=${self%/*} ;; *) dir=. ;; esac
node=$(command -v node) || { echo "crictl: node not found on PATH" >&2; exit 127; }
# A 2 MiB young generation to start with (V8 grows it when needed): larger ones save a few
# scavenges but every page they touch stays resident (17 MiB more for `ps -a` over 5 000
# containers at 16 MiB, for ~5% less time).
exec "$node" --min-semi-space-size=2 "$dir/crictl.cjs" "$@"
