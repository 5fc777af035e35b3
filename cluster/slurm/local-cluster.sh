#!/usr/bin/env bash
# A single-node Slurm cluster on this Debian machine, for tests: `up DIR` installs Slurm and
# munge if missing, writes a slurm.conf under DIR, starts munged, slurmctld and slurmd, and
# waits until the node is idle; `down DIR` stops them. Clients then need SLURM_CONF=DIR/slurm.conf
# (printed by `up`). Needs root, as CI and our development machines run.
#
# Found to work on Debian 12 with Slurm 22.05 without systemd or cgroups: munged refuses root,
# so it runs as the munge user; proctrack/linuxproc and task/none avoid cgroups; no accounting.
set -euo pipefail

usage() { echo "usage: $0 up|down DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
action=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
conf=$dir/slurm.conf
node=$(hostname -s)

install_packages() {
    local missing=()
    for p in slurmctld slurmd slurm-client munge; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        echo "installing ${missing[*]}" >&2
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# munged is stopped by `down` only if `up` started it (a marker file under DIR says so).
start_munge() {
    if pgrep -x munged >/dev/null && [ -S /run/munge/munge.socket.2 ]; then return; fi
    pkill -x munged 2>/dev/null || true
    touch "$dir/munged.started"
    [ -f /etc/munge/munge.key ] || { mungekey --create --keyfile=/etc/munge/munge.key; chown munge:munge /etc/munge/munge.key; }
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge
    chmod 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
}

write_config() {
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    cat > "$conf" <<CONF
ClusterName=sparseseg-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SchedulerParameters=bf_interval=2,sched_interval=2,sched_min_interval=100000
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
}

# Daemons of an earlier cluster that are still going (a test that was killed, or a `down` that
# has not finished) hold the ports; stop them, SIGKILL after 10 s.
stop_leftover_daemons() {
    pkill -x slurmctld 2>/dev/null || true
    pkill -x slurmd 2>/dev/null || true
    for _ in $(seq 1 100); do
        pgrep -x slurmctld >/dev/null || pgrep -x slurmd >/dev/null || return 0
        sleep 0.1
    done
    pkill -9 -x slurmctld 2>/dev/null || true
    pkill -9 -x slurmd 2>/dev/null || true
    sleep 0.5
}

case $action in
up)
    stop_leftover_daemons
    install_packages
    start_munge
    write_config
    export SLURM_CONF=$conf
    slurmctld -f "$conf"
    slurmd -f "$conf" -N "$node"
    for _ in $(seq 1 100); do
        state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
        if [ "$state" = idle ]; then
            echo "SLURM_CONF=$conf"
            exit 0
        fi
        sleep 0.2
    done
    echo "slurm node did not become idle (state: ${state:-none}); see $dir/log" >&2
    exit 1
    ;;
down)
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid"; do
        [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
    done
    # slurmd's job steps (slurmstepd) go with it; wait so the ports are free for the next run.
    stop_leftover_daemons
    if [ -f "$dir/munged.started" ]; then
        # Wait until it is gone: an `up` right after would otherwise find the exiting munged,
        # start none, and its slurmd could not authenticate.
        pkill -x munged 2>/dev/null || true
        for _ in $(seq 1 50); do pgrep -x munged >/dev/null || break; sleep 0.1; done
        rm -f "$dir/munged.started"
    fi
    ;;
*) usage ;;
esac
