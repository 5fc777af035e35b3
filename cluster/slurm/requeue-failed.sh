#!/usr/bin/env bash
# Replaces array elements that die while the run goes on: every few seconds, each element of
# the array that ended FAILED, NODE_FAIL, TIMEOUT, OUT_OF_MEMORY or BOOT_FAIL is put back in
# the queue with `scontrol requeue`, for as long as the coordinator runs. Slurm then starts it
# again (SLURM_RESTART_COUNT + 1, its log appended to). Started by run.sh; logs to stdout.
#
#   cluster/slurm/requeue-failed.sh ARRAY_JOB_ID COORDINATOR_PID [INTERVAL_SECONDS]
set -u
array=$1 coordinator=$2 interval=${3:-2}
while kill -0 "$coordinator" 2>/dev/null; do
    # -r lists array elements one by one; -t all keeps finished ones (for MinJobAge).
    squeue -h -r -j "$array" -t all -o '%i %T' 2>/dev/null | while read -r element state; do
        case $state in
            FAILED|NODE_FAIL|TIMEOUT|OUT_OF_MEMORY|BOOT_FAIL)
                if scontrol requeue "$element" 2>/dev/null; then
                    # A requeued job waits for a begin time some minutes away; start it now.
                    scontrol update JobId="$element" StartTime=now 2>/dev/null || true
                    echo "$(date -Is) requeued array element $element (it ended $state)"
                fi ;;
        esac
    done
    sleep "$interval"
done
