#!/usr/bin/env bash
# Renders docs/presets/NAME.jpg: per row a photo (left) and the preset's render at its
# default settings (right), each 400 px wide. Needs `make build`, ImageMagick, and the
# photos listed in docs/presets/LICENSES.md (Debian's python3-skimage and
# plasma-workspace-wallpapers). Usage: tools/make-preset-sheets.sh [preset...]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/dream
skimage=/usr/lib/python3/dist-packages/skimage/data
walls=/usr/share/wallpapers
photos=(
    "$skimage/astronaut.png" samples/chelsea.png "$walls/Kite/contents/images/1280x800.jpg"
    "$walls/DarkestHour/contents/images/1280x800.jpg" "$walls/ColdRipple/contents/images/1280x800.jpg"
    "$skimage/gravel.png" "$skimage/rocket.jpg" samples/flower.jpg
)
for photo in "${photos[@]}"; do
    [[ -f $photo ]] || { echo "make-preset-sheets.sh: $photo is missing; install python3-skimage and plasma-workspace-wallpapers" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
presets=("$@")
[[ ${#presets[@]} -gt 0 ]] || presets=(ghost ghost-color tiles conv strokes fours mixed)
for preset in "${presets[@]}"; do
    rows=()
    for i in "${!photos[@]}"; do
        convert "${photos[$i]}" -resize 640x640 "$work/p$i.png"
        $bin --preset "$preset" "$work/p$i.png" -o "$work/r$i.png" -q
        convert "$work/p$i.png" "$work/r$i.png" -resize 400x +append "$work/row$i.png"
        rows+=("$work/row$i.png")
    done
    convert "${rows[@]}" -append -quality 85 "docs/presets/$preset.jpg"
done
