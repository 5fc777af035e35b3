#!/usr/bin/env bash
# End-to-end test of the Slurm launch on a real single-node Slurm: brings the cluster up, runs
# an experiment (default: experiments/smoke.yaml) with its workers as a Slurm array, kills one
# worker with SIGKILL mid-run, and checks that the run completes with every job counted once;
# then tears the cluster down. Needs root (munge and the Slurm daemons).
#
#   cluster/slurm/test-local.sh SPARSESEG_BINARY [EXPERIMENT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$(realpath "$1")
experiment=$(realpath "${2:-$here/../../experiments/smoke.yaml}")
work=$(mktemp -d /tmp/sparseseg-slurm-test.XXXXXX)
port=$((20000 + RANDOM % 20000))
runner=""

cleanup() {
    [ -z "$runner" ] || kill "$runner" 2>/dev/null || true
    [ -f "$work/run/coordinator.pid" ] && kill "$(cat "$work/run/coordinator.pid")" 2>/dev/null || true
    [ -f "$work/run/slurm-array.id" ] && scancel "$(cat "$work/run/slurm-array.id")" 2>/dev/null || true
    "$here/local-cluster.sh" down "$work/slurm" || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 20 "$work"/run/logs/*.log >&2 || true; exit 1; }

eval "export $("$here/local-cluster.sh" up "$work/slurm")"
SPARSESEG=$binary "$here/run.sh" "$experiment" "$work/run" --workers 2 --host 127.0.0.1 --port "$port" --wait \
    >"$work/run.out" 2>&1 &
runner=$!

# Wait for the first finished job, then kill a worker: by then both workers are busy.
for _ in $(seq 1 600); do
    [ -s "$work/run/results.jsonl" ] && break
    kill -0 "$runner" 2>/dev/null || fail "the run ended before any job finished: $(cat "$work/run.out")"
    sleep 0.1
done
[ -s "$work/run/results.jsonl" ] || fail "no job finished within 60 s"
victim=$(pgrep -f "sparseseg worker --connect tcp://127.0.0.1:$port" | head -n 1)
[ -n "$victim" ] || fail "no worker process to kill"
kill -9 "$victim"
echo "killed worker pid $victim"

status=0
wait "$runner" || status=$?
runner=""
[ "$status" = 0 ] || fail "run.sh exited with $status: $(cat "$work/run.out")"
expected=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['jobs']))" "$work/run/jobs.json")
lines=$(wc -l <"$work/run/results.jsonl")
unique=$(python3 -c "import json,sys; print(len({json.loads(l)['job'] for l in open(sys.argv[1])}))" "$work/run/results.jsonl")
[ "$lines" = "$expected" ] || fail "results.jsonl has $lines lines for $expected jobs"
[ "$unique" = "$expected" ] || fail "results.jsonl has $unique distinct jobs for $expected"
grep -q "restarting (1)" "$work"/run/logs/worker-*.log || fail "no worker log says the killed worker was restarted"
grep -q "SLURM_RESTART_COUNT=" "$work"/run/logs/worker-0.log || fail "worker-0.log lacks SLURM_RESTART_COUNT"
grep -q "all $expected jobs completed" "$work/run/table.md" || fail "table.md does not report all $expected jobs completed"
echo "slurm test passed: $expected jobs, each counted once, after killing worker $victim"
