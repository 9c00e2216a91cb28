#!/usr/bin/env bash
# The host's cost of a kernel launch, JCuda's against Ember's own (KernelLauncher, FFM), without a GPU: both call
# a stand-in libcuda.so.1 (framework/cuda/src/test/launch/fake_libcuda.c) whose cuLaunchKernel returns at once.
# Needs gcc and a build with test classes: ./mvnw -q -o install -DskipTests (TARGET=target-lead for other folders).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=${TARGET:-target}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -shared -fPIC -O2 -Wl,-soname,libcuda.so.1 -o "$tmp/libcuda.so.1" "$root/framework/cuda/src/test/launch/fake_libcuda.c"
java=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
LD_LIBRARY_PATH="$tmp" "$java" --enable-native-access=ALL-UNNAMED \
  -cp "$root/framework/cuda/$target/classes:$root/framework/cuda/$target/test-classes:$root/apps/$target/lib/*" \
  dev.ember.cuda.LaunchOverhead
