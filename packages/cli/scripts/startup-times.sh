#!/usr/bin/env bash
# Start-up times of the command, as docs/cli.md "Start-up time" reports them: N rounds, each one run of `node -e 0`
# and then, for each checkout in turn, one run of every command; the median wall time of each in ms and its ratio to
# `node -e 0`. Alternating the checkouts spreads the machine's noise over all of them alike.
#
#   packages/cli/scripts/startup-times.sh 11 <checkout> [<checkout> ...]
#
# Each checkout is built (`npm ci && npm run build`). The extraction commands read GENESYS_API_URL, GENESYS_CLIENT_ID
# and GENESYS_CLIENT_SECRET: an emulator started beforehand, e.g. `genesys-analytics emulator --port 8787` with
# GENESYS_API_URL=http://127.0.0.1:8787, GENESYS_CLIENT_ID=emulator-client, GENESYS_CLIENT_SECRET=emulator-secret.
# With STARTUP_CLUSTER_URL set (a Postgres URL), the two `status --cluster` commands are timed as well.
set -euo pipefail

rounds=$1
shift
checkouts=("$@")
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"

# Each command with the exit code it must end with: a run that fails otherwise (an emulator not started, a variable
# missing) would be timed as a fast start.
commands=("--help" "extract --help" "extract --interval last-2-days --out x.ndjson --dry-run")
expected=(0 0 0)
if [[ -n "${STARTUP_CLUSTER_URL:-}" ]]; then
  commands+=("status --cluster $STARTUP_CLUSTER_URL no-such-id" "status --cluster $STARTUP_CLUSTER_URL")
  expected+=(2 0)
fi

# Wall time of one run in ms, its output dropped; stops the script if the run's exit code is not the expected one.
ms() {
  local want=$1 start end code=0
  shift
  start=$(date +%s%N)
  "$@" >/dev/null 2>&1 || code=$?
  end=$(date +%s%N)
  if ((code != want)); then
    echo "exit $code (expected $want): $(shown "$*")" >&2
    exit 1
  fi
  echo $(((end - start) / 1000000))
}

# A command as printed: the cluster URL (it may hold a password) is not.
shown() { local text=$1; [[ -n "${STARTUP_CLUSTER_URL:-}" ]] && text=${text//"$STARTUP_CLUSTER_URL"/<cluster-url>}; echo "$text"; }

median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

declare -A times
for ((round = 0; round < rounds; round++)); do
  times[node]+="$(ms 0 node -e 0) "
  for checkout in "${checkouts[@]}"; do
    for ((c = 0; c < ${#commands[@]}; c++)); do
      # shellcheck disable=SC2086 # the command's words
      times[$checkout:$c]+="$(ms "${expected[$c]}" node "$checkout/packages/cli/bin/genesys-analytics.js" ${commands[$c]}) "
    done
  done
done

base=$(echo "${times[node]}" | median)
echo "node -e 0: $base ms [${times[node]}]"
for checkout in "${checkouts[@]}"; do
  echo "$checkout"
  for ((c = 0; c < ${#commands[@]}; c++)); do
    m=$(echo "${times[$checkout:$c]}" | median)
    printf '  %-75s %5s ms  %4.1fx  [%s]\n' "$(shown "${commands[$c]}")" "$m" "$(echo "$m / $base" | bc -l)" "${times[$checkout:$c]}"
  done
done
