#!/bin/sh
# fuzz/run.sh SECONDS: runs the libFuzzer target for SECONDS (default 60),
# seeded from traces/ and tests/traces/, from a build configured with
# CC=clang --enable-fuzzing.  Exits non-zero on any crash; the crashing
# input is left as fuzz/crash-* to be kept in fuzz/repro/ once fixed.
set -eu
secs=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
for f in "$here"/../traces/*.zmt "$here"/../traces/*.csapp \
    "$here"/../tests/traces/* "$here"/repro/*; do
	[ -f "$f" ] && cp "$f" "$corpus/"
done
./fuzz_trace -max_total_time="$secs" -max_len=65536 -timeout=10 \
	-rss_limit_mb=4096 -artifact_prefix=./crash- -print_final_stats=1 \
	"$corpus"
