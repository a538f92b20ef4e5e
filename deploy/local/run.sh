#!/usr/bin/env bash
# Runs auto-import on its embedded default: Azurite for blob storage, an embedded Flink with its
# web UI, and a local directory standing in for the Lustre mount. Ctrl-C stops everything.
#
#   deploy/local/run.sh            the import job: walk the demo container once, keep the UI up
#
# Environment: AUTO_IMPORT_LOCAL_DIR (state, default deploy/local/run), AZURITE_PORT (10000),
# WEB_UI_PORT (8081).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
state=${AUTO_IMPORT_LOCAL_DIR:-$here/run}
azurite_port=${AZURITE_PORT:-10000}
web_port=${WEB_UI_PORT:-8081}
mode=import

for tool in java mvn node npm; do
  command -v "$tool" >/dev/null || { echo "run.sh: '$tool' is not on the PATH; install it first" >&2; exit 1; }
done

mkdir -p "$state"
echo "==> Installing the pinned Azurite (deploy/local/package-lock.json)"
if [ ! -f "$here/node_modules/azurite/dist/src/blob/main.js" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "==> Building auto-import"
(cd "$repo" && mvn -q -B -ntp -DskipTests -Dspotless.check.skip install)
(cd "$repo" && mvn -q -B -ntp -pl job dependency:build-classpath \
   -Dmdep.includeScope=test -Dmdep.outputFile="$state/classpath.txt")
cp="$repo/job/target/classes:$repo/job/target/test-classes:$(cat "$state/classpath.txt")"

echo "==> Starting Azurite on 127.0.0.1:$azurite_port"
rm -rf "$state/azurite" && mkdir -p "$state/azurite"
node "$here/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 --blobPort "$azurite_port" \
  --location "$state/azurite" --disableTelemetry >"$state/azurite.log" 2>&1 &
azurite_pid=$!
trap 'kill $azurite_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  (echo >"/dev/tcp/127.0.0.1/$azurite_port") 2>/dev/null && break
  kill -0 "$azurite_pid" 2>/dev/null || { echo "run.sh: Azurite failed; see $state/azurite.log" >&2; exit 1; }
  sleep 0.1
done

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
conn="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"

echo "==> Creating the demo container"
java -cp "$cp" dev.autoimport.job.local.DemoContainer "$conn" demo auto-import-logs

lustre="$state/lustre"
rm -rf "$lustre" && mkdir -p "$lustre"
echo "==> Running the $mode job into $lustre (web UI: http://127.0.0.1:$web_port)"
java -cp "$cp" -Dlog4j.configurationFile="file:$here/log4j2.properties" \
  dev.autoimport.job.AutoImportJob --local --web-ui-port "$web_port" \
  --mode "$mode" \
  --storage.connection-string "$conn" \
  --storage.container demo \
  --logging.container auto-import-logs \
  --lustre.root "$lustre" \
  --import.max-errors -1 \
  --job.checkpoint-interval 2s
