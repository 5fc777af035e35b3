#!/usr/bin/env bash
# End-to-end test of the Slurm launch on a real single-node Slurm. It brings the cluster up and
# runs an experiment (default: experiments/smoke.yaml on three folds with one seed, 30 jobs) with two workers
# as a Slurm array, each allowed one restart in place (SPARSESEG_MAX_RESTARTS=1). Then it kills,
# with SIGKILL, both workers while each holds a job, twice:
#   - the first time each array element restarts its worker;
#   - the second time both elements have used up their restarts and end FAILED, and
#     requeue-failed.sh puts them back in the queue, so the run cannot end without Slurm having
#     started them again.
# Checked: every job counted once; each killed job rerun as a later attempt; both logs
# appended to across the requeue (SLURM_RESTART_COUNT=0, then 1). Then it tears the cluster
# down. Runs as any user: local-cluster.sh starts munge and the Slurm daemons as root, directly
# or through passwordless sudo (exit status 77 when neither is available).
#
#   cluster/slurm/test-local.sh SPARSESEG_BINARY [EXPERIMENT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
binary=$(realpath "$1")
work=$(mktemp -d /tmp/sparseseg-slurm-test.XXXXXX)
if [ $# -ge 2 ]; then
    experiment=$(realpath "$2")
else
    experiment=$work/smoke3.yaml
    sed -e 's/^name: smoke$/name: smoke3/' -e 's/^run_folds: \[0\]$/run_folds: [0, 1, 2]/' -e 's/^seeds: \[0, 1\]$/seeds: [0]/' \
        "$here/../../experiments/smoke.yaml" >"$experiment"
fi
port=$((20000 + RANDOM % 20000))
endpoint=tcp://127.0.0.1:$port
runner=""

cleanup() {
    [ -z "$runner" ] || kill "$runner" 2>/dev/null || true
    for pidfile in coordinator.pid requeue.pid; do
        [ -f "$work/run/$pidfile" ] && kill "$(cat "$work/run/$pidfile")" 2>/dev/null || true
    done
    [ -f "$work/run/slurm-array.id" ] && scancel "$(cat "$work/run/slurm-array.id")" 2>/dev/null || true
    [ ! -d "$work/slurm" ] || "$here/local-cluster.sh" down "$work/slurm" || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    tail -n 30 "$work"/run.out "$work"/run/logs/*.log >&2 || true
    exit 1
}

# "JOB PID" for each running job: the pid of the worker that holds it (workers are host:pid).
busy_workers() {
    "$binary" status --connect "$endpoint" --json --timeout 2 2>/dev/null | python3 -c '
import json, sys
for job in json.load(sys.stdin)["jobs"]:
    if job["state"] == "running" and job.get("worker"):
        print(job["id"], job["worker"].rsplit(":", 1)[1])' || true
}

# Waits until both workers hold a job and neither pid is in "$1"; kills both; prints the jobs.
kill_both_busy_workers() {
    local spared=" $1 " lines=""
    for _ in $(seq 1 600); do
        kill -0 "$runner" 2>/dev/null || fail "the run ended before the workers could be killed: $(cat "$work/run.out")"
        lines=$(busy_workers | while read -r job pid; do
            case $spared in *" $pid "*) ;; *) echo "$job $pid" ;; esac
        done)
        [ "$(echo "$lines" | grep -c .)" -ge 2 ] && break
        sleep 0.1
    done
    [ "$(echo "$lines" | grep -c .)" -ge 2 ] || fail "two workers never held jobs at once"
    echo "$lines" | head -n 2 | while read -r job pid; do kill -9 "$pid"; echo "$job $pid"; done
}

conf=$("$here/local-cluster.sh" up "$work/slurm") || {
    status=$?
    [ "$status" != 77 ] || exit 77
    fail "the Slurm cluster did not come up"
}
export "$conf"
SPARSESEG_MAX_RESTARTS=1 SPARSESEG=$binary "$here/run.sh" "$experiment" "$work/run" --workers 2 --host 127.0.0.1 --port "$port" --wait \
    >"$work/run.out" 2>&1 &
runner=$!

for _ in $(seq 1 600); do
    [ -s "$work/run/results.jsonl" ] && break
    kill -0 "$runner" 2>/dev/null || fail "the run ended before any job finished: $(cat "$work/run.out")"
    sleep 0.1
done
[ -s "$work/run/results.jsonl" ] || fail "no job finished within 60 s"
first=$(kill_both_busy_workers "")
echo "killed, each element restarts its worker in place: $(echo $first)"
second=$(kill_both_busy_workers "$(echo "$first" | cut -d' ' -f2 | tr '\n' ' ')")
echo "killed again, both elements end FAILED and are requeued: $(echo $second)"

status=0
wait "$runner" || status=$?
runner=""
[ "$status" = 0 ] || fail "run.sh exited with $status: $(cat "$work/run.out")"
expected=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['jobs']))" "$work/run/jobs.json")
lines=$(wc -l <"$work/run/results.jsonl")
unique=$(python3 -c "import json,sys; print(len({json.loads(l)['job'] for l in open(sys.argv[1])}))" "$work/run/results.jsonl")
[ "$lines" = "$expected" ] || fail "results.jsonl has $lines lines for $expected jobs"
[ "$unique" = "$expected" ] || fail "results.jsonl has $unique distinct jobs for $expected"
# Each killed worker's job either finished before the kill reached it (done by that worker)
# or lost that attempt and was done by a later one; at least one kill must have hit a job.
printf '%s\n%s\n' "$first" "$second" | python3 -c '
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
requeued = 0
for line in sys.stdin.read().split("\n"):
    if not line.strip():
        continue
    job, pid = line.split()
    done = [r for r in records if r["kind"] == "done" and r["claim"]["job"] == job]
    lost = [r for r in records if r["kind"] == "attemptFailed" and r["claim"]["job"] == job]
    if len(done) != 1:
        sys.exit(f"FAIL: job {job} is done {len(done)} times in the journal")
    if done[0]["worker"].endswith(":" + pid):
        continue
    attempt = done[0]["claim"]["attempt"]
    if not lost or attempt < 2:
        sys.exit(f"FAIL: job {job}, whose worker {pid} was killed, has no lost attempt before attempt {attempt}")
    requeued += 1
if requeued == 0:
    sys.exit("FAIL: no kill hit a running job")
print(f"{requeued} of the killed workers jobs were requeued and done by a later attempt")
' "$work/run/journal.jsonl" || fail "the killed workers' jobs were not accounted for"
for element in 0 1; do
    log=$work/run/logs/worker-$element.log
    grep -q "restarting (1)" "$log" || fail "worker-$element.log: the element did not restart its worker in place"
    grep -q "SLURM_RESTART_COUNT=0" "$log" || fail "worker-$element.log lost its first start (not appended to?)"
    grep -q "SLURM_RESTART_COUNT=1" "$log" || fail "worker-$element.log: the element was not started again by Slurm"
done
[ "$(grep -c "requeued array element" "$work/run/logs/requeue.log")" -ge 2 ] || fail "requeue.log does not show both elements requeued"
grep -q "all $expected jobs completed" "$work/run/table.md" || fail "table.md does not report all $expected jobs completed"
echo "slurm test passed: $expected jobs, each counted once, after killing 4 busy workers; both array elements requeued"
