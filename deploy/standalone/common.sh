# shellcheck shell=bash
# Shared by cluster.sh and flink.sh: paths, the Flink classpath, the JVM flags
# and the generated Flink configuration of a standalone session cluster.
# Sourced, not run.

# ---------------------------------------------------------------------------
# Locations and settings (all overridable through the environment)
# ---------------------------------------------------------------------------

STANDALONE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_DIR="${AUTO_IMPORT_STATE_DIR:-$STANDALONE_DIR/target}"
mkdir -p "$STATE_DIR"
STATE_DIR="$(cd "$STATE_DIR" && pwd)"

CONF_DIR="$STATE_DIR/conf"
LOG_DIR="$STATE_DIR/log"
PID_DIR="$STATE_DIR/pids"
TMP_DIR="$STATE_DIR/tmp"
CHECKPOINT_DIR="$STATE_DIR/checkpoints"
SAVEPOINT_DIR="$STATE_DIR/savepoints"
# flink.sh run records each submission here (job id -> name and arguments).
SUBMISSION_DIR="$STATE_DIR/submissions"

REST_PORT="${AUTO_IMPORT_REST_PORT:-8081}"
RPC_PORT="${AUTO_IMPORT_RPC_PORT:-6123}"
TM_SLOTS="${AUTO_IMPORT_TM_SLOTS:-2}"
JM_MEMORY="${AUTO_IMPORT_JM_MEMORY:-1024m}"
TM_MEMORY="${AUTO_IMPORT_TM_MEMORY:-1280m}"
CHECKPOINT_INTERVAL="${AUTO_IMPORT_CHECKPOINT_INTERVAL:-2 s}"
PROMETHEUS_PORT="${AUTO_IMPORT_PROMETHEUS_PORT:-}"

FLINK_VERSION="2.3.0"
FLINK_LIB_POM="$STANDALONE_DIR/flink-lib/pom.xml"

# The Java 17 flags of Flink's default `env.java.opts.all` (flink-dist's
# config.yaml). Only Flink's shell scripts read that key, so a JVM started
# without them must get them on its command line.
JAVA17_OPTS=(
  -XX:+IgnoreUnrecognizedVMOptions
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

info() { printf '%s\n' "$*" >&2; }
die() {
  printf 'error: %s\n' "$*" >&2
  exit 1
}

now_ms() { date +%s%3N; }

# ---------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------

java_cmd() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "no java found: install a JDK 17 or set JAVA_HOME"
  fi
}

require_cmd() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' is required but not installed ($2)"
}

# ---------------------------------------------------------------------------
# Flink's jars: $FLINK_HOME/lib, or resolved from Maven Central once
# ---------------------------------------------------------------------------

using_flink_home() { [[ -n "${FLINK_HOME:-}" ]]; }

# Prints the directory holding Flink's jars, resolving them first if needed.
flink_lib_dir() {
  if using_flink_home; then
    [[ -d "$FLINK_HOME/lib" ]] || die "FLINK_HOME=$FLINK_HOME has no lib/ directory"
    printf '%s\n' "$FLINK_HOME/lib"
    return
  fi
  local lib="${AUTO_IMPORT_FLINK_LIB_DIR:-$STATE_DIR/lib}"
  if [[ ! -f "$lib/.complete" ]]; then
    resolve_flink_lib "$lib"
  fi
  printf '%s\n' "$lib"
}

