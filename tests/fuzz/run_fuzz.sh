#!/bin/bash
# A short, bounded libFuzzer run of one device model, for `meson test`.
#
#   run_fuzz.sh NAME SOURCE_ROOT OUT_DIR RUNS
#
# Builds tests/fuzz/fuzz_NAME.c with clang's libFuzzer, ASan and UBSan (the
# main build may use gcc, which has no libFuzzer), then runs RUNS inputs
# from a fixed seed.  Long runs: see DEVELOPERS.md ("Fuzzing").
set -euo pipefail
name=$1 src=$2 out=$3 runs=$4

if ! command -v clang >/dev/null; then
	echo "FAIL: clang not found: scripts/install-deps test installs clang and libclang-rt-14-dev"
	exit 1
fi
mkdir -p "$out"
# A device model is one file in devices/; a loader is its boot/ files.
case $name in
linux_boot)
	sources=("$src/vmm/boot/linux.c" "$src/vmm/boot/memmap.c" "$src/vmm/boot/boot_plan.c")
	includes=(-I"$src/vmm" -I"$src/vmm/boot")
	;;
multiboot)
	sources=("$src/vmm/boot/multiboot.c" "$src/vmm/boot/memmap.c" "$src/vmm/boot/boot_plan.c")
	includes=(-I"$src/vmm" -I"$src/vmm/boot")
	;;
multiboot2)
	sources=("$src/vmm/boot/multiboot2.c" "$src/vmm/boot/multiboot.c" "$src/vmm/boot/memmap.c"
		 "$src/vmm/boot/boot_plan.c")
	includes=(-I"$src/vmm" -I"$src/vmm/boot")
	;;
keymap)
	sources=("$src/vmm/keymap.c")
	includes=(-I"$src/vmm")
	;;
vga_screen)
	sources=("$src/devices/vga_text.c" "$src/vmm/screen.c")
	includes=(-I"$src/devices" -I"$src/vmm")
	;;
gdb_proto)
	sources=("$src/vmm/gdb_proto.c")
	includes=(-I"$src/vmm")
	;;
*)
	sources=("$src/devices/$name.c")
	includes=(-I"$src/devices")
	;;
esac
clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	"${includes[@]}" -o "$out/fuzz_$name" \
	"$src/tests/fuzz/fuzz_$name.c" "${sources[@]}"
# A crash must fail the test: libFuzzer's own exit code for it is 77,
# which meson reads as "skipped".
"$out/fuzz_$name" -runs="$runs" -seed=1 -max_len=4096 -print_final_stats=1 \
	-error_exitcode=1 -timeout_exitcode=1 2>&1 | tail -15
