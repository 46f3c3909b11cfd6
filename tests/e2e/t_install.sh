#!/usr/bin/env bash
# `make install` and its friends (issue 17): DESTDIR and the directory
# variables, sockrec in sbin, binaries not stripped, the manual pages and
# completions, install-sockana without the BPF toolchain, uninstall, and the
# build flags a distribution passes (CPPFLAGS, CFLAGS, LDFLAGS, WERROR).
# No root: everything goes under $TMP.
. "$(dirname "$0")/lib.sh"

SRC=$(cd "$E2E_DIR/../.." && pwd)
# This test's own makes: not the flags (SAN=, BUILD=) of a make that runs it.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u WERROR make --no-print-directory -C "$SRC" "$@"; }
mkq() { mk "$@" >/dev/null; }

# ---- the flags: taken from the environment, -Werror only with WERROR=1 ----
flags=$(CPPFLAGS=-DSKR_T_INSTALL_CPP CFLAGS='-O1 -DSKR_T_INSTALL_C' LDFLAGS=-Wl,-z,relro \
	mk -n -B BUILD="$TMP/flags" "$TMP/flags/sockana")
check "CPPFLAGS from the environment reach the compiler" grep -q -- '-DSKR_T_INSTALL_CPP' <<<"$flags"
check "CFLAGS from the environment reach the compiler" grep -q -- '-O1 -DSKR_T_INSTALL_C' <<<"$flags"
check "LDFLAGS from the environment reach the linker" grep -q -- '-Wl,-z,relro.*-o .*/flags/sockana' <<<"$flags"
check "no -Werror by default" test "$(grep -c -- '-Werror' <<<"$flags")" = 0
check "WERROR=1: -Werror" grep -q -- '-Werror' <<<"$(mk -n -B BUILD="$TMP/flags" WERROR=1 "$TMP/flags/sockana")"
check "no build path in the objects (-ffile-prefix-map)" grep -q -- "-ffile-prefix-map=$SRC=." <<<"$flags"
check "BPF objects from the in-tree vmlinux.h" grep -q -- '-Ibpf/vmlinux/' \
	<<<"$(mk -n -B BUILD="$TMP/flags" "$TMP/flags/bpf/sockrec.bpf.o")"

# ---- install-sockana: the analyzer alone, without clang or bpftool ----
stage=$TMP/stage
check "make install-sockana without clang or bpftool" \
	mkq -j2 BUILD="$TMP/ana" CLANG=/nonexistent/clang BPFTOOL=/nonexistent/bpftool \
	DESTDIR="$stage" PREFIX=/usr install-sockana
check "sockana in BINDIR" test -x "$stage/usr/bin/sockana"
check "no sockrec with install-sockana" test ! -e "$stage/usr/sbin/sockrec"
check "installed sockana runs" "$stage/usr/bin/sockana" --info "$SRC/samples/refused/trace.skr"
check "sockana.1 in MANDIR/man1" test -s "$stage/usr/share/man/man1/sockana.1"
check "sockana completion" test -s "$stage/usr/share/bash-completion/completions/sockana"
check "sockana's LICENSE" cmp -s "$SRC/LICENSE" "$stage/usr/share/doc/sockana/LICENSE"
check "sockana not stripped: its symbol table is kept" grep -q '\.symtab' <<<"$(readelf -S "$stage/usr/bin/sockana")"
check "man -l renders sockana.1" test "$(MANWIDTH=80 man -l "$stage/usr/share/man/man1/sockana.1" 2>/dev/null | grep -c 'EXIT STATUS')" -ge 1

# ---- install: both, with every directory variable ----
if [ -x "$BUILD/sockrec" ] && [ -x "$BUILD/sockana" ] && [ "$(realpath "$BUILD")" = "$(realpath "$SRC/build")" ]; then
	stage=$TMP/full
	check "make install with DESTDIR, PREFIX, SBINDIR, BINDIR, MANDIR" \
		mkq BUILD="$BUILD" DESTDIR="$stage" PREFIX=/opt/skr SBINDIR=/opt/skr/s BINDIR=/opt/skr/b \
		MANDIR=/opt/skr/m install
	check "sockrec in SBINDIR" test -x "$stage/opt/skr/s/sockrec"
	check "sockana in BINDIR" test -x "$stage/opt/skr/b/sockana"
	check "sockrec.8 in MANDIR/man8" test -s "$stage/opt/skr/m/man8/sockrec.8"
	check "sockana.1 in MANDIR/man1" test -s "$stage/opt/skr/m/man1/sockana.1"
	check "sockrec not stripped" cmp -s "$BUILD/sockrec" "$stage/opt/skr/s/sockrec"
	check "sockana not stripped" cmp -s "$BUILD/sockana" "$stage/opt/skr/b/sockana"
	check "docs and LICENSE" test -s "$stage/opt/skr/share/doc/sockrec/LICENSE" -a -s "$stage/opt/skr/share/doc/sockrec/FORMAT.md"
	check "make uninstall" mkq BUILD="$BUILD" DESTDIR="$stage" PREFIX=/opt/skr SBINDIR=/opt/skr/s \
		BINDIR=/opt/skr/b MANDIR=/opt/skr/m uninstall
	check_eq "uninstall leaves no file" "" "$(find "$stage" -type f)"
	# default PREFIX: sockrec goes to /usr/local/sbin
	check "make install, default directories" mkq BUILD="$BUILD" DESTDIR="$TMP/def" install
	check "sockrec in PREFIX/sbin by default" test -x "$TMP/def/usr/local/sbin/sockrec"
	check "sockana in PREFIX/bin by default" test -x "$TMP/def/usr/local/bin/sockana"
else
	echo "  (make install of both: needs the default build directory, built; not $BUILD)"
fi

finish
