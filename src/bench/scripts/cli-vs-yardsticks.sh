#!/usr/bin/env bash
# wdsget, as users start it (./wdsget), side by side with its yardsticks: java -version for
# start-up, dd for writes. Each row runs A and B in turn, alternating which goes first,
# for --rounds rounds (default 5), and reports the median, the range and the ratio B/A of
# the medians and of the best runs, with the CPU time (user + system) and the load average
# around the row. Nothing is asserted: the figures go to docs/benchmarks.md.
#
# Usage: src/bench/scripts/cli-vs-yardsticks.sh [--rounds N] [--size SIZE] [--dir DIR]
#            [--only REGEX] [--raw FILE]
#   --size   the large object (default 1GiB; dd writes the same number of 64 KiB blocks)
#   --dir    where files are written (default: a new directory under TMPDIR or /tmp);
#            it needs room for twice --size
#   --only   run only the rows whose name matches REGEX (grep -E)
#   --raw    also write every measurement to FILE (tab-separated)
# Environment: WDSGET, the command that stands for wdsget (default: the ./wdsget launcher
# beside this repository's pom.xml; e.g. "java -jar old/wdsget.jar" for a before/after).
#
# Needs bash 5 (EPOCHREALTIME), dd, cat, sync; ./wdsget finds its JDK as it always does, and
# `java -version` is run with that same JDK (what the launcher would exec, from its trace).

set -euo pipefail

rounds=5
size=1GiB
dir=""
only=""
raw=""
while [ $# -gt 0 ]; do
    case $1 in
        --rounds) rounds=$2; shift 2 ;;
        --size) size=$2; shift 2 ;;
        --dir) dir=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        --raw) raw=$2; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
done
if [ -z "${EPOCHREALTIME:-}" ]; then
    echo "needs bash 5 or newer (EPOCHREALTIME)" >&2
    exit 1
fi

root=$(cd "$(dirname "$0")/../../.." && pwd -P)
wdsget=${WDSGET:-$root/wdsget}
if [ -z "$dir" ]; then
    dir=$(mktemp -d "${TMPDIR:-/tmp}/cli-vs-yardsticks.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi
mkdir -p "$dir"
cd "$dir"

# The JDK ./wdsget runs with (it builds the jar first when needed, and trains its AOT caches,
# one for runs with C1 alone and one for runs that hash, in the foreground here, so that no
# training runs during the measurements).
trace=$(WDSGET_AOT=wait WDSGET_LAUNCHER_TRACE=1 "$root/wdsget" get -s localhost -n synthetic -q 64KiB \
    -o "$dir/training.bin" 2>&1 >/dev/null)
WDSGET_AOT=wait "$root/wdsget" get -s localhost -n synthetic -q 64KiB -o "$dir/training-hashed.bin" --sha256 >/dev/null
rm -f "$dir"/training*.bin
java=$(printf '%s\n' "$trace" | sed -n 's/^wdsget: exec \([^ ]*\) .*/\1/p' | tail -n 1)
if [ -z "$java" ]; then
    printf '%s\n' "$trace" >&2
    echo "could not tell which java ./wdsget runs" >&2
    exit 1
fi

# Bytes in a size such as 1GiB, 512MiB, 64KiB; and the number of 64 KiB blocks.
bytes() {
    local n=${1%%[!0-9]*} unit=${1##*[0-9]}
    case $unit in
        ""|B) echo "$n" ;;
        K|KiB) echo $((n << 10)) ;;
        M|MiB) echo $((n << 20)) ;;
        G|GiB) echo $((n << 30)) ;;
        *) echo "unknown size: $1" >&2; exit 2 ;;
    esac
}
blocks=$(( $(bytes "$size") / 65536 ))

