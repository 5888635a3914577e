# ClickHouse servers for tests and benchmarks (sourced, not run): each on
# 127.0.0.1 with its own ports, config and data under a directory, started
# without systemd and stopped by the PID this shell recorded.
#   ch_start DIR NAME HTTP_PORT TCP_PORT SHARD_TCP_PORTS...   (cluster 'shoseki2')
#   ch_stop DIR NAME           ch_stop_all
CH_PIDS=()

ch_have() { command -v clickhouse-server >/dev/null 2>&1 && command -v curl >/dev/null 2>&1; }

# ch_free_base: four free ports in a row from a base picked by this shell's PID.
ch_free_base() {
  local base p busy
  for try in 0 1 2 3 4 5 6 7; do
    base=$((20000 + (($$ + try * 97) % 1500) * 8))
    busy=0
    for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then busy=1; fi
    done
    if [[ $busy -eq 0 ]]; then echo "$base"; return 0; fi
  done
  return 1
}

ch_start() {
  local root=$1 dir=$1/$2 http=$3 tcp=$4 p
  shift 4
  mkdir -p "$dir/data" "$dir/tmp" "$dir/log"
  {
    echo "<?xml version=\"1.0\"?><yandex>"
    echo "<logger><level>warning</level><log>$dir/log/server.log</log>"
    echo "<errorlog>$dir/log/err.log</errorlog><console>0</console></logger>"
    echo "<listen_host>127.0.0.1</listen_host><http_port>$http</http_port><tcp_port>$tcp</tcp_port>"
    echo "<path>$dir/data/</path><tmp_path>$dir/tmp/</tmp_path><users_config>$dir/users.xml</users_config>"
    echo "<mark_cache_size>5368709120</mark_cache_size><max_concurrent_queries>20</max_concurrent_queries>"
    echo "<default_profile>default</default_profile><default_database>default</default_database>"
    echo "<remote_servers><shoseki2>"
    for p in "$@"; do
      echo "<shard><replica><host>127.0.0.1</host><port>$p</port></replica></shard>"
    done
    echo "</shoseki2></remote_servers></yandex>"
  } >"$dir/config.xml"
  # The default user, and 'auditor' whose password (with a backslash) is in DIR/password.
  printf 's3cret\\pw\n' >"$root/password"
  chmod 600 "$root/password"
  cat >"$dir/users.xml" <<'USERS'
<?xml version="1.0"?><yandex><profiles><default></default></profiles><users>
<default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default>
<auditor><password>s3cret\pw</password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></auditor>
</users><quotas><default></default></quotas></yandex>
USERS
  clickhouse-server --config-file="$dir/config.xml" >"$dir/log/stdout" 2>&1 &
  echo $! >"$dir/pid"
  CH_PIDS+=($!)
  for _ in $(seq 1 100); do
    if [[ $(curl -s "http://127.0.0.1:$http/ping") == "Ok." ]]; then return 0; fi
    sleep 0.1
  done
  echo "clickhouse-server $2 did not start: $(tail -3 "$dir/log/err.log" 2>/dev/null)" >&2
  return 1
}

ch_stop() {
  local pidfile=$1/$2/pid pid
  [[ -f $pidfile ]] || return 0
  pid=$(cat "$pidfile")
  kill "$pid" 2>/dev/null
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$pidfile"
  CH_PIDS=("${CH_PIDS[@]/$pid/}")
}

ch_stop_all() {
  local pid
  for pid in "${CH_PIDS[@]}"; do
    [[ -n $pid ]] && kill "$pid" 2>/dev/null
  done
  for pid in "${CH_PIDS[@]}"; do
    [[ -n $pid ]] && wait "$pid" 2>/dev/null
  done
  CH_PIDS=()
}
