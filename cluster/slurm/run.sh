#!/usr/bin/env bash
# Run an experiment on a Slurm cluster: the coordinator starts here (the login node, or any
# host the compute nodes can reach), the workers go to Slurm as one job array.
#
#   cluster/slurm/run.sh EXPERIMENT RUN_DIR [--workers N] [--threads T] [--host H] [--port P]
#                        [--keys DIR] [--partition P] [--time T] [--mem M] [--wait]
#
#   --workers N   array elements, one worker each (default 4)
#   --threads T   OpenBLAS threads per worker = --cpus-per-task (default 1)
#   --host H      the address workers reach the coordinator at (default: hostname -f);
#                 127.0.0.1 or localhost keeps everything on this node, in plaintext
#   --port P      the coordinator's TCP port (default 5555)
#   --keys DIR    CURVE keys from `sparseseg keys generate DIR` (required unless --host is
#                 loopback); RUN_DIR and DIR must be on a file system the nodes share
#   --wait        wait for the run to end, then cancel the array and exit with the
#                 coordinator's status (otherwise return once everything is started)
#
# Logs: RUN_DIR/logs/coordinator.log and RUN_DIR/logs/worker-<element>.log (appended to, so a
# requeued or restarted worker keeps its history; each start logs SLURM_RESTART_COUNT).
# A worker that dies is restarted in place by its array element (cluster/slurm/worker.sbatch,
# up to SPARSESEG_MAX_RESTARTS times) while the coordinator requeues its job at once; an
# element that fails as a whole (restarts used up, out of memory, node failure) is requeued
# with `scontrol requeue` by cluster/slurm/requeue-failed.sh, which runs beside the
# coordinator (log: RUN_DIR/logs/requeue.log).
# Started again with the same RUN_DIR, the run resumes: finished jobs are not rerun.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
usage() { sed -n '4,15p' "$0" >&2; exit 64; }
[ $# -ge 2 ] || usage
experiment=$(realpath "$1")
run_dir=$(mkdir -p "$2" && cd "$2" && pwd)
shift 2
workers=4 threads=1 host=$(hostname -f) port=5555 keys="" wait=0 sbatch_extra=()
while [ $# -gt 0 ]; do
    case $1 in
        --workers) workers=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --host) host=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --keys) keys=$(realpath "$2"); shift 2 ;;
        --partition) sbatch_extra+=(--partition "$2"); shift 2 ;;
        --time) sbatch_extra+=(--time "$2"); shift 2 ;;
        --mem) sbatch_extra+=(--mem "$2"); shift 2 ;;
        --wait) wait=1; shift ;;
        *) echo "$0: unknown option $1" >&2; usage ;;
    esac
done
sparseseg=${SPARSESEG:-$(command -v sparseseg || true)}
[ -x "$sparseseg" ] || { echo "$0: no sparseseg binary (set SPARSESEG=/path/to/sparseseg)" >&2; exit 66; }
sparseseg=$(realpath "$sparseseg")

case $host in
    127.0.0.1|localhost) bind="tcp://127.0.0.1:$port" ;;
    *)
        bind="tcp://0.0.0.0:$port"
        [ -n "$keys" ] || { echo "$0: workers on other nodes need CURVE keys: give --keys DIR (sparseseg keys generate DIR)" >&2; exit 64; }
        ;;
esac
key_args=()
[ -z "$keys" ] || key_args=(--keys "$keys")

mkdir -p "$run_dir/logs"
nohup "$sparseseg" coordinator "$experiment" --bind "$bind" --out "$run_dir" "${key_args[@]}" \
    >>"$run_dir/logs/coordinator.log" 2>&1 &
coordinator=$!
echo "$coordinator" >"$run_dir/coordinator.pid"

array=$(sbatch --parsable --job-name=sparseseg-workers --array="0-$((workers - 1))" \
    --cpus-per-task="$threads" --ntasks=1 --requeue --open-mode=append \
    --output="$run_dir/logs/worker-%a.log" "${sbatch_extra[@]}" \
    --export="ALL,SPARSESEG=$sparseseg,SPARSESEG_ENDPOINT=tcp://$host:$port,SPARSESEG_THREADS=$threads,SPARSESEG_KEYS=$keys,SPARSESEG_RUN_DIR=$run_dir" \
    "$here/worker.sbatch")
echo "$array" >"$run_dir/slurm-array.id"
nohup "$here/requeue-failed.sh" "$array" "$coordinator" >>"$run_dir/logs/requeue.log" 2>&1 &
echo "$!" >"$run_dir/requeue.pid"
echo "coordinator pid $coordinator on $bind; workers: Slurm array $array ($workers x $threads thread(s))"
echo "follow: $sparseseg status --connect tcp://$host:$port   report: $run_dir/table.md"

if [ "$wait" = 1 ]; then
    status=0
    wait "$coordinator" || status=$?
    scancel "$array" 2>/dev/null || true
    echo "coordinator exited with status $status"
    exit "$status"
fi
