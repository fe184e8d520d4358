#!/bin/sh
# dist/crictl: what `crictl` and `crictl-ts` run.
#
# Node itself starts in 30-40 ms; loading grpc-js, protobufjs, clipanion and the CRI schema would
# add over 100 ms to every command. The build saves them, loaded and warmed up, in a V8 startup
# snapshot (crictl.blob) that only the node binary which built it can load, so this starts from
# the snapshot when that same binary is the `node` on PATH, and from the plain bundle otherwise.
# CRICTL_TS_NO_SNAPSHOT=1 forces the plain bundle.
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
# crictl.blob.node names the node binary that made the snapshot and bears its modification
# time; its second line holds the V8 flags the snapshot was made with, which a run must repeat.
# Only shell built-ins here: every process started on the way costs about a millisecond.
if [ -z "${CRICTL_TS_NO_SNAPSHOT:-}" ] && [ -r "$dir/crictl.blob" ] \
  && { read -r built_by && read -r v8_flags; } 2>/dev/null < "$dir/crictl.blob.node" \
  && [ "$node" -ef "$built_by" ] && ! [ "$node" -nt "$dir/crictl.blob.node" ] && ! [ "$node" -ot "$dir/crictl.blob.node" ]; then
  # `--` ends node's options; the next word stands in for the script path (process.argv[1]).
  # shellcheck disable=SC2086 # v8_flags is a list
  exec "$node" $v8_flags --snapshot-blob "$dir/crictl.blob" -- "$self" "$@"
fi
exec "$node" "$dir/crictl.js" "$@"
