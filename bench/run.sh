#!/bin/sh
# bench/run.sh TOP_BUILDDIR: `make bench`.  Times the zmmviz core against
# the real ZendMM (libphp8.2) and glibc on generated traces, the CS:APP
# malloc-lab traces (when ../shared is beside the source tree, or
# ZMM_MALLOCLAB names them) and PHP scripts recorded with zmmrecord --php
# (when the extension and php are there); then reading, memory and
# seeking on 10M-op traces, and the viewer's frames, play and seek.  Each
# part prints its own lines; the last part is one table of every figure
# against its target, the table of the README.
set -eu
top=${1:?usage: run.sh TOP_BUILDDIR}
top=$(cd "$top" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
gen=$top/tools/zmmgen
replay=$top/tools/zmmreplay
record=$top/tools/zmmrecord
bench=$top/bench/zmmbench
vizbench=$top/bench/zmmvizbench
rss=$top/bench/zmmrss
labdir=${ZMM_MALLOCLAB:-$here/../../shared/traces-external/malloclab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== traces"
"$gen" --seed 42 --ops 2000000 --mix small=100 \
	--ops-mix alloc=50,free=45,realloc=5 -o "$tmp/small-2M.zmt"
"$gen" --seed 42 --ops 1000000 -o "$tmp/mixed-1M.zmt"
"$gen" --seed 7 --ops 10000000 --mix small=100 --max-live 100000 \
	-o "$tmp/small-10M.zmt"
"$gen" --seed 42 --ops 10000000 -o "$tmp/mixed-10M.zmt"
"$gen" --seed 3 --ops 1000000 --mix small=60,large=39,huge=1 \
	--max-live 6000 -o "$tmp/viewer-1M.zmt"
yes 'alloc a123 4096' | head -n 10000000 >"$tmp/same-id-10M.zmt"
php_traces=
if [ -f "$top/ext/.libs/zmmrecord.so" ]; then
	for script in "$here"/php/*.php; do
		name=$(basename "$script" .php)
		if "$record" -o "$tmp/php-$name.zmt" --php "$script" >/dev/null
		then
			php_traces="$php_traces $tmp/php-$name.zmt"
		fi
	done
fi
[ -n "$php_traces" ] || echo "(no PHP traces: the extension or php is missing)"
lab_traces=
if [ -d "$labdir" ]; then
	for f in "$labdir"/*.rep; do
		case $f in */alaska.rep) continue ;; esac	# malformed
		lab_traces="$lab_traces $f"
	done
fi
[ -n "$lab_traces" ] || echo "(no malloc-lab traces in $labdir)"
ls -l "$tmp" | awk 'NR > 1 { printf "%-20s %6.0f MB\n", $9, $5 / 1e6 }'

echo "== replay (best of 5, 3 for 10M ops; ms; ratios to the real ZendMM)"
# shellcheck disable=SC2086	# the lists are meant to split
"$bench" --runs 5 "$tmp/small-2M.zmt" "$tmp/mixed-1M.zmt" $php_traces \
	$lab_traces | tee "$tmp/replay.out"
"$bench" --runs 3 "$tmp/small-10M.zmt" | sed 1d | tee -a "$tmp/replay.out"

echo "== reading (best of 3)"
"$bench" --runs 3 --read-only "$tmp/small-10M.zmt" "$tmp/mixed-10M.zmt" \
	"$tmp/same-id-10M.zmt" | tee "$tmp/read.out"
rm -f "$tmp/same-id-10M.zmt"

echo "== peak memory beyond the modelled heap, against the file's size"
"$rss" "$replay" --stats "$tmp/small-10M.zmt" >"$tmp/stats" 2>"$tmp/rss"
heap=$(awk '$1 == "real_peak" { print $2 }' "$tmp/stats")
kib=$(awk '$1 == "peak_rss_kib" { print $2 }' "$tmp/rss")
file=$(wc -c <"$tmp/small-10M.zmt")
echo "zmmreplay --stats small-10M.zmt: peak RSS $kib KiB, heap $heap B, file $file B" |
	tee "$tmp/mem.out"
"$rss" "$vizbench" --chunks 0 --frames 1 --seeks 3 --play-seconds 0 \
	"$tmp/small-10M.zmt" >"$tmp/viz" 2>"$tmp/rss"
vheap=$(awk '$1 == "heap" { print $3 }' "$tmp/viz")
vkib=$(awk '$1 == "peak_rss_kib" { print $2 }' "$tmp/rss")
echo "zmmviz (zmmvizbench) small-10M.zmt: peak RSS $vkib KiB, heap $vheap B" |
	tee -a "$tmp/mem.out"

echo "== seeking in 10M ops (best of 3 runs of 200 random seeks)"
for f in small-10M mixed-10M; do
	"$bench" --runs 3 --seek-only "$tmp/$f.zmt" | tee "$tmp/seek-$f.out"
done
rm -f "$tmp"/*-10M.zmt

echo "== the viewer (200x60, output to /dev/null)"
"$vizbench" --cols 200 --lines 60 --chunks 16 --seeks 50 --play-seconds 3 \
	"$tmp/viewer-1M.zmt" | tee "$tmp/viewer.out"

echo
echo "== summary"
awk -v heap="$heap" -v kib="$kib" -v file="$file" -v vheap="$vheap" \
    -v vkib="$vkib" '
function geo(sum, n) { return n ? exp(sum / n) : 0 }
function row(what, result, target) {
	printf "| %s | %s | %s |\n", what, result, target
}
function ratios(set, label,    r1, r2) {
	if (!n[set])
		return
	r1 = sprintf("%.2f", geo(s1[set], n[set]))
	r2 = sprintf("%.2f", geo(s2[set], n[set]))
	if (n[set] > 1) {
		r1 = r1 sprintf(" (%.2f-%.2f)", lo1[set], hi1[set])
		r2 = r2 sprintf(" (%.2f-%.2f)", lo2[set], hi2[set])
	}
	row("replay, " label ": core / ZendMM", r1, "<= 1.2")
	row("replay, " label ": with the viewer'"'"'s listener / ZendMM", r2, "<= 2")
}
# malloc-lab traces under 1000 ops take microseconds: below the timer
FILENAME ~ /replay.out$/ && NF == 8 && $2 ~ /^[0-9]+$/ && $7 > 0 &&
    ($1 !~ /\.rep$/ || $2 >= 1000) {
	set = $1 ~ /\.rep$/ ? "lab" : $1 ~ /^php-/ ? "php" : $1
	n[set]++
	s1[set] += log($7); s2[set] += log($8)
	if (n[set] == 1 || $7 < lo1[set]) lo1[set] = $7
	if (n[set] == 1 || $7 > hi1[set]) hi1[set] = $7
	if (n[set] == 1 || $8 < lo2[set]) lo2[set] = $8
	if (n[set] == 1 || $8 > hi2[set]) hi2[set] = $8
	if ($4 > 0 && $6 > 0) { gl += log($6 / $3); ngl++ }
}
FILENAME ~ /read.out$/ { mbs[$1] = $(NF - 1) }
FILENAME ~ /seek-/ && /mean/ {
	name = FILENAME; sub(/.*seek-/, "", name); sub(/\.out$/, "", name)
	seek[++nseek] = name; seekline[name] = $0
}
FILENAME ~ /viewer.out$/ { viewer[$1] = $0 }
END {
	print "| measure | result | target |"
	print "|---|---|---|"
	ratios("lab", n["lab"] " malloc-lab traces of 1000 ops or more")
	ratios("php", n["php"] " recorded PHP scripts")
	ratios("small-10M.zmt", "10M small ops")
	ratios("small-2M.zmt", "2M small ops")
	ratios("mixed-1M.zmt", "1M mixed ops")
	if (ngl)
		row("replay, all traces: glibc / core (geometric mean)",
		    sprintf("%.2f", geo(gl, ngl)), "")
	row("reading 10M lines, a new ID per block (small-10M)",
	    mbs["small-10M.zmt"] " MB/s", ">= 300 MB/s")
	row("reading 10M lines, a new ID per block (mixed-10M)",
	    mbs["mixed-10M.zmt"] " MB/s", ">= 300 MB/s")
	row("reading 10M lines of one ID", mbs["same-id-10M.zmt"] " MB/s",
	    ">= 300 MB/s")
	row("zmmreplay peak RSS beyond the heap / file size (small-10M)",
	    sprintf("%.2f", (kib * 1024 - heap) / file), "<= 2")
	row("the viewer'"'"'s player and screen (zmmvizbench, 3 seeks): peak RSS beyond the heap / file size (small-10M)",
	    sprintf("%.2f", (vkib * 1024 - vheap) / file), "<= 2")
	for (i = 1; i <= nseek; i++) {
		split(seekline[seek[i]], w, /mean |, worst /)
		row("seek to a random op of 10M, " seek[i], "mean " w[2] \
		    ", worst " w[3], "< 100 ms")
	}
	split(viewer["frame"], f, /repaint mean |, worst |; a step and its frame mean /)
	row("viewer frame at 200x60, 16 chunks: full repaint", "mean " f[2] \
	    ", worst " f[3], "< 5 ms")
	split(viewer["play"], p, /: |, longest frame |, /)
	row("viewer playing 1M ops at full speed", p[2] ", longest frame " p[3],
	    ">= 30 frames/s")
	split(viewer["seek"], s, /mean |, worst /)
	row("viewer seek to a random op of 1M, with its frame", "mean " s[2] \
	    ", worst " s[3], "< 100 ms")
}' "$tmp/replay.out" "$tmp/read.out" "$tmp"/seek-*.out "$tmp/viewer.out"
