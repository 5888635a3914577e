# Helpers of the text-source benchmarks (bench/auditd.sh, bench/csv.sh), sourced
# after `work` (the scratch directory) and `runs` (how many runs) are set.
# `run NAME COMMAND...` runs COMMAND `runs` times (removing "$work/d" first when
# NAME is store) and keeps the medians in sec[NAME], rss[NAME] and cpu[NAME].

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # run a command, print "SECONDS KIB CPU_SECONDS" (stdout discarded)
  /usr/bin/time -f '%e %M %U %S' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || true
  tail -1 "$work/time" | awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}'
}
mbs() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", b / 1048576 / s; else print "n/a" }'; }

declare -A sec rss cpu
run() { # NAME COMMAND...
  local name=$1 i t m c s=() r=() u=()
  shift
  for ((i = 0; i < runs; i++)); do
    [[ $name == store ]] && rm -rf "$work/d"
    read -r t m c < <(measure "$@")
    s+=("$t")
    r+=("$m")
    u+=("$c")
  done
  sec[$name]=$(printf '%s\n' "${s[@]}" | median)
  rss[$name]=$(printf '%s\n' "${r[@]}" | median)
  cpu[$name]=$(printf '%s\n' "${u[@]}" | median)
}
