#!/usr/bin/env bash
# Sums the TRX files in a results folder and ends with one line: "N passed, N failed[, N skipped]".
# Usage: scripts/trx-summary.sh <results-folder> <test-project-name>...
# Each named test project must have a TRX in the folder (matched by its test assembly, <name>.dll) with at least one
# test; a project without one, a TRX with total=0 and a TRX without a <Counters> element each count as one failure.
# Skipped tests are listed with their reasons above the summary line. Exit status: 0 when nothing failed.
# Only bash, grep, sed and awk, so it runs where the tests run (scripts/test.sh) and on a fake folder by hand.
set -uo pipefail

results=${1:?usage: trx-summary.sh <results-folder> <test-project-name>...}
shift
expected=("$@")

passed=0; failed=0; skipped=0
problems=()
bad=0 # TRX files already counted as failed (no counters, or no tests); such a file names no project
skips=()
seen=" "

for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  name=$(basename "$trx")
  # The test assemblies this TRX ran (a TRX with no tests names none).
  for dll in $(grep -o 'storage="[^"]*"' "$trx" | sed 's/^storage="//; s/"$//' | sort -u); do
    # vstest writes storage= in lower case; compare names case-insensitively.
    asm=$(basename "$dll"); asm=${asm,,}; asm=${asm%.dll}
    seen="$seen$asm "
  done
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  if [ -z "$counters" ]; then
    problems+=("$name: no <Counters> element (malformed or incomplete TRX)")
    bad=$((bad + 1))
    continue
  fi
  get() { local v; v=$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
  total=$(get total)
  if [ "$total" -eq 0 ]; then
    problems+=("$name: total=0, the project ran no tests")
    bad=$((bad + 1))
    continue
  fi
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + total - $(get executed)))
  # Skipped tests: <UnitTestResult ... testName="..." ... outcome="NotExecuted"> ... <Message>reason</Message>.
  while IFS= read -r line; do
    [ -n "$line" ] && skips+=("$line")
  done < <(awk 'BEGIN { RS = "<UnitTestResult " }
    NR > 1 {
      rec = $0
      end = index(rec, "</UnitTestResult>"); if (end > 0) rec = substr(rec, 1, end)
      head = rec; gt = index(head, ">"); if (gt > 0) head = substr(head, 1, gt)
      if (head !~ /outcome="NotExecuted"/) next
      test = head; sub(/.*testName="/, "", test); sub(/".*/, "", test)
      reason = ""
      if (match(rec, /<Message>[^<]*<\/Message>/)) reason = substr(rec, RSTART + 9, RLENGTH - 19)
      gsub(/[\r\n\t]+/, " ", reason)
      line = test ": " (reason == "" ? "(no reason given)" : reason)
      gsub(/&lt;/, "<", line); gsub(/&gt;/, ">", line); gsub(/&quot;/, "\"", line); gsub(/&apos;/, "\047", line)
      gsub(/&amp;/, "\\&", line)
      print line
    }' "$trx")
done

missing=0
for project in "${expected[@]}"; do
  case "$seen" in
    *" ${project,,} "*) ;;
    *) problems+=("$project: no test results (no TRX, or a TRX that ran none of its tests)"); missing=$((missing + 1)) ;;
  esac
done
# A bad TRX and the project it belonged to are one failure, not two.
failed=$((failed + (missing > bad ? missing : bad)))

if [ "${#problems[@]}" -gt 0 ]; then
  echo "Test projects counted as failed:"
  printf '  %s\n' "${problems[@]}"
fi
if [ "${#skips[@]}" -gt 0 ]; then
  echo "Skipped tests:"
  printf '  %s\n' "${skips[@]}"
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
