#!/usr/bin/env bash
# One command for the whole benchmark: Azurite seeded with 10,000 / 100,000 small blobs and a
# mixed-size container, the raw GET ceiling (wrk and the Java SDK), rclone sync, and our import job
# (in-process MiniCluster, parallelism 2), each from scratch, again unchanged, and again after 100
# changes (and the auto-import job through the change feed); then blob sync under load (change-feed
# events at 1,000 / 5,000 / 20,000 per second, downloads at 500 per second, a 200,000-event
# backlog); then the latency section (the same syncs through an in-process proxy adding 0, 10 and
# 30 ms to every response). Prints the tables and writes src/site/benchmarks/{results.md,*.png}.
#
#   deploy/benchmark/run.sh             full run (10,000 + 100,000 + mixed + blob sync), 25-35 minutes
#   deploy/benchmark/run.sh --quick     smoke run: 10,000 blobs, short blob-sync steps; results under
#                                       the work dir
#   deploy/benchmark/run.sh --million   also 1,000,000 blobs (about 40 more minutes)
#   deploy/benchmark/run.sh --latency   the latency section alone (+0/+10/+30 ms through a proxy);
#                                       results under the work dir
#
# More options (--sizes, --job-args, --rclone-flags, --skip-rclone, --blob-sync-only,
# --skip-latency, --latency-blobs ...):
# deploy/benchmark/README.md.
# Environment: BENCH_JFR=1 records each import run and blob-sync step with JFR into work/jfr/;
# BENCH_HEAP (default 4g) is the benchmark JVM's maximum heap.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$here/work
mkdir -p "$work"

for tool in java mvn node npm; do
  command -v "$tool" >/dev/null || { echo "benchmark: '$tool' is not on the PATH; install it first" >&2; exit 1; }
done

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v rclone >/dev/null || missing+=(rclone)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing ${missing[*]} (Debian packages)"
  if [ "$(id -u)" -ne 0 ]; then
    echo "benchmark: need root to apt-get install ${missing[*]}; install them and re-run" >&2
    exit 1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

echo "==> Installing the pinned Azurite (deploy/local/package-lock.json)"
if [ ! -f "$repo/deploy/local/node_modules/azurite/dist/src/blob/main.js" ]; then
  (cd "$repo/deploy/local" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "==> Building the job and the benchmark (test classes; nothing is installed into ~/.m2)"
(cd "$repo" && mvn -q -B -ntp -pl job -am -DskipTests -Dspotless.check.skip test-compile \
   dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt)
cp="$repo/job/target/classes:$repo/job/target/test-classes:$(cat "$repo/job/target/bench-classpath.txt")"

jvm=(-Xms1g "-Xmx${BENCH_HEAP:-4g}" -Djava.awt.headless=true
     "-Dlog4j.configurationFile=file:$here/log4j2.properties")
if [ "${BENCH_JFR:-0}" = 1 ]; then
  jvm+=("-Dbench.jfr=$work/jfr")
  echo "==> JFR recordings of each import run in $work/jfr/"
fi

echo "==> Running the benchmark"
cd "$repo"
exec java "${jvm[@]}" -cp "$cp" dev.autoimport.job.bench.Benchmark \
  --command "deploy/benchmark/run.sh${*:+ $*}" "$@"
