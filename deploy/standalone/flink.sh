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
# Each `run` is recorded under <state>/submissions/ for `cluster.sh resume`.
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

cli() {
  if using_flink_home && [[ -x "$FLINK_HOME/bin/flink" ]]; then
    "$FLINK_HOME/bin/flink" "$@"
    return
  fi
  local lib
  lib="$(flink_lib_dir)"
  FLINK_PLUGINS_DIR="$(flink_plugins_dir)"
  export FLINK_LIB_DIR="$lib" FLINK_PLUGINS_DIR
  "$(java_cmd)" "${JAVA17_OPTS[@]}" \
    -Dlog.file="$LOG_DIR/flink-client.log" \
    -Dlog4j.configurationFile="file:$CONF_DIR/log4j-cli.properties" \
    -cp "$lib/*" org.apache.flink.client.cli.CliFrontend "$@"
}

# Records a submission for `cluster.sh resume`: <job id>.name (the job name the
# job printed) and <job id>.args (the run arguments without -s/--fromSavepoint,
# NUL-separated; they may hold a secret, so only the owner can read them).
record_submission() {
  local printed="$1" id name arg skip=0 jar_seen=0 kept=()
  shift 2 # the capture file, then "run"
  id="$(grep -o 'JobID [0-9a-f]\{32\}' "$printed" | head -n 1 | cut -d' ' -f2)" || true
  [[ -n "$id" ]] || return 0
  name="$(sed -n "s/^auto-import .*: job '\(.*\)'$/\1/p" "$printed" | head -n 1)"
  for arg in "$@"; do
    if ((skip)); then skip=0; continue; fi
    if ((!jar_seen)); then
      case "$arg" in
        -s | --fromSavepoint) skip=1; continue ;;
        --fromSavepoint=*) continue ;;
        *.jar)
          jar_seen=1
          # Absolute, so that resume works from any directory.
          [[ -f "$arg" && "$arg" != /* ]] && arg="$(cd "$(dirname "$arg")" && pwd)/$(basename "$arg")"
          ;;
      esac
    fi
    kept+=("$arg")
  done
  (
    umask 077
    mkdir -p "$SUBMISSION_DIR"
    printf '%s\0' "${kept[@]}" >"$SUBMISSION_DIR/$id.args"
    printf '%s\n' "$name" >"$SUBMISSION_DIR/$id.name"
  )
}

if [[ "$1" == run ]]; then
  capture="$(mktemp "${TMPDIR:-/tmp}/flink-run.XXXXXX")"
  set +e
  cli "$@" | tee "$capture"
  rc=${PIPESTATUS[0]}
  set -e
  record_submission "$capture" "$@" || true
  rm -f "$capture"
  exit "$rc"
fi

cli "$@"
