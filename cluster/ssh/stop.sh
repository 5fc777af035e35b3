#!/bin/sh
# Send SIGTERM to the workers cluster/ssh/launch.sh started; each hands its job back at once.
# Usage: cluster/ssh/stop.sh HOSTS_FILE
set -eu
[ $# -eq 1 ] || { echo "usage: $0 HOSTS_FILE" >&2; exit 64; }
grep -v '^[[:space:]]*#' "$1" | while read -r HOST _; do
    [ -n "$HOST" ] || continue
    ssh -n "$HOST" '[ -f .sparseseg-workers.pids ] && xargs kill -TERM <.sparseseg-workers.pids 2>/dev/null; rm -f .sparseseg-workers.pids' || true
    echo "stopped the workers on $HOST"
done
