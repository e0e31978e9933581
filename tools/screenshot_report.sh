#!/usr/bin/env bash
# Render a costsim report's index.html in headless Chromium, from disk, and save a screenshot.
#
#   tools/screenshot_report.sh [REPORT_DIR] [OUT.png] [HEIGHT]
#
# REPORT_DIR defaults to report/ (make it with `costsim report`), OUT.png to REPORT_DIR/../report_screenshot.png,
# HEIGHT (window height in pixels) to 2400. It also checks, with Chromium's DOM dump, that every
# <img> of the page loaded (naturalWidth > 0) and prints how many did; exit 1 if any did not.
#
# Needs Debian's chromium: apt-get update && apt-get install -y chromium
# Not a CI test: a tool for looking at the report the way a reader's browser shows it.
set -euo pipefail

report_dir=${1:-report}
out=${2:-$(dirname "$(realpath "$report_dir")")/report_screenshot.png}
height=${3:-2400}
page="$(realpath "$report_dir")/index.html"
[ -f "$page" ] || { echo "no $page; run: costsim report -o $report_dir" >&2; exit 2; }
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || { echo "chromium not found; apt-get update && apt-get install -y chromium" >&2; exit 2; }

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars)

"$browser" "${flags[@]}" --screenshot="$out" --window-size=1280,"$height" "file://$page" 2>/dev/null
echo "screenshot: $out (1280x$height)"

# Count images that failed to load: a tiny script (run by the browser on the page) writes the
# verdict into the DOM, which --dump-dom prints after the load event.
probe="$profile/probe.html"
{
  sed 's#</body>#<script>window.addEventListener("load",function(){var i=document.images,b=[];for(var k=0;k<i.length;k++){if(!i[k].complete||i[k].naturalWidth===0){b.push(i[k].getAttribute("src"))}}var p=document.createElement("pre");p.id="costsim-probe";p.textContent="images "+i.length+" broken "+b.length+" "+b.join(" ");document.body.appendChild(p)})</script></body>#' "$page"
} > "$probe"
# the probe must sit next to index.html for the relative image paths to resolve
cp "$probe" "$(dirname "$page")/.probe_index.html"
trap 'rm -rf "$profile"; rm -f "$(dirname "$page")/.probe_index.html"' EXIT
verdict=$("$browser" "${flags[@]}" --virtual-time-budget=10000 --dump-dom \
          "file://$(dirname "$page")/.probe_index.html" 2>/dev/null | grep -o 'images [0-9]* broken [0-9]*[^<]*' || true)
echo "${verdict:-could not read the image check}"
case "$verdict" in
  *"broken 0"*) exit 0 ;;
  *) exit 1 ;;
esac
