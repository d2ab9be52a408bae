#!/usr/bin/env bash
# Runs every test project of the solution and ends with one line: "N passed, N failed[, N skipped]".
# Needs: the .NET 10 SDK, mosquitto and the OpenCV runtime libraries (see README, "Prerequisites").
set -uo pipefail
cd "$(dirname "$0")/.."

bash models/fetch.sh || { echo "0 passed, 1 failed"; exit 1; }

results=TestResults
rm -rf "$results"
# --blame-hang-timeout: a stuck test fails its project with a dump instead of eating the CI budget.
dotnet test OneThing.Edge.sln --configuration Release --logger trx --results-directory "$results" \
  --blame-hang-timeout 10m -- RunConfiguration.TreatNoTestsAsError=false
status=$?

# Every test project of the solution (an xunit project under tests/ that is not marked IsTestProject=false) must
# leave a TRX with at least one test; scripts/trx-summary.sh checks that, lists skipped tests and prints the last line.
projects=()
for csproj in $(grep -o 'tests\\[^"]*\.csproj' OneThing.Edge.sln | tr '\\' '/'); do
  grep -q 'xunit' "$csproj" || continue
  grep -q '<IsTestProject>false</IsTestProject>' "$csproj" && continue
  projects+=("$(basename "$csproj" .csproj)")
done

summary=$(bash scripts/trx-summary.sh "$results" "${projects[@]}")
summary_status=$?
last=$(echo "$summary" | tail -n 1)
echo "$summary" | sed '$d'
passed=$(echo "$last" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
failed=$(echo "$last" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
skipped=$(echo "$last" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p')
passed=${passed:-0}; failed=${failed:-0}; skipped=${skipped:-0}
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the build or a test host failed before any result was written
fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$status" -eq 0 ] && [ "$summary_status" -eq 0 ] && [ "$failed" -eq 0 ]
