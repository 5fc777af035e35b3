#!/bin/sh
# Start a SparseSeg coordinator here and workers over ssh on the hosts of a host file.
# Usage: cluster/ssh/launch.sh EXPERIMENT_OR_JOBS_FILE RUN_DIR HOSTS_FILE [PORT]
# Environment: KEYS (key directory, default keys), SPARSESEG (binary, default sparseseg),
# COORDINATOR_HOST (address workers use to reach this machine, default: hostname -f).
set -eu

if [ $# -lt 3 ]; then
    echo "usage: $0 EXPERIMENT_OR_JOBS_FILE RUN_DIR HOSTS_FILE [PORT]" >&2
    exit 64
fi
JOBS=$1 RUN_DIR=$2 HOSTS=$3 PORT=${4:-5555}
KEYS=${KEYS:-keys}
SPARSESEG=${SPARSESEG:-sparseseg}
COORDINATOR_HOST=${COORDINATOR_HOST:-$(hostname -f)}
ENDPOINT="tcp://$COORDINATOR_HOST:$PORT"

for f in "$KEYS/coordinator.key" "$KEYS/coordinator.pub" "$KEYS/worker.key" "$KEYS/authorized_keys"; do
    [ -f "$f" ] || { echo "$0: $f missing; run: $SPARSESEG keys generate $KEYS" >&2; exit 66; }
done
[ -f "$HOSTS" ] || { echo "$0: host file $HOSTS missing" >&2; exit 66; }

mkdir -p "$RUN_DIR/logs"
"$SPARSESEG" coordinator "$JOBS" --bind "tcp://0.0.0.0:$PORT" --out "$RUN_DIR" --keys "$KEYS" \
    2>>"$RUN_DIR/logs/coordinator.log" &
COORDINATOR=$!
trap 'kill -TERM $COORDINATOR 2>/dev/null || true' INT TERM

# Each host gets the coordinator's public key and the worker keypair in ~/.sparseseg-keys.
grep -v '^[[:space:]]*#' "$HOSTS" | while read -r HOST WORKERS THREADS; do
    [ -n "$HOST" ] || continue
    WORKERS=${WORKERS:-1} THREADS=${THREADS:-1}
    ssh -n "$HOST" 'mkdir -p ~/.sparseseg-keys && chmod 700 ~/.sparseseg-keys'
    scp -q "$KEYS/coordinator.pub" "$KEYS/worker.key" "$HOST:.sparseseg-keys/"
    i=1
    while [ "$i" -le "$WORKERS" ]; do
        ssh -n "$HOST" "nohup $SPARSESEG worker --connect $ENDPOINT --keys ~/.sparseseg-keys --threads $THREADS \
            >/dev/null 2>>sparseseg-worker-$i.log & echo \$! >>.sparseseg-workers.pids"
        i=$((i + 1))
    done
    echo "started $WORKERS worker(s) on $HOST"
done

wait $COORDINATOR
