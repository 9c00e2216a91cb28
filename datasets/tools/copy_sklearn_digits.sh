#!/usr/bin/env bash
# Copies scikit-learn's digits.csv.gz (from Debian's python3-sklearn, 1.2.1+dfsg-1) into
# datasets/src/main/resources/dev/ember/datasets/digits/, after checking it is the expected file.
# Usage: datasets/tools/copy_sklearn_digits.sh   (needs: apt-get install -y python3-sklearn)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="$(dirname "$here")/src/main/resources/dev/ember/datasets/digits"
sha256=46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a

src=$(dpkg -L python3-sklearn | grep '/sklearn/datasets/data/digits.csv.gz$')
echo "$sha256  $src" | sha256sum -c --quiet -
mkdir -p "$out"
cp "$src" "$out/digits.csv.gz"
echo "copied $src -> $out/digits.csv.gz"