# Copies the runtime dependencies of flink-lib/pom.xml into $1. Writes into a
# temporary directory first, so an interrupted run never leaves half a lib.
resolve_flink_lib() {
  local lib="$1" partial started
  require_cmd mvn "Maven resolves Flink's jars; or set FLINK_HOME to a Flink $FLINK_VERSION distribution"
  partial="$lib.partial.$$"
  rm -rf "$partial"
  mkdir -p "$(dirname "$lib")"
  info "Resolving Flink $FLINK_VERSION jars from Maven into $lib (once; about 135 MB) ..."
  started=$(now_ms)
  if ! mvn -q -B -Dstyle.color=never -f "$FLINK_LIB_POM" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$partial" >&2; then
    rm -rf "$partial"
    die "Maven could not resolve Flink's jars (see above). Check network access to Maven Central, or set FLINK_HOME."
  fi
  touch "$partial/.complete"
  rm -rf "$lib"
  mv "$partial" "$lib"
  info "Resolved $(find "$lib" -name '*.jar' | wc -l) jars in $(($(now_ms) - started)) ms."
}

# The plugins directory: Flink's own under FLINK_HOME, an empty one otherwise.
flink_plugins_dir() {
  if using_flink_home && [[ -d "$FLINK_HOME/plugins" ]]; then
    printf '%s\n' "$FLINK_HOME/plugins"
  else
    mkdir -p "$STATE_DIR/plugins"
    printf '%s\n' "$STATE_DIR/plugins"
  fi
}

# ---------------------------------------------------------------------------
# The generated Flink configuration
# ---------------------------------------------------------------------------

# Settings as parallel arrays, in the order they are written; set_conf
# replaces a key that is already there, so `-D key=value` overrides work.
CONF_KEYS=()
CONF_VALUES=()

set_conf() {
  local key="$1" value="$2" i
  for i in "${!CONF_KEYS[@]}"; do
    if [[ "${CONF_KEYS[$i]}" == "$key" ]]; then
      CONF_VALUES[i]="$value"
      return
    fi
  done
  CONF_KEYS+=("$key")
  CONF_VALUES+=("$value")
}

default_conf() {
  set_conf env.java.opts.all "${JAVA17_OPTS[*]}"

  set_conf jobmanager.rpc.address localhost
  set_conf jobmanager.rpc.port "$RPC_PORT"
  set_conf jobmanager.bind-host localhost
  set_conf jobmanager.memory.process.size "$JM_MEMORY"
  set_conf jobmanager.execution.failover-strategy region

  set_conf taskmanager.bind-host localhost
  set_conf taskmanager.host localhost
  set_conf taskmanager.numberOfTaskSlots "$TM_SLOTS"
  set_conf taskmanager.memory.process.size "$TM_MEMORY"

  set_conf parallelism.default 1

  set_conf rest.address localhost
  set_conf rest.bind-address localhost
  set_conf rest.port "$REST_PORT"
  # The web UI's and REST API's metrics come from one fetch round over all
  # processes, and no new round starts until every query of the last one has
  # answered or timed out. A TaskManager killed while a query to it is in
  # flight never answers: with Flink's default of 10 min, every metric of every
  # job (status.sh too) stays frozen that long after losing a TaskManager.
  set_conf web.timeout "30 s"

  # A dead TaskManager is noticed within seconds, not the default 50 s.
  set_conf heartbeat.interval 3000
  set_conf heartbeat.timeout 15000
  # A TaskManager that comes up before the ResourceManager retries after 1 s,
  # not the default 10 s.
  set_conf cluster.registration.error-delay 1000

  set_conf state.backend.type rocksdb
  set_conf execution.checkpointing.incremental true
  set_conf execution.checkpointing.interval "$CHECKPOINT_INTERVAL"
  set_conf execution.checkpointing.storage filesystem
  set_conf execution.checkpointing.dir "file://$CHECKPOINT_DIR"
  set_conf execution.checkpointing.savepoint-dir "file://$SAVEPOINT_DIR"
  set_conf execution.checkpointing.externalized-checkpoint-retention RETAIN_ON_CANCELLATION

  set_conf restart-strategy.type fixed-delay
  set_conf restart-strategy.fixed-delay.attempts 2147483647
  set_conf restart-strategy.fixed-delay.delay "1 s"

  set_conf io.tmp.dirs "$TMP_DIR/io"
  set_conf web.tmpdir "$TMP_DIR/web"
  set_conf blob.storage.directory "$TMP_DIR/blob"

  if [[ -n "$PROMETHEUS_PORT" ]]; then
    set_conf metrics.reporter.prom.factory.class org.apache.flink.metrics.prometheus.PrometheusReporterFactory
    set_conf metrics.reporter.prom.port "$PROMETHEUS_PORT"
  fi
}

