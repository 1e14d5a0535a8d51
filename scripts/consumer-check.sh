#!/usr/bin/env bash
# The published packages as a user gets them: `npm pack` each one, install the tarballs into scratch consumer
# projects with the READMEs' own install lines (the package names swapped for the tarballs), type-check the READMEs'
# first programs under a strict NodeNext tsconfig with `skipLibCheck: false`, check that there is one copy of
# `effect`, and run the programs against the emulator. Any problem exits non-zero.
#
#   bash scripts/consumer-check.sh          # KEEP=1 keeps the scratch directory; CONSUMER_CHECK_NATIVE=1 below
#
# 1. analytics: the README's install line and dev line in an empty project; its first program type-checked; then the
#    emulator's install line; the program run against `genesys-emulator` (the packed bin) on 127.0.0.1, exit 0 and a
#    count above 0; the emulator README's in-process program run as well.
# 2. sql, SQLite only: the sql README's SQLite line; no `pg` and no `@effect/sql-pg` in the tree; its first program
#    type-checked. better-sqlite3 has no prebuilt binary here (its download host is unreachable) and compiles from
#    source in about two minutes, so that line runs with `--ignore-scripts` and the program is only type-checked;
#    CONSUMER_CHECK_NATIVE=1 builds the driver and runs the program against the emulator too. Then every entry point
#    of analytics, emulator and sql (but SqlSinkPg) type-checked in that project.
# 3. cli: the four tarballs in another project (the command's own dependencies, `--ignore-scripts` for the same
#    reason); `genesys-analytics --help`, then `extract --interval yesterday` into NDJSON against
#    `genesys-analytics emulator`.
#
# Section 3 needs only the tarballs: it runs in the background beside sections 1 and 2 (its output is printed when it
# ends), and every install takes what npm's cache already holds without asking the registry again (--prefer-offline).
#
# Every step checks `npm ls --all` (no missing or invalid peer), exactly one `effect` (3.x), no @effect-genesys package
# looked up in or taken from a registry, and no npm warning other than npm 11's `install-scripts` notice (native
# add-ons of the Effect platform's dependencies, which this project does not need; printed, not failed).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/consumer-check.XXXXXX")
started=$(date +%s)
pids=()

cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then echo "consumer-check: kept $work"; else rm -rf "$work"; fi
  if [ "$status" -ne 0 ]; then echo "consumer-check: FAILED (exit $status) after $(($(date +%s) - started)) s" >&2; fi
}
trap cleanup EXIT

step() { echo "== consumer-check: $* ($(($(date +%s) - started)) s)"; }
fail() {
  echo "consumer-check: $*" >&2
  exit 1
}

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# The registry's metadata as cached by the first install (or `npm ci`) is reused without a round trip per package.
export npm_config_prefer_offline=true
# No @effect-genesys package may come from a registry (none is published; a name there could be anyone's): the
# scope's registry is a closed port, and an install that tries it fails (npm itself would retry, then fall back).
closed_registry=http://127.0.0.1:9/
scope_registry=(--@effect-genesys:registry=$closed_registry)

step "build"
# Packing the command builds it again with its bundle (dist/bundle, what its bin runs): its prepack script.
(cd "$root" && npx tsc -b packages/analytics packages/emulator packages/sql packages/cli)

step "pack"
mkdir -p "$work/tarballs"
(cd "$root" && npm pack --silent --pack-destination "$work/tarballs" \
  -w @effect-genesys/analytics -w @effect-genesys/emulator -w @effect-genesys/sql -w @effect-genesys/cli >/dev/null)
tarball() {
  local file
  file=$(ls "$work/tarballs/effect-genesys-$1-"*.tgz 2>/dev/null | head -1)
  [ -n "$file" ] || fail "no tarball for @effect-genesys/$1"
  echo "$file"
}
analytics_tgz=$(tarball analytics)
emulator_tgz=$(tarball emulator)
sql_tgz=$(tarball sql)
cli_tgz=$(tarball cli)
for pkg in analytics emulator sql cli; do
  contents=$(tar -tzf "$(tarball "$pkg")")
  for required in package/package.json package/README.md package/LICENSE package/dist/index.js package/dist/index.d.ts; do
    grep -qx "$required" <<<"$contents" || fail "@effect-genesys/$pkg: $required missing from the tarball"
  done
  if grep -q "^package/test/" <<<"$contents"; then fail "@effect-genesys/$pkg: tests packed"; fi
done
contents=$(tar -tzf "$cli_tgz")
for required in package/dist/bundle/start.js package/dist/bundle/stamp.json; do
  grep -qx "$required" <<<"$contents" || fail "@effect-genesys/cli: $required (the bundle) missing from the tarball"
done

# The first line of a README that starts with `prefix`, its @effect-genesys names swapped for the tarballs.
install_line() {
  local readme=$1 prefix=$2 line word out=()
  line=$(grep -m1 -F -- "$prefix" "$root/packages/$readme/README.md" || true)
  [ -n "$line" ] || fail "packages/$readme/README.md has no line starting with: $prefix"
  [[ $line == "$prefix"* ]] || fail "packages/$readme/README.md: not an install line: $line"
  for word in $line; do
    if [[ $word =~ ^@effect-genesys/([a-z-]+)$ ]]; then out+=("$(tarball "${BASH_REMATCH[1]}")"); else out+=("$word"); fi
  done
  echo "${out[@]}"
}

