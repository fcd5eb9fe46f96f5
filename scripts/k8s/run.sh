#!/usr/bin/env bash
# Runs wsbench-loadgen as N shards of one run on Kubernetes (an Indexed Job from
# loadgen-job.yaml), collects their reports and merges them (docs/scale-out.md).
#
#   scripts/k8s/run.sh --shards N --image IMAGE [options] -- URL LOADGEN-OPTIONS...
#
#   --shards N       pods, each running --shard I/N (required)
#   --image IMAGE    a container image with wsbench-loadgen on its PATH (required)
#   --name NAME      Job name (default wsbench-loadgen-<unix time>)
#   --start-in SECS  start every pod's run this long after submission (default 60), so the
#                    windows line up even when pods are scheduled at different times
#   --cpus N         CPU request of each pod (default 2)
#   --out DIR        where shard-I.json and merged.json go (default ./NAME)
#   --namespace NS   kubectl namespace
#   --dry-run        print the manifest and exit
#
# Everything after -- goes to wsbench-loadgen; -c, -R and --connect-rate are the totals of all
# shards. Needs kubectl, and wsbench-report on the PATH or in build/bin for the merge.
# Exit codes: 0 merged, 1 a shard failed (the reports that exist are still merged), 2 usage
# error, 3 the Job could not run or no report came back.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

shards="" image="" name="wsbench-loadgen-$(date +%s)" start_in=60 cpus=2 out="" dry_run=0
ns_args=()
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
while [[ $# -gt 0 ]]; do
    case "$1" in
        --shards) shards="${2:?}"; shift 2 ;;
        --image) image="${2:?}"; shift 2 ;;
        --name) name="${2:?}"; shift 2 ;;
        --start-in) start_in="${2:?}"; shift 2 ;;
        --cpus) cpus="${2:?}"; shift 2 ;;
        --out) out="${2:?}"; shift 2 ;;
        --namespace) ns_args=(--namespace "${2:?}"); shift 2 ;;
        --dry-run) dry_run=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
done
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --shards N is required (a positive count)" >&2; exit 2; }
[[ -n "$image" ]] || { echo "run.sh: --image IMAGE is required" >&2; exit 2; }
[[ "$start_in" =~ ^[0-9]+$ ]] || { echo "run.sh: --start-in takes whole seconds" >&2; exit 2; }
[[ $# -gt 0 ]] || { echo "run.sh: give the URL and the loadgen options after --" >&2; exit 2; }
[[ "$name" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || { echo "run.sh: --name '$name' is not a DNS label" >&2; exit 2; }
out="${out:-./$name}"

# Each loadgen argument single-quoted for /bin/sh in the pod.
loadgen_args=""
for arg in "$@"; do
    loadgen_args+=" '${arg//\'/\'\\\'\'}'"
done

shopt -u patsub_replacement 2>/dev/null || true  # bash 5.2: '&' in a replacement is literal
manifest="$(<"$here/loadgen-job.yaml")"
manifest="${manifest//@JOB_NAME@/$name}"
manifest="${manifest//@SHARDS@/$shards}"
manifest="${manifest//@IMAGE@/$image}"
manifest="${manifest//@START_AT@/$(($(date +%s) + start_in))}"
manifest="${manifest//@CPUS@/$cpus}"
manifest="${manifest//@LOADGEN_ARGS@/${loadgen_args# }}"
if [[ $dry_run -eq 1 ]]; then
    printf '%s\n' "$manifest"
    exit 0
fi

report_tool=$(command -v wsbench-report || echo "$here/../../build/bin/wsbench-report")
mkdir -p "$out"
printf '%s\n' "$manifest" | kubectl "${ns_args[@]}" apply -f - >&2 || exit 3
echo "run.sh: job/$name submitted; the shards start in ${start_in}s" >&2

# Wait until every pod finished (succeeded or failed).
while :; do
    status=$(kubectl "${ns_args[@]}" get "job/$name" -o jsonpath='{.status.succeeded} {.status.failed}') || exit 3
    read -r ok failed <<<"$status"
    (( ${ok:-0} + ${failed:-0} >= shards )) && break
    sleep 5
done

code=0
reports=()
for ((i = 0; i < shards; i++)); do
    pod=$(kubectl "${ns_args[@]}" get pods -l "job-name=$name,batch.kubernetes.io/job-completion-index=$i" \
          -o jsonpath='{.items[0].metadata.name}')
    phase=$(kubectl "${ns_args[@]}" get pod "$pod" -o jsonpath='{.status.phase}')
    if [[ "$phase" != Succeeded ]]; then
        code=1
        echo "run.sh: shard $i ($pod) $phase:" >&2
        kubectl "${ns_args[@]}" get pod "$pod" \
            -o jsonpath='{.status.containerStatuses[0].state.terminated.message}' >&2 || true
        echo >&2
    fi
    if kubectl "${ns_args[@]}" logs "$pod" >"$out/shard-$i.json" && [[ -s "$out/shard-$i.json" ]]; then
        reports+=("$out/shard-$i.json")
    else
        echo "run.sh: no report from shard $i" >&2
        rm -f "$out/shard-$i.json"
    fi
done
[[ ${#reports[@]} -gt 0 ]] || { echo "run.sh: no shard wrote a report" >&2; exit 3; }
if [[ ${#reports[@]} -eq 1 ]]; then
    cp "${reports[0]}" "$out/merged.json"
else
    "$report_tool" merge "${reports[@]}" -o "$out/merged.json" || exit 3
fi
"$report_tool" summary "$out/merged.json"
echo "run.sh: reports in $out (merged.json: the whole run)" >&2
exit $code
