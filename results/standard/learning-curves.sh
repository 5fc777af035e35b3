#!/usr/bin/env bash
# The learning-curve measurement behind experiments/standard.yaml's schedule: FS-LCS, MT and
# Ours trained on fold 0 of the quick preset's phantom for schedules of 200 to 4,000 steps,
# every length-dependent setting scaled with the length as in the quick preset (learning-rate
# step at 40 % of the epochs, consistency ramps over the first 40 % of the steps, Ours' stages
# half and half, one registration epoch per 10 epochs). Nothing else changes between lengths.
#
#   results/standard/learning-curves.sh OUT_DIR [SEED ...]
#
# Writes OUT_DIR/curves.csv (method, steps, seed, mean test Dice of fold 0, wall seconds), one
# run directory per point, and runs two jobs at a time (one OpenBLAS thread each).
set -euo pipefail
out=${1:?usage: learning-curves.sh OUT_DIR [SEED ...]}
shift
seeds=("${@:-0}")
sparseseg=${SPARSESEG:-.build/release/sparseseg}
mkdir -p "$out"

preset() { # steps seed -> experiment file
    local steps=$1 seed=$2 epochs=$(($1 / 20))
    local file="$out/curve-${steps}-seed${seed}.yaml"
    cat > "$file" <<YAML
name: curve-${steps}-seed${seed}
seed: ${seed}
folds: 5
run_folds: [0]
dataset: {phantom_cases: 50, image_size: 64}
training:
  epochs: ${epochs}
  steps_per_epoch: 20
  batch_size: 4
  learning_rate: 0.001
  step_every_epochs: $((epochs * 2 / 5))
  channels: [8, 16, 32, 64]
  encoder_dropout: [0.05, 0.1, 0.2, 0.3]
methods:
  - fs-lcs
  - mt: {consistency_max: 0.1, consistency_rampup: $((steps * 2 / 5)), rampup_unit_iterations: 1}
  - ours: {semi_warmup_epochs: $((epochs / 2)), semi_self_epochs: $((epochs - epochs / 2)), registration_epochs: $((epochs / 10)), registration_batch_size: 8}
YAML
    echo "$file"
}

jobs_file="$out/jobs.txt"
: > "$jobs_file"
for seed in "${seeds[@]}"; do
    for steps in 4000 2000 1000 400 200; do
        file=$(preset "$steps" "$seed")
        for method in ours mt fs-lcs; do
            echo "$file $method $steps $seed" >> "$jobs_file"
        done
    done
done

run_one() { # file method steps seed
    local dir="$1.$2.run" log="$1.$2.log"
    if ! grep -q "mean dice" "$log" 2>/dev/null; then
        OPENBLAS_NUM_THREADS=1 "$sparseseg" train "$1" --method "$2" --fold 0 --out "$dir" > "$log" 2>&1
    fi
    local line; line=$(grep "mean dice" "$log")
    # "<method>/fold0: mean dice D over N cases, S steps, T s"
    echo "$2,$3,$4,$(echo "$line" | sed -E 's/.*mean dice ([0-9.]+) over.*, ([0-9.]+) s$/\1,\2/')"
}
export -f run_one
export sparseseg
echo "method,steps,seed,dice,wall_seconds" > "$out/curves.csv.tmp"
xargs -P 2 -L 1 bash -c 'run_one "$@"' _ < "$jobs_file" | sort -t, -k1,1 -k3,3n -k2,2n >> "$out/curves.csv.tmp"
mv "$out/curves.csv.tmp" "$out/curves.csv"
cat "$out/curves.csv"
