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
# No V8 flags: with any, V8 refuses node's compiled code for its own modules (http2, tls, net...),
# and compiling them again cost every command ~45 ms here.
exec "$node" "$dir/crictl.cjs" "$@"
