#!/usr/bin/env bash
# A single-node Slurm cluster on this Debian machine, for tests: `up DIR` installs Slurm and
# munge if missing, writes a slurm.conf under DIR, starts munged, slurmctld and slurmd, and
# waits until the node is idle; `down DIR` stops them. Clients then need SLURM_CONF=DIR/slurm.conf
# (printed by `up`); jobs run as the user who submits them.
#
# Run it as any user: the daemons must run as root (slurmd starts each job as its user), so
# what needs root runs directly when we are root and through `sudo -n` otherwise; without
# either, `up` exits with status 77 and says so. Only daemons this script started are stopped,
# found by their pid files, never by name: a host's own Slurm or munge is left alone, and the
# test cluster listens on its own ports (16817, 16818) so that it does not collide with one.
#
# Found to work on Debian 12 with Slurm 22.05 without systemd or cgroups: munged refuses root,
# so it runs as the munge user; proctrack/linuxproc and task/none avoid cgroups; no accounting.
set -euo pipefail

# What a cluster brought up by this script leaves running until `down`: the DIR of the running
# test cluster, so that an `up` after a killed test can stop its daemons by their pid files.
registry=/tmp/sparseseg-local-slurm.dir

if [ "$(id -u)" = 0 ]; then
    as_root() { "$@"; }
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root() { sudo -n "$@"; }
else
    echo "local-cluster.sh: the Slurm daemons and munge must run as root; run as root or with passwordless sudo" >&2
    exit 77
fi

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
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# Kills the process in pid file $1 if it is still the program named $2 (a recycled pid is not),
# SIGKILL after 10 s; waits until it is gone, so that its ports are free.
stop_pidfile() {
    local pidfile=$1 program=$2 pid
    pid=$(as_root cat "$pidfile" 2>/dev/null) || return 0
    [ -n "$pid" ] || return 0
    running() { [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$program" ]; }
    running || return 0
    as_root kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do running || return 0; sleep 0.1; done
    as_root kill -9 "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do running || return 0; sleep 0.1; done
}

# munged is started only when none answers, and stopped by `down` only if `up` started it (a
# marker file under DIR says so).
start_munge() {
    if [ -S /run/munge/munge.socket.2 ] && munge -n </dev/null >/dev/null 2>&1; then return; fi
    # A munged that no longer answers (its socket gone) would refuse to start a second one.
    stop_pidfile /run/munge/munged.pid munged
    touch "$dir/munged.started"
    as_root test -f /etc/munge/munge.key || {
        as_root mungekey --create --keyfile=/etc/munge/munge.key
        as_root chown munge:munge /etc/munge/munge.key
    }
    as_root mkdir -p /run/munge /var/lib/munge /var/log/munge
    as_root chown munge:munge /run/munge /var/lib/munge /var/log/munge
    as_root chmod 0755 /run/munge
    as_root runuser -u munge -- /usr/sbin/munged
}

write_config() {
    mkdir -p "$dir/state" "$dir/spool" "$dir/log"
    cat > "$conf" <<CONF
ClusterName=sparseseg-test
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
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

# Stops the Slurm daemons of the cluster in directory $1 by their pid files.
stop_daemons() {
    stop_pidfile "$1/slurmd.pid" slurmd
    stop_pidfile "$1/slurmctld.pid" slurmctld
}

# The daemons of an earlier test cluster that are still going (a test that was killed before
# its `down`) hold the ports; stop them.
stop_leftover_daemons() {
    local earlier
    earlier=$(cat "$registry" 2>/dev/null) || return 0
    [ -z "$earlier" ] || [ ! -d "$earlier" ] || stop_daemons "$earlier"
    as_root rm -f "$registry"
}

case $action in
up)
    stop_leftover_daemons
    install_packages
    start_munge
    write_config
    export SLURM_CONF=$conf
    echo "$dir" | as_root tee "$registry" >/dev/null
    as_root slurmctld -f "$conf"
    as_root slurmd -f "$conf" -N "$node"
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
    # slurmd's job steps (slurmstepd) go with it; stop_pidfile waits so the ports are free for
    # the next run.
    stop_daemons "$dir"
    [ "$(cat "$registry" 2>/dev/null)" != "$dir" ] || as_root rm -f "$registry"
    if [ -f "$dir/munged.started" ]; then
        # Waits until it is gone: an `up` right after would otherwise find the exiting munged,
        # start none, and its slurmd could not authenticate.
        stop_pidfile /run/munge/munged.pid munged
        rm -f "$dir/munged.started"
    fi
    # The daemons wrote their state as root; hand DIR back so its owner can remove it.
    as_root chown -R "$(id -u):$(id -g)" "$dir"
    ;;
*) usage ;;
esac
