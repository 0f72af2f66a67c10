#!/usr/bin/env bash
# Renders the pictures in README.md (run after `make build`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/dream
out=docs/images
mkdir -p "$out"
$bin --preset ghost --map 56 samples/flower.jpg -o "$out/flower-ghost-m56.jpg" --stages -q
mv "$out/flower-ghost-m56-stages.png" "$out/flower-ghost-stages.png"
$bin --preset tiles samples/flower.jpg -o "$out/flower-tiles.jpg" -q
$bin --preset conv samples/china.jpg -o "$out/china-conv.jpg" -q
$bin --preset mixed samples/chelsea.png -o "$out/chelsea-mixed.jpg" -q
$bin --preset fours samples/coffee.png -o "$out/coffee-fours.jpg" -q
$bin sheet --layer conv1 -o "$out/sheet-conv1.png" --scale 3
$bin sheet --layer conv2 -o "$out/sheet-conv2.png" --scale 3
$bin sheet --layer conv3 -o "$out/sheet-conv3.png" --scale 3
$bin sheet --layer dense2 -o "$out/sheet-dense2.png" --scale 4 --columns 10
$bin explore samples/flower.jpg --layer conv3 --cell 80 -o "$out/flower-explore-conv3.jpg" -q
$bin activations --mnist test:1816 --layer conv2 --standardize -o "$out/activations-conv2.png"
rm -f "$out"/*.json
tools/make-sky-mask.py samples/china.jpg /tmp/dream-sky-mask.png
$bin --preset tiles --mask /tmp/dream-sky-mask.png samples/china.jpg -o "$out/china-sky-masked.jpg" -q
$bin --preset texture noise:256x256 -o /tmp/dream-texture.png -q
montage /tmp/dream-texture.png /tmp/dream-texture.png /tmp/dream-texture.png /tmp/dream-texture.png \
    -tile 2x2 -geometry +0+0 -quality 80 "$out/texture-2x2.jpg"
