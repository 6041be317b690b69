#!/bin/sh
# diff-run.sh - replay one trace through the real ZendMM (zmmreal) and
# through our model (zmmreplay), both with --ptrs --state, and compare the
# outputs byte for byte and the exit statuses.
#
#   diff-run.sh TRACE [--keep-going] [--check] [--expect-status N]
#
# ZMMREAL and ZMMREPLAY name the two programs (default ./zmmreal and
# ../tools/zmmreplay, relative to the tests build directory).
# --keep-going is given to both; --expect-status also requires that
# zmmreal exit with N.  With --keep-going the number of error lines on
# stderr must match too.  --check makes zmmreplay walk every heap
# invariant after every op (a broken one fails the comparison).
#
# Exit status: 0 identical; 1 different (the first difference is shown);
# 77 the real allocator cannot replay this trace (a @limit, or a gc that
# would delete PHP 8.2's main chunk), or zmmreal was not built; 99 usage.

ZMMREAL=${ZMMREAL:-./zmmreal}
ZMMREPLAY=${ZMMREPLAY:-../tools/zmmreplay}

usage() {
	echo "usage: diff-run.sh TRACE [--keep-going] [--check]" \
	    "[--expect-status N]" >&2
	exit 99
}

trace=
keep=
check=
expect=
while [ $# -gt 0 ]; do
	case $1 in
	--keep-going) keep=--keep-going ;;
	--check) check=--check ;;
	--expect-status)
		[ $# -ge 2 ] || usage
		expect=$2
		shift
		;;
	-*) usage ;;
	*)
		[ -z "$trace" ] || usage
		trace=$1
		;;
	esac
	shift
done
[ -n "$trace" ] || usage
if [ ! -r "$trace" ]; then
	echo "DIFF $trace: cannot read the trace"
	exit 1
fi
if [ ! -x "$ZMMREAL" ]; then
	echo "SKIP $trace: $ZMMREAL was not built (no libphp8.2)"
	exit 77
fi
if [ ! -x "$ZMMREPLAY" ]; then
	echo "DIFF $trace: $ZMMREPLAY was not built"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/diff-run.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# $keep and $check are empty or one word: left unquoted on purpose.
# shellcheck disable=SC2086
"$ZMMREAL" --ptrs --state $keep "$trace" >"$tmp/real" 2>"$tmp/real.err"
real_status=$?
# shellcheck disable=SC2086
"$ZMMREPLAY" --ptrs --state $keep $check "$trace" >"$tmp/ours" \
    2>"$tmp/ours.err"
ours_status=$?

case $real_status in
2)
	if grep -q '@limit' "$tmp/real.err"; then
		echo "SKIP $trace: @limit cannot be replayed on the real" \
		    "allocator"
		exit 77
	fi
	;;
4)
	echo "SKIP $trace: the real ZendMM cannot replay it (a gc would" \
	    "delete PHP 8.2's main chunk)"
	exit 77
	;;
esac
if [ "$real_status" -ge 3 ]; then
	echo "DIFF $trace: zmmreal failed (exit $real_status):"
	sed 's/^/  /' "$tmp/real.err"
	exit 1
fi

note=
if grep -qx 'layout-unknown' "$tmp/real.err"; then
	# Only the --ptrs lines (OPNO ID ...) can be compared.
	note=" (libphp8.2 layout unknown: --ptrs lines only)"
	grep -E '^[0-9]+ ' "$tmp/real" >"$tmp/real.ptrs"
	grep -E '^[0-9]+ ' "$tmp/ours" >"$tmp/ours.ptrs"
	mv "$tmp/real.ptrs" "$tmp/real"
	mv "$tmp/ours.ptrs" "$tmp/ours"
fi

if ! cmp -s "$tmp/real" "$tmp/ours"; then
	line=$(awk -v other="$tmp/ours" '
		{
			if ((getline theirs < other) <= 0 || $0 != theirs) {
				print NR
				found = 1
				exit
			}
		}
		END {
			if (!found)
				print NR + 1
		}' "$tmp/real")
	echo "DIFF $trace: first difference at line $line:$note"
	real_line=$(sed -n "${line}p" "$tmp/real")
	ours_line=$(sed -n "${line}p" "$tmp/ours")
	[ "$line" -le "$(wc -l <"$tmp/real")" ] || real_line="(end of output)"
	[ "$line" -le "$(wc -l <"$tmp/ours")" ] || ours_line="(end of output)"
	printf '  real: %s\n  ours: %s\n' "$real_line" "$ours_line" |
	    cut -c1-300
	exit 1
fi
if [ "$real_status" -ne "$ours_status" ]; then
	echo "DIFF $trace: exit status real=$real_status ours=$ours_status$note"
	sed 's/^/  ours: /' "$tmp/ours.err" | head -5
	exit 1
fi
if [ -n "$expect" ] && [ "$real_status" -ne "$expect" ]; then
	echo "DIFF $trace: exit status $real_status, expected $expect$note"
	exit 1
fi
if [ -n "$keep" ]; then
	real_errors=$(grep -c ': error: ' "$tmp/real.err")
	ours_errors=$(grep -c ': error: ' "$tmp/ours.err")
	if [ "$real_errors" -ne "$ours_errors" ]; then
		echo "DIFF $trace: $real_errors error lines from zmmreal," \
		    "$ours_errors from zmmreplay$note"
		exit 1
	fi
fi
[ -z "$note" ] || echo "NOTE $trace:$note"
exit 0
