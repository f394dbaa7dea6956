#!/usr/bin/env bash
# The demo, on the embedded default store:
#  1. inspect every fixture sample, and show that invalid ones are refused;
#  2. generate the synthetic world (two registers, five yearly snapshots),
#     register its organisations and sources, load every snapshot;
#  3. verify one sample of every golden family and compare the verdict with
#     what the family must get;
#  4. replay the fixture forums' captured pages into the leak index (the
#     offline crawl), search and export them;
#  5. show the audit log and check its hash chain.
# Everything goes under a fresh directory (DEMO_DIR, default ./demo-data),
# so a run never touches ./semak-data.
set -uo pipefail
cd "$(dirname "$0")/.."
semak=${1:-bin/semak}
people=${DEMO_PEOPLE:-20000}
dir=${DEMO_DIR:-demo-data}

echo "================ 1. sample intake: every fixture"
for f in fixtures/valid/*; do
	case "$f" in *.md) continue ;; esac
	echo "---------------- semak sample inspect $f"
	"$semak" sample inspect "$f" || exit 1
done
echo "---------------- invalid samples are refused (exit 2, message on stderr)"
for f in fixtures/invalid/*; do
	case "$f" in *.md) continue ;; esac
	if "$semak" sample inspect "$f" >/dev/null 2>"$dir.err"; then
		echo "UNEXPECTED: $f was accepted" >&2
		exit 1
	fi
	sed 's/^/  /' "$dir.err"
done
rm -f "$dir.err"

echo
echo "================ 2. the generated world: $people people per register"
rm -rf "$dir"
mkdir -p "$dir"
go run ./fixtures/world/worldgen -out "$dir/world" -people "$people" || exit 1
export SEMAK_DATA="$dir/data"
"$semak" init || exit 1
while IFS=$'\t' read -r id org name aliases pop country sector anchor fields orgonly; do
	args=(org add "$org" --name "$name" --population "$pop")
	[ "$aliases" != "-" ] && for a in ${aliases//,/ }; do args+=(--alias "$a"); done
	[ "$country" != "-" ] && args+=(--country "$country")
	[ "$sector" != "-" ] && args+=(--sector "$sector")
	"$semak" "${args[@]}" || exit 1
	sargs=(source add "$id" --anchor "$anchor" --fields "$fields")
	[ "$orgonly" != "-" ] && sargs+=(--org-only "$orgonly")
	"$semak" "${sargs[@]}" || exit 1
done <"$dir/world/sources.tsv"
while IFS=$'\t' read -r id asof file; do
	"$semak" snapshot load "$id" --as-of "$asof" "$dir/world/$file" || exit 1
done <"$dir/world/exports.tsv"
"$semak" snapshot list

echo
echo "================ known leaks and canaries"
while IFS=$'\t' read -r posting date org file rows title; do
	"$semak" leak add --posting "$posting" --date "$date" --org "$org" --title "$title" "$dir/world/$file" || exit 1
done <"$dir/world/known_leaks.tsv"
"$semak" canary plant perkeso/contributors --partner "Syarikat Analitik Data" --as-of 2022-06-30 --count 25 \
	--format 'perkeso_no=PKS#########' --out "$dir/canaries.csv" || exit 1
# The partner's extract leaks: 2022 rows with the canaries in them.
{ head -n 301 "$dir/world/perkeso_contributors_2022-12-31.csv"; tail -n +2 "$dir/canaries.csv"; } >"$dir/world/sample_partner_extract.csv"
printf 'partner_extract\tsample_partner_extract.csv\tperkeso\t0\tOLD\t-\tcanary\t-\t-\t-\n' >>"$dir/world/samples.tsv"

echo
echo "================ 3. verify one sample of every family"
fail=0
summary=""
while IFS=$'\t' read -r family file claim count want genuine basis flags snapshot posting; do
	echo "---------------- semak verify --claim $claim --claimed-count $count $file"
	"$semak" verify --claim "$claim" --claimed-count "$count" --report "$dir/evidence_$family.html" "$dir/world/$file" | tee "$dir/verdict.txt" || exit 1
	got=$(sed -n 's/^verdict *\([A-Z]*\).*/\1/p' "$dir/verdict.txt")
	mark=ok
	[ "$got" = "$want" ] || { mark=WRONG; fail=1; }
	summary+=$(printf '%-22s want %-13s got %-13s %s' "$family" "$want" "$got" "$mark")$'\n'
done <"$dir/world/samples.tsv"
echo
echo "================ 4. the leak index: offline crawl of the fixture forums, search, export"
for engine in mybb xenforo phpbb paste; do
	"$semak" crawl --offline "crawler/testdata/forums/$engine" --site "http://$engine.example/" --engine "$engine" || exit 1
done
"$semak" search --facets 'perkeso OR socso OR bpjs' || exit 1
"$semak" export --query 'perkeso OR socso' --format stix --limit 3 >"$dir/export.stix.json" || exit 1
echo "STIX bundle of 3 postings: $dir/export.stix.json"

echo
echo "================ 5. the audit log: what was loaded, verified and exported, chained by hash"
"$semak" audit --limit 5 || exit 1
echo "…"
"$semak" audit verify || exit 1

echo
echo "================ summary (evidence packs: $dir/evidence_*.html)"
printf '%s' "$summary"
exit $fail
