#!/bin/sh
# Seeds of tests/fuzz/corpus/fuzz_xls (RULE-IMPORT-017/018): workbooks and a Word document
# written by xlwt through tests/fixtures/office_files.py, named by their SHA-1 as libFuzzer
# names what it adds.  The sparse-corner workbook is left out: in one process (no child, no
# limit) it costs 256 MiB a run.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 tests/fixtures/office_files.py "$tmp" >/dev/null
dir=tests/fuzz/corpus/fuzz_xls
mkdir -p "$dir"
for f in hukou.xls numeric-ids.xls letter.doc; do
    cp "$tmp/$f" "$dir/$(sha1sum "$tmp/$f" | cut -d' ' -f1)"
done
