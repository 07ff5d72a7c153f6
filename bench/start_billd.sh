# Sourced by bench scripts and the bench smoke test: start_billd BILLD DIR [billd flags...]
# starts billd on its embedded PostgreSQL under DIR/var (listening on a free loopback port),
# waits until it is ready and sets BILLD_PID and BILLD_ADDR; stop_billd stops it.
# DIR must be reachable by user postgres when run as root (e.g. under /tmp).
BENCH_PASSWORD=bench-password-0123456789

start_billd() {
  local billd=$1 dir=$2
  shift 2
  chmod 755 "$dir"
  rm -f "$dir/var/listen-address"
  "$billd" serve --data_dir="$dir/var" --http.listen=127.0.0.1:0 \
    --admin.password="$BENCH_PASSWORD" --rate.admin_per_minute=10000000 \
    --log.level=warn "$@" >>"$dir/billd.log" 2>&1 &
  BILLD_PID=$!
  BILLD_DIR=$dir
  for _ in $(seq 1 600); do
    if [[ -s "$dir/var/listen-address" ]]; then
      BILLD_ADDR=$(cat "$dir/var/listen-address")
      curl -sf "http://$BILLD_ADDR/health/ready" >/dev/null && return 0
    fi
    kill -0 "$BILLD_PID" 2>/dev/null || { tail -20 "$dir/billd.log" >&2; return 1; }
    sleep 0.1
  done
  echo "billd did not become ready" >&2
  return 1
}

# start_gateway_sim SIM DIR starts gateway-sim on a free loopback port and sets SIM_PID,
# GATEWAY_SECRET (what billd-bench signs payment notifications with) and GATEWAY_FLAGS (the
# billd flags that point billd at it); stop_gateway_sim stops it.
GATEWAY_SECRET=bench-gateway-to-billd-secret-0123
start_gateway_sim() {
  local sim=$1 dir=$2 billd_to_gateway=bench-billd-to-gateway-secret-0123
  rm -f "$dir/sim.out"
  "$sim" serve --listen 127.0.0.1:0 --secret-in "$billd_to_gateway" \
    --secret-out "$GATEWAY_SECRET" >"$dir/sim.out" 2>>"$dir/sim.log" &
  SIM_PID=$!
  for _ in $(seq 1 100); do
    if grep -q "http://" "$dir/sim.out" 2>/dev/null; then
      local url
      url=$(grep -o "http://[^ ]*" "$dir/sim.out" | head -1)
      GATEWAY_FLAGS=(--gateway.url="$url" --gateway.secret_out="$billd_to_gateway"
        --gateway.secret_in="$GATEWAY_SECRET" --jobs.poll_interval_ms=50)
      return 0
    fi
    sleep 0.05
  done
  echo "gateway-sim did not start" >&2
  return 1
}

stop_gateway_sim() {
  [[ -n "${SIM_PID:-}" ]] || return 0
  kill "$SIM_PID" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=
}

# The running billd's embedded PostgreSQL: its socket directory and port (from the socket's name).
billd_pg_socket() { echo "$BILLD_DIR/var/pg-run"; }
billd_pg_port() {
  ls -a "$(billd_pg_socket)" | sed -n 's/^\.s\.PGSQL\.\([0-9]*\)$/\1/p' | head -1
}

# billd_conninfo: the libpq connection string of the running billd's embedded PostgreSQL.
billd_conninfo() { echo "host=$(billd_pg_socket) port=$(billd_pg_port) user=billd dbname=billd"; }

# wait_until_none SECONDS QUERY: polls the running billd's database once a second until QUERY
# (one number) is 0 or less; returns 1 when SECONDS pass first.
wait_until_none() {
  local seconds=$1 query=$2 conninfo left
  conninfo=$(billd_conninfo)
  for _ in $(seq 1 "$seconds"); do
    left=$(psql "$conninfo" -Atc "$query")
    [[ "$left" -le 0 ]] && return 0
    sleep 1
  done
  return 1
}

# wait_for_audit_seal: returns once the running billd has sealed every audit row (its seal
# covers audit.seal_ids_max ids per audit.seal_interval_ms, 30 s after they were drawn), so a
# measurement after `billd-bench seed` does not share the machine with the seal's catching up.
wait_for_audit_seal() {
  wait_until_none 1800 "SELECT coalesce((SELECT max(id) FROM audit_log), 0)
    - coalesce((SELECT max(last_id) FROM audit_checkpoints), 0)" && return 0
  echo "the audit seal did not catch up in 30 minutes" >&2
  return 1
}

# wait_for_settled_database: wait_for_audit_seal, then until no autovacuum worker runs (at most
# 5 minutes more; a database still vacuuming then is measured as it is, with a note).
wait_for_settled_database() {
  wait_for_audit_seal || return 1
  wait_until_none 300 "SELECT count(*) FROM pg_stat_activity
    WHERE backend_type = 'autovacuum worker'" ||
    echo "autovacuum still running after 5 minutes: measuring anyway" >&2
}

# billd_login: the admin's bearer token on the running billd.
billd_login() {
  curl -sf "http://$BILLD_ADDR/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$BENCH_PASSWORD\"}" | jq -r .token
}

stop_billd() {
  [[ -n "${BILLD_PID:-}" ]] || return 0
  kill -TERM "$BILLD_PID" 2>/dev/null || true
  wait "$BILLD_PID" 2>/dev/null || true
  BILLD_PID=
}