# Children's user + system time so far, in ms, into cpu_total (bash's times builtin, in
# this shell: a command substitution's subshell has no children of its own).
cpu_now() {
    local user sys
    times >"$dir/.times"
    { read -r _ _; read -r user sys; } <"$dir/.times"
    cpu_total=$(( $(secs "$user") + $(secs "$sys") ))
}
secs() {          # 1m2.345s -> 62345
    local m=${1%%m*} s=${1#*m}
    s=${s%s}
    echo $(( 10#$m * 60000 + 10#${s%%.*} * 1000 + 10#${s#*.} ))
}
now_us() { echo "${EPOCHREALTIME/[.,]/}"; }
load() { if [ -r /proc/loadavg ]; then cut -d' ' -f1-3 /proc/loadavg; else uptime | sed 's/.*average[s]*: //'; fi; }

# One timed run of a shell command: sets wall_ms and cpu_ms; fails the row if it fails.
run_once() {
    local before_cpu t0 t1
    cpu_now
    before_cpu=$cpu_total
    t0=$(now_us)
    if ! eval "$1" >/dev/null 2>"$dir/.err"; then
        echo "failed: $1" >&2
        cat "$dir/.err" >&2
        exit 1
    fi
    t1=$(now_us)
    wall_ms=$(( (t1 - t0) / 1000 ))
    cpu_now
    cpu_ms=$(( cpu_total - before_cpu ))
}

# median, min, max of the numbers given
stats() { printf '%s\n' "$@" | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)], v[1], v[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a > 0) printf "%.2fx", b / a; else print "-"}'; }

echo "| row | A | A wall ms, median (min-max) | A CPU ms | B | B wall ms, median (min-max) | B CPU ms | B/A median | B/A best | load before; after |"
echo "|---|---|---:|---:|---|---:|---:|---:|---:|---|"
[ -z "$raw" ] || printf 'row\tside\tround\twall_ms\tcpu_ms\n' >"$raw"

# row NAME LABEL_A CMD_A LABEL_B CMD_B [SETUP]: SETUP runs, untimed, before every run
row() {
    local name=$1 la=$2 a=$3 lb=$4 b=$5 setup=${6:-:}
    if [ -n "$only" ] && ! printf '%s' "$name" | grep -Eq -- "$only"; then
        return
    fi
    local wa=() ca=() wb=() cb=() i l0 l1 side
    l0=$(load)
    eval "$setup"; run_once "$a"; eval "$setup"; run_once "$b"     # warm-up, not counted
    for ((i = 0; i < rounds; i++)); do
        for side in $( ((i % 2 == 0)) && echo "A B" || echo "B A"); do
            eval "$setup"
            if [ "$side" = A ]; then
                run_once "$a"; wa+=("$wall_ms"); ca+=("$cpu_ms")
            else
                run_once "$b"; wb+=("$wall_ms"); cb+=("$cpu_ms")
            fi
            [ -z "$raw" ] || printf '%s\t%s\t%d\t%d\t%d\n' "$name" "$side" "$i" "$wall_ms" "$cpu_ms" >>"$raw"
        done
    done
    l1=$(load)
    local am amin amax bm bmin bmax acm bcm
    read -r am amin amax <<<"$(stats "${wa[@]}")"
    read -r bm bmin bmax <<<"$(stats "${wb[@]}")"
    read -r acm _ _ <<<"$(stats "${ca[@]}")"
    read -r bcm _ _ <<<"$(stats "${cb[@]}")"
    echo "| $name | $la | $am ($amin-$amax) | $acm | $lb | $bm ($bmin-$bmax) | $bcm | $(ratio "$am" "$bm") | $(ratio "$amin" "$bmin") | $l0; $l1 |"
}

get="$wdsget get -s localhost -n synthetic -q"
fresh="rm -f $dir/*.bin $dir/*.part $dir/spool; sync"

row "--help" "java -version" "$java -version" "wdsget --help" "$wdsget --help"
row "-V" "java -version" "$java -version" "wdsget -V" "$wdsget -V"
row "one-block get" "java -version" "$java -version" "wdsget get 64KiB to a file" \
    "$get '64KiB?block=64KiB' -o $dir/one.bin" "$fresh"
row "$size to a file" "dd conv=fsync, mv, sync" \
    "dd if=/dev/zero of=$dir/dd.part bs=64K count=$blocks conv=fsync status=none && mv $dir/dd.part $dir/dd.bin && sync" \
    "wdsget get, fill=0" "$get '$size?fill=0' -o $dir/object.bin" "$fresh"
row "$size shuffled to /dev/null" "dd of=/dev/null" "dd if=/dev/zero of=/dev/null bs=64K count=$blocks status=none" \
    "wdsget get -o /dev/null" "$get '$size?fill=0&order=shuffle' -o /dev/null"
row "$size shuffled to a pipe" "dd to a file, cat | cat" \
    "{ dd if=/dev/zero of=$dir/spool bs=64K count=$blocks status=none && cat $dir/spool; } | cat >/dev/null" \
    "wdsget get -o - | cat" "$get '$size?fill=0&order=shuffle' -o - | cat >/dev/null" "$fresh"
row "--sha256, in order" "wdsget get to a file" "$get '$size?fill=0' -o $dir/object.bin" \
    "the same, --sha256" "$get '$size?fill=0' -o $dir/object.bin --sha256" "$fresh"
row "--sha256, shuffled" "wdsget get to a file" "$get '$size?fill=0&order=shuffle' -o $dir/object.bin" \
    "the same, --sha256" "$get '$size?fill=0&order=shuffle' -o $dir/object.bin --sha256" "$fresh"

echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $rounds rounds, $(nproc 2>/dev/null || echo '?') CPUs;" \
    "$("$java" -version 2>&1 | head -n 1); wdsget: $wdsget; files in $dir ($(df -P "$dir" | awk 'NR==2 {print $1}'))"
