#!/usr/bin/env bash
# After a failed `mvn verify`: prints what a person needs on the CI page to see the cause
# without opening target/ (issue 8): every failing test with its message, and for each module
# that failed, the tail of the lab's process logs (node, servers, routers), those that mention an
# exception or error first, plus where the reports and captures are.
#
#   scripts/ci-failure-summary.sh [ROOT]      ROOT defaults to the repository
#
# Environment: NTM_LOG_TAIL lines per log (default 40), NTM_LOG_MAX logs printed per module (default 8),
# NTM_SINCE a file touched before the build: only reports and logs newer than it count (default pom.xml).
set -uo pipefail
ROOT="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
TAIL="${NTM_LOG_TAIL:-40}"
MAX="${NTM_LOG_MAX:-8}"
SINCE="${NTM_SINCE:-$ROOT/pom.xml}"

say() { printf '%s\n' "$*"; }
rule() { say "==================================================================== $*"; }

failing_reports() {
  # a report with a <failure or <error element is a failing test class
  find "$ROOT" -path '*/target/*-reports/TEST-*.xml' -newer "$SINCE" 2>/dev/null \
    | xargs -r grep -lE '<(failure|error)[ >]' 2>/dev/null
}

reports=$(failing_reports)
if [[ -z "$reports" ]]; then
  rule "no failing test report found (the build failed before or outside the tests: read the Maven output above)"
  exit 0
fi

rule "failing tests"
for r in $reports; do
  # testcase name and the first line of its failure message
  python3 - "$r" <<'PY' 2>/dev/null || grep -oE 'testcase name="[^"]*"' "$r"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for tc in root.iter('testcase'):
    for kind in ('failure', 'error'):
        for f in tc.findall(kind):
            msg = (f.get('message') or f.text or '').strip().splitlines()
            print(f"  {tc.get('classname')}.{tc.get('name')} [{kind}]: {' | '.join(l.strip() for l in msg[:4])[:800]}")
PY
done

for module in $(for r in $reports; do dirname "$(dirname "$(dirname "$r")")"; done | sort -u); do
  rule "logs of $(basename "$module") (tail -n $TAIL; full logs under $module/target)"
  mapfile -t logs < <(find "$module/target" \( -path '*/target/lab/*' -o -name 'loopback-*.log' \) -name '*.log' \
    -newer "$SINCE" 2>/dev/null)
  if (( ${#logs[@]} == 0 )); then
    say "  (no process logs: the test ran in-process; see $module/target/surefire-reports and failsafe-reports)"
    continue
  fi
  # logs that mention a failure first, then the rest, newest first
  mapfile -t hot < <(grep -lE 'Exception|Error|ERROR|FATAL|refused|failed' "${logs[@]}" 2>/dev/null | xargs -r ls -t)
  mapfile -t cold < <(printf '%s\n' "${logs[@]}" | grep -vxF -f <(printf '%s\n' "${hot[@]:-}") | xargs -r ls -t)
  shown=0
  for log in "${hot[@]}" "${cold[@]}"; do
    [[ -n "$log" ]] || continue
    if (( shown >= MAX )); then
      say "  ... and more logs: ls $module/target/lab"
      break
    fi
    rule "$log"
    tail -n "$TAIL" "$log"
    shown=$((shown + 1))
  done
  if [[ -d "$module/target/ntm-report" ]]; then
    say "reports: $module/target/ntm-report"
  fi
  if compgen -G "$module/target/lab/*/*.pcap*" >/dev/null; then
    say "captures: $module/target/lab/*/*.pcap*"
  fi
done
exit 0
