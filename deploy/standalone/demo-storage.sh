#!/usr/bin/env bash
# Blob storage for trying auto-import on the local cluster of cluster.sh: Azurite (pinned by
# deploy/local/package-lock.json) with the demo container, the logging container and a change
# feed that holds the demo blobs' creation events.
#
#   demo-storage.sh start    start Azurite, fill the demo container, print the connection string
#   demo-storage.sh env      print 'export DEMO_CONNECTION_STRING=...' (for eval)
#   demo-storage.sh stop     stop Azurite (its data goes with it)
#
# Needs the built project (mvn -DskipTests package: the job jar and the demo's test classes) and
# Node.js. Azurite has no change feed of its own: nothing changes after the walk unless you write
# more events into the feed (deploy/local/run.sh --continuous shows that).
# Environment: AUTO_IMPORT_STATE_DIR (as for cluster.sh), AZURITE_PORT (default 10000).
set -euo pipefail

# shellcheck source=SCRIPTDIR/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

REPO_DIR="$(cd "$STANDALONE_DIR/../.." && pwd)"
LOCAL_DIR="$REPO_DIR/deploy/local"
DEMO_DIR="$STATE_DIR/demo-storage"
AZURITE_PORT="${AZURITE_PORT:-10000}"
KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

connection_string() {
  printf 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=%s;BlobEndpoint=http://127.0.0.1:%s/devstoreaccount1;' \
    "$KEY" "$AZURITE_PORT"
}

azurite_pid() { [[ -f "$DEMO_DIR/azurite.pid" ]] && cat "$DEMO_DIR/azurite.pid"; }

running() {
  local pid
  pid="$(azurite_pid || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

start() {
  require_cmd node "Azurite runs on Node.js 20"
  if running; then
    info "Azurite is already running (pid $(azurite_pid)) on 127.0.0.1:$AZURITE_PORT"
  else
    if [[ ! -f "$LOCAL_DIR/node_modules/azurite/dist/src/blob/main.js" ]]; then
      require_cmd npm "npm installs the pinned Azurite"
      info "Installing the pinned Azurite (deploy/local/package-lock.json) ..."
      (cd "$LOCAL_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    fi
    (exec 3<>"/dev/tcp/127.0.0.1/$AZURITE_PORT") 2>/dev/null &&
      die "port $AZURITE_PORT is in use; set AZURITE_PORT"
    rm -rf "$DEMO_DIR" && mkdir -p "$DEMO_DIR/data"
    setsid node "$LOCAL_DIR/node_modules/azurite/dist/src/blob/main.js" --blobHost 127.0.0.1 \
      --blobPort "$AZURITE_PORT" --location "$DEMO_DIR/data" --disableTelemetry \
      >"$DEMO_DIR/azurite.log" 2>&1 </dev/null &
    echo $! >"$DEMO_DIR/azurite.pid"
    local i
    for i in $(seq 1 100); do
      (exec 3<>"/dev/tcp/127.0.0.1/$AZURITE_PORT") 2>/dev/null && break
      running || die "Azurite exited; see $DEMO_DIR/azurite.log"
      sleep 0.1
    done
    info "Started Azurite (pid $(azurite_pid)) on 127.0.0.1:$AZURITE_PORT, data in $DEMO_DIR/data"
  fi

  local jar classes feed_writer
  jar="$(ls "$REPO_DIR"/job/target/auto-import-job-*.jar 2>/dev/null | grep -v '/original-' | head -n 1 || true)"
  classes="$REPO_DIR/job/target/test-classes"
  feed_writer="$REPO_DIR/connectors/azure-changefeed/target/test-classes"
  [[ -n "$jar" && -d "$classes/dev/autoimport/job/local" && -d "$feed_writer" ]] ||
    die "build the project first: mvn -q -DskipTests package"
  # The job jar carries the Azure SDK; the change-feed connector's test classes the feed writer
  # that publishes the demo blobs' creation; Flink's lib dir the logging the jar leaves out.
  "$(java_cmd)" -cp "$jar:$classes:$feed_writer:$(flink_lib_dir)/*" -Dlog4j2.level=WARN \
    dev.autoimport.job.local.DemoStorage "$(connection_string)" demo auto-import-logs >&2
  connection_string
  echo
}

stop() {
  if running; then
    kill "$(azurite_pid)"
    info "Stopped Azurite (pid $(azurite_pid))"
  else
    info "Azurite is not running"
  fi
  rm -f "$DEMO_DIR/azurite.pid"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) printf "export DEMO_CONNECTION_STRING='%s'\n" "$(connection_string)" ;;
  -h | --help | help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' ;;
  *)
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
