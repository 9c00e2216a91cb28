#!/usr/bin/env bash
# Packs what tools/gpu_check.sh needs into .device/ (git-ignored): a Java runtime, the class path of ember-cuda
# and ember-apps with their test classes, and PyTorch's GPU reference scripts (eager and CUDA graphs). Run after
# `./mvnw -q -o install -DskipTests` (the default target/ folders are packed).
set -euo pipefail
root=$(git rev-parse --show-toplevel)
cd "$root"
# our own runtime first (the shared script keeps an existing one): with jdk.management, which ember bench's
# allocation counter needs, jdk.jfr for the profile stage, java.xml for JUnit's XML reports, and jdk.zipfs, without
# which JUnit's class-path scan logs a ProviderNotFoundException for every jar it opens
modules=java.base,java.logging,java.management,java.xml,jdk.management,jdk.jfr,jdk.zipfs
modules=$modules,jdk.incubator.vector,jdk.unsupported
if [ ! -f .device/jre.tgz ] || [ "$(cat .device/jre.modules 2>/dev/null)" != "$modules" ]; then
  mkdir -p .device
  tmp=$(mktemp -d)
  "${DEVICE_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/jlink" --add-modules "$modules" \
    --strip-debug --no-header-files --no-man-pages --compress=zip-9 --output "$tmp/jre" 2>&1 | grep -v incubator || true
  tar czf .device/jre.tgz -C "$tmp" jre && rm -rf "$tmp"
  echo "$modules" > .device/jre.modules
fi
../shared/gpu/pack-for-device.sh framework/cuda apps
cp ../shared/bench/torch_gpu_reference.py ../shared/bench/torch_gpu_graphs_reference.py .device/
# JCuda's natives jar also carries the NVPTX compiler (24 MB) that Ember never loads: drop it to keep the
# transfer small
for j in .device/lib/jcuda-natives-*.jar; do
  zip -q -d "$j" 'lib/libJNvPTXCompiler*' 'lib/libJNvrtc*' || true
done
# the transfer limit (64 MiB with the working tree): ember-cuda's jar repeats classes/cuda-main (kernels
# included), and PDFBox only writes PDF plots, which the packed runtime (no java.desktop) never draws
rm -f .device/lib/ember-cuda-*.jar .device/lib/pdfbox-*.jar .device/lib/fontbox-*.jar
du -sh .device
# the device tool carries the working tree too (tracked and untracked-not-ignored files) and refuses more than
# 64 MiB in all
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | du --files0-from=- -cb 2>/dev/null \
  | tail -1 | cut -f1)
total=$(( tree + $(du -sb .device | cut -f1) ))
if (( total > 64 * 1024 * 1024 )); then
  echo "gpu_pack: working tree + .device = $(( total / 1048576 )) MiB, over the device tool's 64 MiB: look for" \
       "large tracked or untracked files the GPU check does not need (generated data belongs in .gitignore)" >&2
fi
