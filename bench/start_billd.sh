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

stop_billd() {
  [[ -n "${BILLD_PID:-}" ]] || return 0
  kill -TERM "$BILLD_PID" 2>/dev/null || true
  wait "$BILLD_PID" 2>/dev/null || true
  BILLD_PID=
}
