#!/usr/bin/env bash
# A job's full-sync and blob-sync metrics (SPEC section 5), summed over subtasks, from the Flink
# REST API: like the managed service's metrics pane.
#
#   deploy/status.sh [--rest http://jobmanager:8081] [--job <job id or name>] [--json]
#
# Without --job it shows the one unfinished job. --rest defaults to $FLINK_REST, else
# http://localhost:8081. The job jar is $AUTO_IMPORT_JAR, else job/target/auto-import-job-*.jar
# of this checkout (build it with `mvn -DskipTests package`); only Java 17 is needed, no Flink.
#
# Exit codes: 0 running (or starting, restarting), 10 finished, 11 failed or cancelled,
# 12 no such job (or not exactly one unfinished job), 2 bad arguments, 13 REST unreachable.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
jar=${AUTO_IMPORT_JAR:-}
if [[ -z "$jar" ]]; then
  for candidate in "$here"/../job/target/auto-import-job-*.jar; do
    [[ "$candidate" == */original-* ]] && continue
    [[ -f "$candidate" ]] && jar=$candidate && break
  done
fi
if [[ -z "$jar" || ! -f "$jar" ]]; then
  echo "status.sh: no job jar; build it (mvn -DskipTests package) or set AUTO_IMPORT_JAR" >&2
  exit 2
fi
command -v java >/dev/null || { echo "status.sh: 'java' is not on the PATH" >&2; exit 2; }
exec java -cp "$jar" dev.autoimport.job.ops.StatusCommand "$@"
