#!/usr/bin/env bash
# Flink's command line client (like bin/flink) against the cluster started by
# cluster.sh: same state directory, config, jars and JVM flags.
#
#   flink.sh run -d job/target/auto-import-job-0.1.0-SNAPSHOT.jar [job args]
#   flink.sh list
#   flink.sh stop --savepointPath <dir> <job id>
#   flink.sh run -d -s <savepoint path> <jar> [job args]
#   flink.sh cancel <job id>
#
# Honours AUTO_IMPORT_STATE_DIR (which cluster) and FLINK_HOME (then
# $FLINK_HOME/bin/flink runs, with FLINK_CONF_DIR set to the generated config).
# The exit code is the CLI's. The client's log: <state>/log/flink-client.log.
set -euo pipefail

# shellcheck source=SCRIPTDIR/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

if (($# == 0)); then
  info "Usage: $(basename "$0") <flink CLI action> [options]   (for example: run -d <jar>, list, stop --savepointPath <dir> <job id>, cancel <job id>)"
  info "Runs Flink's CLI with FLINK_CONF_DIR=$CONF_DIR; '$(basename "$0") --help' shows the CLI's own help."
  exit 2
fi

# No cluster started from this state dir yet: write the config from the
# environment, so the CLI can still talk to a cluster at AUTO_IMPORT_REST_PORT.
if [[ ! -f "$CONF_DIR/config.yaml" ]]; then
  write_conf --
fi
mkdir -p "$LOG_DIR"

export FLINK_CONF_DIR="$CONF_DIR"

if using_flink_home && [[ -x "$FLINK_HOME/bin/flink" ]]; then
  exec "$FLINK_HOME/bin/flink" "$@"
fi

lib="$(flink_lib_dir)"
FLINK_PLUGINS_DIR="$(flink_plugins_dir)"
export FLINK_LIB_DIR="$lib" FLINK_PLUGINS_DIR

exec "$(java_cmd)" "${JAVA17_OPTS[@]}" \
  -Dlog.file="$LOG_DIR/flink-client.log" \
  -Dlog4j.configurationFile="file:$CONF_DIR/log4j-cli.properties" \
  -cp "$lib/*" org.apache.flink.client.cli.CliFrontend "$@"
