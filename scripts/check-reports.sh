#!/usr/bin/env bash
# check-reports.sh — opens each report.html in headless Chromium, fails on a
# page error, and saves a screenshot of the whole page for a person to look at.
#
#   bash scripts/check-reports.sh quickstart-output/report.html
#   bash scripts/check-reports.sh --screenshots shots build/tutorials   # every report.html under it
#
# For each report it:
#   1. loads a copy of the page with a small checking script added at its end
#      and dumps the DOM after the load event (--dump-dom): every image must
#      have decoded, every chart (inline SVG) must have a size, the page must
#      have its title, fetch nothing (the report is self-contained) and hold as
#      many charts and images as the file does (the parser dropped nothing);
#   2. loads the page itself, untouched, and screenshots it at its full height
#      (--screenshot) into the screenshots folder (default report-screenshots/),
#      named after the report's folder: quickstart-output.png;
#   3. fails if Chromium printed a console message for either load: ember's
#      reports run no script, so any message is a page error (a failed load,
#      a script error, a refused resource).
# Chromium runs with a fresh profile each time and without network, GPU,
# sandbox (containers), sync or background updates. Needs Debian's
# `chromium` (apt-get install chromium; scripts/install-deps.sh does not
# install it: it is large and only this script needs it).
set -euo pipefail

usage() {
  echo "usage: $0 [--screenshots DIR] REPORT.html|FOLDER..." >&2
  exit 2
}

shots=report-screenshots
targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --screenshots) [[ $# -ge 2 ]] || usage; shots=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) usage ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || usage

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
  echo "check-reports: Chromium is not installed (Debian: sudo apt-get install chromium)" >&2
  exit 2
fi

# The reports: files given, and every report.html under folders given.
reports=()
for t in "${targets[@]}"; do
  if [[ -d "$t" ]]; then
    while IFS= read -r -d '' f; do reports+=("$f"); done < <(find "$t" -name report.html -print0 | sort -z)
  elif [[ -f "$t" ]]; then
    reports+=("$t")
  else
    echo "check-reports: $t: no such file or folder" >&2
    exit 2
  fi
done
if [[ ${#reports[@]} -eq 0 ]]; then
  echo "check-reports: no report.html under ${targets[*]}" >&2
  exit 1
fi
mkdir -p "$shots"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Runs Chromium on a URL with a fresh profile; its stderr goes to $scratch/log.
run_chromium() {
  local profile
  profile=$(mktemp -d "$scratch/profile.XXXXXX")
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 --hide-scrollbars \
    --virtual-time-budget=5000 "$@" 2>>"$scratch/log"
}

# The checking script: runs after the page's load event and writes what it
# found into attributes of <body>, which --dump-dom prints.
read -r -d '' checker <<'EOF' || true
<script>
window.addEventListener('error', e => { document.body.dataset.reportError = String(e.message); });
window.addEventListener('load', () => {
  const problems = [];
  for (const img of document.images)
    if (!img.complete || img.naturalWidth === 0) problems.push(`image "${img.alt}" did not decode`);
  const charts = document.querySelectorAll('svg');
  for (const svg of charts) {
    const box = svg.getBoundingClientRect();
    if (box.width < 10 || box.height < 10) problems.push('a chart has no size');
  }
  if (!document.querySelector('h1') || !document.title) problems.push('no title');
  for (const r of performance.getEntriesByType('resource'))
    if (!r.name.startsWith('data:')) problems.push(`fetches ${r.name}`);
  const b = document.body.dataset;
  b.reportCheck = problems.length ? problems.join('; ') : 'ok';
  b.reportCounts = `${charts.length} charts ${document.images.length} images`;
  b.reportHeight = String(document.documentElement.scrollHeight);
});
</script>
EOF

# The value of attribute $1 in the dumped DOM ($dom), entities decoded.
attr() {
  sed -n "s/.*$1=\"\([^\"]*\)\".*/\1/p" <<<"$dom" | head -n 1 |
    sed 's/&quot;/"/g; s/&lt;/</g; s/&gt;/>/g; s/&#39;/'"'"'/g; s/&amp;/\&/g'
}

failed=0
for report in "${reports[@]}"; do
  abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
  name=$(basename "$(dirname "$abs")")
  shot="$shots/$name.png"
  problems=()
  : >"$scratch/log"

  # 1. The DOM after loading, with the checker.
  copy="$scratch/checked.html"
  page=$(<"$abs")
  if [[ "$page" == *"</body>"* ]]; then
    printf '%s%s\n</body>%s\n' "${page%</body>*}" "$checker" "${page##*</body>}" >"$copy"
  else
    problems+=("no </body> in the file")
    cp "$abs" "$copy"
  fi
  dom=$(run_chromium --window-size=1400,1000 --dump-dom "file://$copy" || true)
  if [[ "$dom" != *"</html>"* ]]; then
    problems+=("Chromium printed no complete DOM")
  else
    check=$(attr data-report-check)
    error=$(attr data-report-error)
    [[ -n "$check" ]] || problems+=("the checking script did not run (the page did not finish loading)")
    [[ -z "$check" || "$check" == ok ]] || problems+=("$check")
    [[ -z "$error" ]] || problems+=("script error: $error")
    # (grep finds nothing in a page without charts or images: not a failure)
    expected="$({ grep -o '<svg[ >]' "$abs" || true; } | wc -l) charts $({ grep -o '<img[ >]' "$abs" || true; } | wc -l) images"
    counts=$(attr data-report-counts)
    [[ -z "$counts" || "$counts" == "$expected" ]] ||
      problems+=("the page shows $counts, the file holds $expected")
  fi
  height=$(attr data-report-height)
  [[ "$height" =~ ^[0-9]+$ ]] || height=2000
  (( height <= 16000 )) || height=16000

  # 2. The page itself, screenshotted at its full height.
  rm -f "$shot"
  run_chromium --window-size=1400,"$height" --screenshot="$(cd "$shots" && pwd)/$name.png" \
    "file://$abs" >/dev/null || true
  [[ -s "$shot" ]] || problems+=("no screenshot was written")

  # 3. Console messages from either load.
  while IFS= read -r line; do
    problems+=("console: ${line#*CONSOLE}")
  done < <(grep ':CONSOLE' "$scratch/log" || true)

  if [[ ${#problems[@]} -eq 0 ]]; then
    echo "ok    $report ($counts, ${height}px high) -> $shot"
  else
    failed=1
    echo "FAIL  $report"
    for p in "${problems[@]}"; do echo "      $p"; done
  fi
done
exit "$failed"