# YAML scalar: plain numbers and booleans as they are, anything else quoted.
yaml_value() {
  local v="$1"
  if [[ "$v" =~ ^-?[0-9]+$ || "$v" == true || "$v" == false ]]; then
    printf '%s' "$v"
  else
    printf "'%s'" "${v//\'/\'\'}"
  fi
}

# Writes config.yaml, log4j.properties (daemons) and log4j-cli.properties
# (the CLI) into CONF_DIR. Arguments: `key=value` overrides (a leading `--`
# is skipped).
write_conf() {
  local kv i
  [[ "${1:-}" == -- ]] && shift
  CONF_KEYS=()
  CONF_VALUES=()
  default_conf
  for kv in "$@"; do
    [[ "$kv" == *=* ]] || die "bad setting '$kv': expected key=value"
    set_conf "${kv%%=*}" "${kv#*=}"
  done

  mkdir -p "$CONF_DIR" "$LOG_DIR" "$PID_DIR" "$CHECKPOINT_DIR" "$SAVEPOINT_DIR"
  {
    echo "# Generated by deploy/standalone/cluster.sh; rewritten at every 'start'."
    echo "# Flink 2.x reads config.yaml (standard YAML; flat keys are fine)."
    for i in "${!CONF_KEYS[@]}"; do
      printf '%s: %s\n' "${CONF_KEYS[$i]}" "$(yaml_value "${CONF_VALUES[$i]}")"
    done
  } >"$CONF_DIR/config.yaml"

  cat >"$CONF_DIR/log4j.properties" <<'EOF'
# Generated by deploy/standalone/cluster.sh. One file per process: the JVM is
# started with -Dlog.file=<state>/log/<process>.log.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender

logger.pekko.name = org.apache.pekko
logger.pekko.level = INFO
logger.zookeeper.name = org.apache.zookeeper
logger.zookeeper.level = INFO
logger.shaded_zookeeper.name = org.apache.flink.shaded.zookeeper3
logger.shaded_zookeeper.level = INFO
logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF

appender.main.name = MainAppender
appender.main.type = RollingFile
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.filePattern = ${sys:log.file}.%i
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
appender.main.policies.type = Policies
appender.main.policies.size.type = SizeBasedTriggeringPolicy
appender.main.policies.size.size = 100MB
appender.main.strategy.type = DefaultRolloverStrategy
appender.main.strategy.max = 10
EOF

  cat >"$CONF_DIR/log4j-cli.properties" <<'EOF'
# Generated by deploy/standalone/cluster.sh. The CLI (flink.sh) logs into
# <state>/log/flink-client.log; what it has to say to you goes to stdout.
monitorInterval = 30
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FileAppender

logger.netty.name = org.jboss.netty.channel.DefaultChannelPipeline
logger.netty.level = OFF

appender.file.name = FileAppender
appender.file.type = FILE
appender.file.append = true
appender.file.fileName = ${sys:log.file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
EOF
}

# Reads one key back from the generated config.yaml (empty if absent).
conf_value() {
  local key="$1" line v
  [[ -f "$CONF_DIR/config.yaml" ]] || return 0
  line="$(grep -E "^${key//./\\.}: " "$CONF_DIR/config.yaml" | tail -n 1 || true)"
  v="${line#*: }"
  v="${v#\'}"
  v="${v%\'}"
  printf '%s' "$v"
}

rest_url() {
  local port
  port="$(conf_value rest.port)"
  printf 'http://localhost:%s\n' "${port:-$REST_PORT}"
}
