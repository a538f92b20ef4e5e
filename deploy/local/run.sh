#!/usr/bin/env bash
# Runs auto-import on its embedded default: Azurite for blob storage, an embedded Flink with its
# web UI, and a local directory standing in for the Lustre mount. Ctrl-C stops everything.
#
#   deploy/local/run.sh               the import job: walk the demo container once, print the table of
#                                     counts and exit with the job's exit code
#   deploy/local/run.sh --continuous  the auto-import job: the walk, then the change feed, while a
#                                     generator changes the demo container every 1.5 s
#
# Azurite has no change feed: the demo writes it (the service's layout, in $blobchangefeed).
# Environment: AUTO_IMPORT_LOCAL_DIR (state, default deploy/local/run), AZURITE_PORT (10000),
# WEB_UI_PORT (8081).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${AUTO_IMPORT_LOCAL_DIR:-$here/run}
azurite_port=${AZURITE_PORT:-10000}
web_port=${WEB_UI_PORT:-8081}

usage() {
  echo "usage: deploy/local/run.sh [--continuous]"
  echo "  (no option)   the import job: walk the demo container once and exit with its exit code"
  echo "  --continuous  the auto-import job: the walk, then the change feed, while the demo"
  echo "                container keeps changing"
}
mode=import
for arg in "$@"; do
  case "$arg" in
    --continuous) mode=auto-import ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
  esac
done

for tool in java mvn node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not on the PATH; install it first" >&2; exit 1; }
done

# Everything started in the background is stopped on exit, newest first: the change generator,
# Flink (SIGTERM: its shutdown hook closes the cluster), Azurite. Background processes of a script
# ignore SIGINT (Azurite stops on it anyway), so on Ctrl-C the traps below stop them.
azurite_pid="" generator_pid="" job_pid=""
# shellcheck disable=SC2317  # called from the EXIT trap
stop() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "run.sh: process $pid did not stop within 20 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317
stop_all() {
  trap '' INT TERM
  stop "$generator_pid"
  stop "$job_pid"
  stop "$azurite_pid"
}
trap stop_all EXIT
trap 'echo; echo "==> Stopping"; exit 130' INT
trap 'exit 143' TERM

mkdir -p "$state"
echo "==> Installing the pinned Azurite (deploy/local/package-lock.json)"
if [ ! -f "$here/node_modules/azurite/dist/src/blob/main.js" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

# Maven in batch mode, quiet, without colour codes (Maven 3.8 writes ESC[0m even with -B).
mvn_plain() {
  mvn -q -B -ntp "$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g'
}

echo "==> Building auto-import"
# One reactor build, nothing installed into ~/.m2: the job's class path names the connectors'
# target directories of this checkout (each module writes its own target/run-classpath.txt).
(cd "$repo" && mvn_plain -DskipTests -Dspotless.check.skip -pl job -am \
   test-compile dependency:build-classpath \
   -Dmdep.includeScope=test -Dmdep.outputFile=target/run-classpath.txt)
cp="$repo/job/target/classes:$repo/job/target/test-classes:$(cat "$repo/job/target/run-classpath.txt")"

echo "==> Starting Azurite on 127.0.0.1:$azurite_port"
rm -rf "$state/azurite" && mkdir -p "$state/azurite"
node "$here/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$azurite_port" \
  --location "$state/azurite" --disableTelemetry >"$state/azurite.log" 2>&1 &
azurite_pid=$!
for _ in $(seq 1 100); do
  (echo >"/dev/tcp/127.0.0.1/$azurite_port") 2>/dev/null && break
  kill -0 "$azurite_pid" 2>/dev/null || { echo "run.sh: Azurite failed; see $state/azurite.log" >&2; exit 1; }
  sleep 0.1
done

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"
web="http://127.0.0.1:$web_port"
lustre="$state/lustre"

echo "==> Creating the demo container (and its change feed)"
if [ "$mode" = import ]; then
  java -cp "$cp" dev.autoimport.job.local.DemoContainer "$conn" demo auto-import-logs
else
  # One process seeds the container and then changes it: the feed has a single writer. It starts
  # changing once the job's walk is over (it asks the web UI's REST API).
  ready="$state/demo.ready"
  rm -f "$ready"
  java -Xmx256m -XX:+UseSerialGC -cp "$cp" dev.autoimport.job.local.DemoChanges \
    "$conn" demo auto-import-logs "$web" "$ready" &
  generator_pid=$!
  until [ -f "$ready" ]; do
    kill -0 "$generator_pid" 2>/dev/null || { echo "run.sh: seeding the demo container failed" >&2; exit 1; }
    sleep 0.2
  done
fi

rm -rf "$lustre" && mkdir -p "$lustre"
flags=(--import.max-errors -1)
if [ "$mode" = auto-import ]; then
  flags+=(--sync.enable-deletions true --changefeed.poll-interval 1s --job.checkpoint-interval 1s)
else
  flags+=(--job.checkpoint-interval 2s)
fi
echo "==> Running the $mode job into $lustre (web UI: $web)"
java -cp "$cp" -Dlog4j.configurationFile="file:$here/log4j2.properties" \
  dev.autoimport.job.AutoImportJob --local --web-ui-port "$web_port" \
  --mode "$mode" \
  --storage.connection-string "$conn" \
  --storage.container demo \
  --logging.container auto-import-logs \
  --lustre.root "$lustre" \
  "${flags[@]}" &
job_pid=$!

if [ "$mode" = auto-import ]; then
  cat <<EOF
==> Where to look
    the mirror, following the demo's changes:  watch -n1 ls -la $lustre/projects/live
    the web UI: $web → the job → operations → Metrics: blobSync.importedFiles,
      blobSync.deletions, blobSync.lastFullySynchronizedTime; the source: blobSync.lastChangeFeedEventConsumedTime
    Ctrl-C stops the generator, Flink and Azurite.
EOF
fi

while kill -0 "$job_pid" 2>/dev/null; do
  if ! kill -0 "$azurite_pid" 2>/dev/null; then
    echo "run.sh: Azurite stopped; see $state/azurite.log" >&2
    exit 1
  fi
  if [ -n "$generator_pid" ] && ! kill -0 "$generator_pid" 2>/dev/null; then
    echo "run.sh: the change generator stopped; see its output above" >&2
    exit 1
  fi
  sleep 1
done
status=0
wait "$job_pid" || status=$?
job_pid=""
echo "==> The $mode job ended (exit code $status); the mirror stays in $lustre"
exit "$status"
