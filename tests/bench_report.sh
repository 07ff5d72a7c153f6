#!/usr/bin/env bash
# bench/report_run's "Targets at a glance" table from fixed results (tests/fixtures/bench_report):
# each target's figure and verdict, so the table bench/run writes cannot drift from its data.
# usage: bench_report.sh SOURCE_DIR
set -euo pipefail
cd "$1"
fixtures=tests/fixtures/bench_report
out=$(bench/report_run "$fixtures/runs.tsv" "$fixtures/overload.json" 25000 70000 6 3 180000 10000)
expect() {
  grep -qxF -- "$1" <<<"$out" || { echo "missing from the report: $1" >&2; exit 1; }
}
expect '| health ≥ 0.75 × nginx serving a static file (billd-bench) | 1.25 | met |'
expect "| cached bill read ≥ 2 × pgbench -S (single-row select) | 1.50; nginx's static file: 1.60 × pgbench -S | **not met** |"
expect '| create ≥ 3 × pgbench bill rows, one transaction each | 10.00 | met |'
# The median run stalled; the one calm run meets the target.
expect '| reads at half the peak, open loop: p99 ≤ 5 ms (cached bill read) | p99 40.4 ms; 3.3 ms in the calm runs (1 of 3) | met in the calm runs only; **not met** in runs with a VM stall |'
expect '| writes at half the peak, open loop: p99 ≤ 20 ms (create) | p99 13.1 ms | met |'
# The step at 2x the peak, not the first one.
expect '| 2× the peak (30000/s offered): goodput ≥ 90 % of the peak | 25700 2xx/s, 171 % of 15000/s | met |'
expect '| 2× the peak: P0 (health) p99 < 50 ms | 61.5 ms (the stall probe saw 2 stalls in the step) | **not met** |'
expect '| 2× the peak: a shed 503 in under 5 ms (median, from its write) | 3.5 ms from its write, 120 ms from when due (1800 shed) | met |'
expect '| idle resident memory ≤ 60 MiB | 24.4 MiB | met |'
expect '| 10 000 idle keep-alive connections ≤ 400 MiB | 175.8 MiB holding 10000 | met |'
# The overload section says where its peak came from: a closed loop that was not shed, or --peak.
grep -qF "at multiples of the peak of 15000 2xx answers/s (a closed loop of the mix at 64 connections, where billd shed 0 requests/s; on more connections than billd admits a closed loop is itself an overload)" <<<"$out" ||
  { echo "the overload section does not say where its peak came from" >&2; exit 1; }
given=$(mktemp)
trap 'rm -f "$given"' EXIT
jq -c 'del(.peak_connections, .peak_shed_per_s)' "$fixtures/overload.json" >"$given"
given_out=$(bench/report_run "$fixtures/runs.tsv" "$given" 25000 70000 6 3 180000 10000)
grep -qF "at multiples of the peak of 15000 2xx answers/s (given with --peak)" <<<"$given_out" ||
  { echo "a peak given with --peak is not named as such" >&2; exit 1; }
# Health probed on billd's ops listener is said so; without the field, nothing is said.
grep -qF "ops listener" <<<"$given_out" && { echo "an ops listener named for a run without one" >&2; exit 1; }
jq -c '.p0_on_ops_listener = true' "$fixtures/overload.json" >"$given"
ops_out=$(bench/report_run "$fixtures/runs.tsv" "$given" 25000 70000 6 3 180000 10000)
grep -qF "overload). Health (P0) goes to billd's ops listener (\`http.ops_listen\`), as an operator's probes would, from a client thread of its own. Answers are" <<<"$ops_out" ||
  { echo "health probed on the ops listener is not said so" >&2; exit 1; }
# Fewer connections held than the target names is not a pass, whatever the memory.
out=$(bench/report_run "$fixtures/runs.tsv" "$fixtures/overload.json" 25000 70000 6 3 90000 4000)
expect '| 10 000 idle keep-alive connections ≤ 400 MiB | 87.9 MiB holding 4000 | **not met** (fewer connections held) |'
echo "bench/report_run: every target row as expected"