# Runs an install command line (one string) in the current directory; npm's warnings fail it, except the
# install-scripts notice.
npm_install() {
  local log argv
  log="$work/npm-$BASHPID-$(date +%s%N).log"
  read -r -a argv <<<"$1"
  [ "${argv[0]}" = npm ] || fail "not an npm command: $1"
  echo "   \$ $1"
  if ! "${argv[@]}" "${scope_registry[@]}" --loglevel=http >"$log" 2>&1; then
    cat "$log" >&2
    fail "install failed: $1"
  fi
  if grep -F "$closed_registry" "$log" >&2; then fail "npm looked an @effect-genesys package up in a registry: $1"; fi
  if grep -i "npm warn" "$log" | grep -v "npm warn install-scripts" | grep -q .; then
    cat "$log" >&2
    fail "npm warned during: $1"
  fi
  grep "npm warn install-scripts   " "$log" | sed 's/^npm warn install-scripts  */   note: install script not covered by allowScripts: /' || true
}

# The checks that hold after every install.
check_tree() {
  npm ls --all >/dev/null 2>"$work/ls-$BASHPID.err" || {
    npm ls --all >&2 || true
    fail "npm ls --all reports a problem in $(pwd)"
  }
  local copies
  copies=$(npm query '#effect' | node -e '
    const nodes = JSON.parse(require("fs").readFileSync(0, "utf8"))
    console.log(nodes.map((n) => `${n.location}@${n.version}`).join(" "))')
  [[ $copies =~ ^node_modules/effect@3\.[0-9]+\.[0-9]+$ ]] || fail "expected one copy of effect 3.x, found: ${copies:-none}"
  node -e '
    const lock = JSON.parse(require("fs").readFileSync("node_modules/.package-lock.json", "utf8"))
    for (const [path, entry] of Object.entries(lock.packages))
      if (/node_modules\/@effect-genesys\//.test(path) && !String(entry.resolved).startsWith("file:")) {
        console.error(`${path} resolved from ${entry.resolved}, not a tarball`)
        process.exit(1)
      }' || fail "an @effect-genesys package did not come from the tarballs"
  echo "   one effect: $copies"
}

# The first ```ts block after "## A first program" in a README.
first_program() {
  awk '/^## A first program/ { f = 1 } f && /^```ts$/ { c = 1; next } c && /^```$/ { exit } c { print }' \
    "$root/packages/$1/README.md"
}

new_project() {
  mkdir -p "$1/src"
  cd "$1"
  cat >package.json <<'JSON'
{ "name": "consumer", "version": "0.0.0", "private": true, "type": "module" }
JSON
  # Strict, and libraries checked too. DOM: @effect/platform's declarations name Storage and Transferable.
  cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2022", "DOM"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "exactOptionalPropertyTypes": true,
    "noUncheckedIndexedAccess": true,
    "noImplicitOverride": true,
    "noUnusedLocals": true,
    "skipLibCheck": false,
    "types": ["node"],
    "rootDir": "src",
    "outDir": "dist",
    "incremental": true,
    "tsBuildInfoFile": ".tsbuildinfo"
  },
  "include": ["src"]
}
JSON
}

typecheck() {
  if ! npx --no-install tsc -p . >"$work/tsc.log" 2>&1; then
    cat "$work/tsc.log" >&2
    fail "tsc failed in $(pwd)"
  fi
  if [ -s "$work/tsc.log" ]; then
    cat "$work/tsc.log" >&2
    fail "tsc printed diagnostics in $(pwd)"
  fi
}

# Starts a server command in the background (a child of this shell, so it stops with it) and sets server_url to the
# URL it prints on stdout.
server_url=""
start_server() {
  local out="$work/server-$BASHPID-${#pids[@]}.out"
  "$@" >"$out" 2>"$out.err" </dev/null &
  pids+=($!)
  for _ in $(seq 1 150); do
    if grep -q '^http://127.0.0.1:' "$out"; then
      server_url=$(head -1 "$out")
      return
    fi
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.2
  done
  cat "$out" "$out.err" >&2
  fail "the server did not print its URL: $*"
}

# Runs a compiled program with the emulator's settings; exit 0, a log line matching `pattern`, nothing on stderr.
run_program() {
  local url=$1 pattern=$2 file=$3 out="$work/run.out"
  if ! GENESYS_API_URL=$url GENESYS_LOGIN_URL=$url GENESYS_CLIENT_ID=emulator-client \
    GENESYS_CLIENT_SECRET=emulator-secret timeout 120 node "$file" >"$out" 2>"$out.err"; then
    cat "$out" "$out.err" >&2
    fail "node $file failed"
  fi
  if [ -s "$out.err" ]; then
    cat "$out.err" >&2
    fail "node $file wrote to stderr"
  fi
  grep -E "$pattern" "$out" >/dev/null || {
    cat "$out" >&2
    fail "node $file: no line matching $pattern"
  }
  echo "   $(grep -E "$pattern" "$out" | head -1)"
}

