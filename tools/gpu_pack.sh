#!/usr/bin/env bash
# Packs what tools/gpu_check.sh needs into .device/ (git-ignored): a Java runtime, the class path of ember-cuda
# and ember-apps with their test classes, and PyTorch's GPU reference script. Run after
# `./mvnw -q -o install -DskipTests` (the default target/ folders are packed).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
../shared/gpu/pack-for-device.sh framework/cuda apps
cp ../shared/bench/torch_gpu_reference.py .device/
# JCuda's natives jar also carries the NVPTX compiler (24 MB) that Ember never loads: drop it to keep the
# transfer small
for j in .device/lib/jcuda-natives-*.jar; do
  zip -q -d "$j" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' || true
done
du -sh .device
