#!/usr/bin/env bash
# Every billd-bench scenario for a moment against a real billd, so the harness cannot rot.
# No timing is asserted: a scenario passes when billd-bench gets answers and exits 0.
# usage: bench_smoke.sh BILLD BILLD_BENCH SOURCE_DIR GATEWAY_SIM
set -euo pipefail
billd=$1 bench=$2
source "$3/bench/start_billd.sh"
dir=$(mktemp -d /tmp/billd-bench-smoke.XXXXXX)
trap 'stop_billd; stop_gateway_sim; rm -rf "$dir"' EXIT
start_gateway_sim "$4" "$dir"
# Audit rows are sealed a second after their ids were drawn, so the chain is verified below
# after the concurrent writes of the scenarios.
start_billd "$billd" "$dir" "${GATEWAY_FLAGS[@]}" --audit.seal_after_s=1 --audit.seal_interval_ms=200 \
  --http.ops_listen=127.0.0.1:0
for scenario in health get_bill post_bill payment metrics mixed overload; do
  "$bench" --url "http://$BILLD_ADDR" --scenario "$scenario" --password "$BENCH_PASSWORD" \
    --connections 4 --threads 1 --duration 1 --warmup 0 --bills 20 \
    --gateway-secret "$GATEWAY_SECRET" --json "$dir/$scenario.json"
  grep -q '"requests":[1-9]' "$dir/$scenario.json"
done
"$bench" --url "http://$BILLD_ADDR" --scenario post_bill --idempotency --password "$BENCH_PASSWORD" \
  --connections 2 --threads 1 --duration 1 --warmup 0 --json "$dir/idem.json"
grep -q '"201":[1-9]' "$dir/idem.json"
# The overload run's open-loop steps deal each class connections of its own, as its JSON says
# (bench/report_run names them in docs/benchmarks.md): with 4 connections, one each and the one
# left to the reads' 60 %.
grep -q '"lane_connections":\[1,1,2\]' "$dir/overload.json"
# ... and its mix as shares of the load (report_run's 10 % health, 30 % creates, 60 % reads).
grep -q '"lane_shares":\[0.1,0.3,0.6\]' "$dir/overload.json"
# Its peak came from a closed loop on --peak-connections (64 by default), not its own connections.
grep -q '"peak_connections":64,"peak_shed_per_s":[0-9.]*,' "$dir/overload.json"
# Each class reports its 503s' latency from when they were due and from their write
# (bench/report_run's last overload column).
grep -q '"shed_latency":{.*"shed_round_trip":{' "$dir/overload.json"
# --ops-url sends the health lane to billd's ops listener (bench/run measures P0 there), and
# only that lane: pointed at a port where nothing listens, health alone fails to connect.
overload_to() {
  "$bench" --url "http://$BILLD_ADDR" --scenario overload --password "$BENCH_PASSWORD" \
    --connections 4 --threads 1 --duration 1 --warmup 0 --bills 20 --ramp 1 --peak 400 \
    --ops-url "$1" --json "$2"
}
overload_to "http://$(cat "$dir/var/ops-listen-address")" "$dir/overload-ops.json"
grep -q '"p0_on_ops_listener":true' "$dir/overload-ops.json"
grep -q '"P0":{"statuses":{"200":[1-9]' "$dir/overload-ops.json"
overload_to "http://127.0.0.1:1" "$dir/overload-nowhere.json"
grep -q '"errors":{[^}]*"connect":[1-9]' "$dir/overload-nowhere.json"
! grep -q '"P0":' "$dir/overload-nowhere.json"  # a class with no answers is left out
grep -q '"P2":{"statuses":{"200":[1-9]' "$dir/overload-nowhere.json"
# The audit log those writes left verifies, sealed under checkpoints while they ran.
sleep 2
verdict=$("$billd" audit verify \
  --db.url="postgresql:///billd?host=$(billd_pg_socket)&port=$(billd_pg_port)&user=billd" 2>&1)
grep -Eq "intact: [0-9]+ rows, [1-9][0-9]* checkpoints" <<<"$verdict" ||
  { echo "audit verify: $verdict" >&2; exit 1; }
# Seeding through COPY, then the list scenarios (a deep page needs the seeded rows).
"$bench" seed --db "$(billd_conninfo)" --bills 3000 --per-statement 1000 | grep -q "seeded 3000 bills, [0-9]* payments, 3000 jobs,"
for scenario in list list_deep; do
  "$bench" --url "http://$BILLD_ADDR" --scenario "$scenario" --password "$BENCH_PASSWORD" \
    --connections 2 --threads 1 --duration 1 --warmup 0 --list-depth 100 \
    --json "$dir/$scenario.json"
  grep -q '"200":[1-9]' "$dir/$scenario.json"
done
# Every payment notification was recorded: 200, nothing else.
grep -q '"200":[1-9]' "$dir/payment.json"
! grep -q '"[45][0-9][0-9]":' "$dir/payment.json"
# Open loop: a fixed rate, latency from when each request was due.
"$bench" --url "http://$BILLD_ADDR" --scenario mixed --rate 200 --password "$BENCH_PASSWORD" \
  --connections 4 --threads 1 --duration 1 --warmup 0 --bills 20 --json "$dir/open.json"
grep -q '"rate":200' "$dir/open.json"
grep -q '"machine_probe":{"worst_ms":[0-9.]*,"stalls":[0-9]*}' "$dir/open.json"
grep -q '"requests":[1-9]' "$dir/open.json"
