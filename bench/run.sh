#!/bin/sh
# bench/run.sh ZMMGEN ZMMBENCH [ZMMREPLAY]: the benchmark table of the
# README.  Generates a 2M-op small-only trace and a mixed one, then times
# them and the CS:APP malloc-lab traces (when ../shared is beside the
# source tree) through the zmmviz core, the real ZendMM and glibc; then
# reading speed, seeking, and the peak memory of ZMMREPLAY --stats on a
# 10M-op trace (with GNU time).
set -eu
gen=${1:?usage: run.sh ZMMGEN ZMMBENCH [ZMMREPLAY]}
bench=${2:?usage: run.sh ZMMGEN ZMMBENCH [ZMMREPLAY]}
replay=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
labdir=${ZMM_MALLOCLAB:-$here/../../shared/traces-external/malloclab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$gen" --seed 42 --ops 2000000 --mix small=100 \
	--ops-mix alloc=50,free=45,realloc=5 -o "$tmp/small-2M.zmt"
"$gen" --seed 42 --ops 1000000 -o "$tmp/mixed-1M.zmt"

echo "== replay (best of 5; ms; ratios against the real ZendMM)"
set -- "$tmp/small-2M.zmt" "$tmp/mixed-1M.zmt"
if [ -d "$labdir" ]; then
	for f in "$labdir"/*.rep; do
		case $f in */alaska.rep) continue ;; esac
		set -- "$@" "$f"
	done
fi
"$bench" --runs 5 "$@"

echo "== reading and seeking"
"$bench" --runs 1 --read --seek "$tmp/small-2M.zmt" "$tmp/mixed-1M.zmt"
yes 'alloc a123 4096' | head -n 10000000 >"$tmp/same-id-10M.zmt"
"$gen" --seed 7 --ops 10000000 --mix small=100 --max-live 100000 \
	-o "$tmp/mixed-10M.zmt"
"$gen" --seed 42 --ops 10000000 --mix small=100 \
	--ops-mix alloc=50,free=45,realloc=5 -o "$tmp/small-10M.zmt"
"$bench" --runs 3 --read-only "$tmp/same-id-10M.zmt" "$tmp/mixed-10M.zmt" \
	"$tmp/small-10M.zmt"

# Peak RSS less the modelled heap's peak real_size, against the file's
# size (the target: at most 2 times).
echo "== peak memory of zmmreplay --stats (GNU time's maximum RSS)"
if [ -z "$replay" ] || ! /usr/bin/time -f %M -o /dev/null true 2>/dev/null
then
	echo "skipped: needs ZMMREPLAY and GNU time (/usr/bin/time)"
else
	for f in "$tmp/mixed-10M.zmt" "$tmp/small-10M.zmt"; do
		/usr/bin/time -f %M -o "$tmp/rss" "$replay" --stats "$f" \
		    >"$tmp/stats" || :
		awk -v name="${f##*/}" -v file="$(wc -c <"$f")" \
		    -v rss="$(tail -n 1 "$tmp/rss")" '
		    /^  peak real_size/ { heap = $3 }
		    END {
			rss *= 1024
			printf "%s: %.0f MB; peak RSS %.0f MB, of which the " \
			    "heap %.0f MB; (RSS - heap) / file = %.2f\n",
			    name, file / 1e6, rss / 1e6, heap / 1e6,
			    (rss - heap) / file
		    }' "$tmp/stats"
	done
fi
rm -f "$tmp"/*-10M.zmt