# Section 3, run in the background (a subshell with its own server to stop) while sections 1 and 2 run.
cli_check() {
  pids=()
  trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT
  trap 'exit 143' TERM
  step "cli: the four tarballs; genesys-analytics --help, extract against its emulator"
  new_project "$work/cli"
  # The libraries first: installed together with the command, npm would look its dependencies up in the registry
  # before placing the tarballs.
  npm_install "npm i $analytics_tgz $emulator_tgz $sql_tgz --ignore-scripts"
  npm_install "npm i $cli_tgz --ignore-scripts"
  check_tree
  node_modules/.bin/genesys-analytics --help >"$work/help.out" || fail "genesys-analytics --help failed"
  grep -q "usage: genesys-analytics" "$work/help.out" || fail "genesys-analytics --help printed no usage"
  start_server node_modules/.bin/genesys-analytics emulator --port 0
  GENESYS_API_URL=$server_url GENESYS_CLIENT_ID=emulator-client GENESYS_CLIENT_SECRET=emulator-secret timeout 120 \
    node_modules/.bin/genesys-analytics extract --interval yesterday --out day.ndjson 2>"$work/extract.err" ||
    {
      cat "$work/extract.err" >&2
      fail "genesys-analytics extract failed"
    }
  lines=$(wc -l <day.ndjson)
  [ "$lines" -gt 0 ] || fail "genesys-analytics extract wrote no conversation"
  echo "   extract: $lines conversations"
  step "cli: done"
}
cli_check >"$work/cli-check.log" 2>&1 &
cli_pid=$!
cli_started=$(($(date +%s) - started))
pids+=("$cli_pid")

step "analytics: the README's install lines, in an empty project"
new_project "$work/app"
line=$(install_line analytics "npm i @effect-genesys/analytics ")
npm_install "$line"
line=$(install_line analytics "npm i -D typescript")
npm_install "$line"
check_tree
first_program analytics >src/count-week.ts
[ -s src/count-week.ts ] || fail "no first program in packages/analytics/README.md"
step "analytics: tsc (skipLibCheck false, strict, exactOptionalPropertyTypes)"
typecheck

step "emulator: the README's install line; the first program against genesys-emulator"
line=$(install_line emulator "npm i -D @effect-genesys/emulator")
npm_install "$line"
check_tree
first_program emulator >src/emulated.ts
[ -s src/emulated.ts ] || fail "no first program in packages/emulator/README.md"
typecheck
start_server node_modules/.bin/genesys-emulator --port 0
url=$server_url
echo "   emulator at $url"
run_program "$url" '[1-9][0-9]* conversations in ' dist/count-week.js
run_program "$url" '([0-9]+) conversations, \1 expected' dist/emulated.js

step "sql (SQLite only): the README's install line"
sqlite_line=$(install_line sql "npm i @effect-genesys/analytics @effect-genesys/sql ")
[[ $sqlite_line == *@effect/sql-sqlite-node@* && $sqlite_line != *sql-pg* ]] || fail "the sql README's first line is not SQLite-only"
if [ -n "${CONSUMER_CHECK_NATIVE:-}" ]; then npm_install "$sqlite_line"; else npm_install "$sqlite_line --ignore-scripts"; fi
check_tree
pg=$(npm query '[name=pg], [name="@effect/sql-pg"]' | node -pe 'JSON.parse(require("fs").readFileSync(0)).map((n) => n.name).join(" ")')
[ -z "$pg" ] || fail "a SQLite-only install holds $pg"
first_program sql >src/sqlite-week.ts
[ -s src/sqlite-week.ts ] || fail "no first program in packages/sql/README.md"
# Every entry point of the three libraries, as a type-only re-export: each module's declarations check in a project
# without pg (SqlSinkPg, the one module that needs it, is left out).
for pkg in analytics emulator sql; do
  for dts in node_modules/@effect-genesys/$pkg/dist/*.d.ts; do
    module=$(basename "$dts" .d.ts)
    [ "$pkg/$module" = sql/SqlSinkPg ] && continue
    subpath=$([ "$module" = index ] && echo "" || echo "/$module")
    echo "export type * as ${pkg}_${module} from \"@effect-genesys/$pkg$subpath\""
  done
done >src/entry-points.ts
step "sql: tsc without pg, the first program and all $(wc -l <src/entry-points.ts) entry points"
typecheck
if [ -n "${CONSUMER_CHECK_NATIVE:-}" ]; then
  run_program "$url" '[1-9][0-9]* conversations, [1-9][0-9]* segments' dist/sqlite-week.js
fi

step "cli (started in the background at $cli_started s): waiting for it"
cli_status=0
wait "$cli_pid" || cli_status=$?
sed 's/^/   | /' "$work/cli-check.log"
[ "$cli_status" -eq 0 ] || fail "the cli section failed (exit $cli_status)"

step "done: every check passed in $(($(date +%s) - started)) s"
