#!/usr/bin/env bash
# A Flink 2.3 standalone session cluster on this machine, from Maven jars (or
# from $FLINK_HOME/lib): one JobManager and N TaskManagers as background JVMs.
#
#   cluster.sh start [--taskmanagers N] [-D key=value ...]
#   cluster.sh add-taskmanager
#   cluster.sh resume <job name or id> [<jar> <job args>...]
#   cluster.sh stop
#   cluster.sh status
#
# Everything lives under a state directory (default deploy/standalone/target,
# or $AUTO_IMPORT_STATE_DIR): lib/, conf/, log/, pids/, tmp/, checkpoints/,
# savepoints/. Run `cluster.sh --help` for the environment variables.
set -euo pipefail

# shellcheck source=SCRIPTDIR/common.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

START_TIMEOUT="${AUTO_IMPORT_START_TIMEOUT:-120}"
STOP_TIMEOUT="${AUTO_IMPORT_STOP_TIMEOUT:-30}"

JM_CLASS=org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint
TM_CLASS=org.apache.flink.runtime.taskexecutor.TaskManagerRunner

usage() {
  cat <<EOF
Usage: $(basename "$0") <command> [options]

Commands:
  start [--taskmanagers N] [-D key=value]...
                     Start a JobManager and N TaskManagers (default 2), wait until
                     the REST API answers and all N are registered. Each -D
                     overrides or adds a setting of the generated config.yaml.
                     The last line printed is the REST / web UI URL.
                     Refuses while processes of an earlier cluster still run
                     (TaskManagers left by a JobManager that died): resume, or
                     stop them first.
  add-taskmanager    Start one more TaskManager (for example to replace one that
                     died) and wait until it is registered. The last line printed
                     is its resource id (tm-<n>). If it does not register, only
                     that TaskManager is stopped.
  resume <job name or id> [<jar> <job args>...]
                     After a JobManager loss (or a cancel): resubmit the job from
                     its newest retained checkpoint under
                     <state>/checkpoints/<job id>/. Stops what is left of the
                     earlier cluster and starts it again (same options) if its
                     JobManager is gone. Without a jar, the jar and arguments of
                     the job's flink.sh run are used (recorded under
                     <state>/submissions/, readable by you only).
  stop               Stop all processes (SIGTERM, then SIGKILL after
                     \$AUTO_IMPORT_STOP_TIMEOUT s) and delete the tmp directories.
                     Checkpoints, savepoints and logs stay.
  status             Show processes, registered TaskManagers and jobs. Exit code
                     0: running, 1: degraded (a process died or REST is down),
                     3: not running. The last line is the REST URL when running.

Environment:
  AUTO_IMPORT_STATE_DIR        state directory (default: $STANDALONE_DIR/target)
  AUTO_IMPORT_REST_PORT        REST API and web UI port (default 8081)
  AUTO_IMPORT_RPC_PORT         JobManager RPC port (default 6123)
  AUTO_IMPORT_TM_SLOTS         slots per TaskManager (default 2)
  AUTO_IMPORT_JM_MEMORY        jobmanager.memory.process.size (default 1024m)
  AUTO_IMPORT_TM_MEMORY        taskmanager.memory.process.size (default 1280m)
  AUTO_IMPORT_CHECKPOINT_INTERVAL  default checkpoint interval (default '2 s')
  AUTO_IMPORT_PROMETHEUS_PORT  if set (e.g. 9249-9259), enable the Prometheus reporter
  AUTO_IMPORT_FLINK_LIB_DIR    where Maven-resolved jars go (default: <state>/lib);
                               point several state dirs at one to resolve only once
  AUTO_IMPORT_START_TIMEOUT    seconds to wait for REST and TaskManagers (default 120)
  AUTO_IMPORT_STOP_TIMEOUT     seconds to wait for a clean stop (default 30)
  AUTO_IMPORT_LEASE_WAIT       resume: seconds to retry a submission refused because
                               the lost job's lease on the Lustre root has not
                               expired yet (default 90)
  FLINK_HOME                   use \$FLINK_HOME/lib (and bin/flink in flink.sh)
                               instead of resolving jars from Maven
  JAVA_HOME                    the JDK 17 to run (default: java on the PATH)

Exit codes: 0 success, 1 failure, 2 usage error (status: see above).
EOF
}

# ---------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------

# True if $1 is a live process of THIS cluster (started with our config dir),
# so a recycled PID is never mistaken for one of ours.
is_ours() {
  local pid="$1" args
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    args="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  else
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
  fi
  [[ "$args" == *"--configDir $CONF_DIR "* || "$args" == *"--configDir $CONF_DIR" ]]
}

pid_of() {
  local file="$PID_DIR/$1.pid"
  if [[ -f "$file" ]]; then cat "$file"; fi
}

# Names (jobmanager, taskmanager-1, ...) that have a pid file, TMs in order.
process_names() {
  local f
  [[ -f "$PID_DIR/jobmanager.pid" ]] && echo jobmanager
  for f in "$PID_DIR"/taskmanager-*.pid; do
    [[ -e "$f" ]] || continue
    basename "$f" .pid
  done | sort -t- -k2 -n
}

taskmanager_names() { process_names | grep '^taskmanager-' || true; }

jobmanager_running() { is_ours "$(pid_of jobmanager)"; }

# "name (pid N)" of every process with a pid file that still runs.
live_tracked() {
  local name pid
  for name in $(process_names); do
    pid="$(pid_of "$name")"
    is_ours "$pid" && echo "$name (pid $pid)"
  done
  return 0
}

# Processes started with our config dir that no pid file knows about (for
# example after the pid directory was deleted). Linux only (/proc).
stray_pids() {
  local d pid known
  [[ -d /proc ]] || return 0
  known=" $(cat "$PID_DIR"/*.pid 2>/dev/null | tr '\n' ' ') "
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$known" == *" $pid "* ]] && continue
    is_ours "$pid" && echo "$pid"
  done
  return 0
}

next_tm_index() {
  local counter="$PID_DIR/taskmanager.counter" n=0
  [[ -f "$counter" ]] && n="$(cat "$counter")"
  n=$((n + 1))
  echo "$n" >"$counter"
  echo "$n"
}

# Deletes the pid file and tmp directory of TaskManagers that died (kill -9
# leaves RocksDB files and an unpacked RPC jar of ~22 MB behind).
reap_dead_taskmanagers() {
  local name pid
  for name in $(taskmanager_names); do
    pid="$(pid_of "$name")"
    if ! is_ours "$pid"; then
      info "$name (pid $pid) is gone: removing its pid file and tmp dir."
      rm -f "$PID_DIR/$name.pid"
      rm -rf "${TMP_DIR:?}/$name"
    fi
  done
}

# ---------------------------------------------------------------------------
# Launching
# ---------------------------------------------------------------------------

# Runs BashJavaUtils to turn the memory settings into JVM flags (line 1) and
# dynamic properties (line 2); caches the result in CONF_DIR.
compute_resource_params() {
  local kind="$1" lib="$2" out="$CONF_DIR/$1-resource-params" raw
  raw="$(FLINK_CONF_DIR="$CONF_DIR" "$(java_cmd)" -cp "$lib/*" \
    -Dlog.file="$LOG_DIR/bash-java-utils.log" \
    -Dlog4j.configurationFile="file:$CONF_DIR/log4j-cli.properties" \
    org.apache.flink.runtime.util.bash.BashJavaUtils \
    "GET_$(tr '[:lower:]' '[:upper:]' <<<"$kind")_RESOURCE_PARAMS" --configDir "$CONF_DIR" 2>&1)" ||
    die "could not compute the $kind memory settings (check *.memory.process.size):
$(grep -vE $'^\tat |^\t\\.\\.\\. [0-9]+ more' <<<"$raw")
(see $LOG_DIR/bash-java-utils.log)"
  grep '^BASH_JAVA_UTILS_EXEC_RESULT:' <<<"$raw" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -n 2 >"$out"
  [[ "$(wc -l <"$out")" -eq 2 ]] || die "unexpected BashJavaUtils output for $kind:
$raw"
}

# launch NAME MAIN_CLASS KIND [extra dynamic properties...]
launch() {
  local name="$1" main="$2" kind="$3" lib java pid
  shift 3
  local params="$CONF_DIR/$kind-resource-params" mem_flags=() dyn_props=()
  lib="$(flink_lib_dir)"
  java="$(java_cmd)"
  read -r -a mem_flags < <(sed -n 1p "$params")
  read -r -a dyn_props < <(sed -n 2p "$params")

  mkdir -p "$TMP_DIR/$name" "$LOG_DIR" "$PID_DIR"
  (
    cd "$STATE_DIR"
    export FLINK_CONF_DIR="$CONF_DIR" FLINK_PLUGINS_DIR
    FLINK_PLUGINS_DIR="$(flink_plugins_dir)"
    # setsid: the daemon leaves the caller's session, so closing a terminal
    # (SIGHUP) or Ctrl-C in it does not take the cluster down.
    exec setsid "$java" "${mem_flags[@]}" "${JAVA17_OPTS[@]}" \
      -Dlog.file="$LOG_DIR/$name.log" \
      -Dlog4j.configurationFile="file:$CONF_DIR/log4j.properties" \
      -cp "$lib/*" "$main" --configDir "$CONF_DIR" \
      "${dyn_props[@]}" -D "io.tmp.dirs=$TMP_DIR/$name" "$@" \
      >"$LOG_DIR/$name.out" 2>&1 </dev/null
  ) &
  pid=$!
  echo "$pid" >"$PID_DIR/$name.pid"
  info "Started $name (pid $pid), log: $LOG_DIR/$name.log"
}

launch_taskmanager() {
  local n
  n="$(next_tm_index)"
  launch "taskmanager-$n" "$TM_CLASS" tm \
    -D "taskmanager.resource-id=tm-$n" \
    -D "blob.storage.directory=$TMP_DIR/taskmanager-$n/blob"
  LAST_TM_ID="tm-$n"
}

# ---------------------------------------------------------------------------
# REST
# ---------------------------------------------------------------------------

rest_get() { curl -sf --max-time 3 "$(rest_url)$1"; }

registered_tm_ids() {
  rest_get /taskmanagers 2>/dev/null | grep -o '"id":"[^"]*"' | sed 's/"id":"//; s/"$//' || true
}

# One line per job: "<job id> <state> <name>", newest first.
job_lines() {
  local obj jid state name
  rest_get /jobs/overview 2>/dev/null | sed 's/{"jid":/\n{"jid":/g' | grep '^{"jid":' |
    while IFS= read -r obj; do
      jid="$(grep -o '"jid":"[^"]*"' <<<"$obj" | head -n 1 | cut -d'"' -f4)"
      state="$(grep -o '"state":"[^"]*"' <<<"$obj" | head -n 1 | cut -d'"' -f4)"
      name="$(grep -o '"name":"[^"]*"' <<<"$obj" | head -n 1 | cut -d'"' -f4)"
      echo "$jid $state $name"
    done || true
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

show_log_tails() {
  local name
  for name in $(process_names); do
    info "----- last lines of $LOG_DIR/$name.out / .log -----"
    tail -n 5 "$LOG_DIR/$name.out" >&2 2>/dev/null || true
    grep -E 'ERROR|Exception' "$LOG_DIR/$name.log" 2>/dev/null | tail -n 10 >&2 || true
  done
}

fail_start() {
  info "error: $*"
  show_log_tails
  info "Stopping what was started ..."
  stop_all >&2 || true
  exit 1
}

# A TaskManager started by add-taskmanager did not register: stop it, and only
# it (the JobManager, the other TaskManagers and their jobs stay).
fail_add_taskmanager() {
  local name="taskmanager-${LAST_TM_ID#tm-}" pid
  info "error: $*"
  info "----- last lines of $LOG_DIR/$name.out / .log -----"
  tail -n 5 "$LOG_DIR/$name.out" >&2 2>/dev/null || true
  grep -E 'ERROR|Exception' "$LOG_DIR/$name.log" 2>/dev/null | tail -n 10 >&2 || true
  pid="$(pid_of "$name")"
  info "Stopping $name (pid $pid), the TaskManager this command started; the rest of the cluster stays."
  if is_ours "$pid"; then terminate "$pid"; fi
  rm -f "$PID_DIR/$name.pid"
  rm -rf "${TMP_DIR:?}/$name"
  exit 1
}

# wait_until DESCRIPTION CHECK_FUNCTION [ON_FAILURE]: polls until the check
# succeeds, the JobManager dies, or START_TIMEOUT passes; then calls ON_FAILURE
# (default fail_start, which stops everything) with the reason.
wait_until() {
  local what="$1" check="$2" on_failure="${3:-fail_start}" deadline
  deadline=$(($(date +%s) + START_TIMEOUT))
  until "$check"; do
    jobmanager_running || "$on_failure" "the JobManager died while waiting for $what (see $LOG_DIR/jobmanager.log and .out)"
    (($(date +%s) < deadline)) || "$on_failure" "timed out after ${START_TIMEOUT}s waiting for $what"
    sleep 0.25
  done
}

rest_up() { rest_get /config >/dev/null 2>&1; }

EXPECTED_TM_IDS=()
all_expected_registered() {
  local ids id
  ids=" $(registered_tm_ids | tr '\n' ' ') "
  for id in "${EXPECTED_TM_IDS[@]}"; do
    [[ "$ids" == *" $id "* ]] || return 1
  done
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

cmd_start() {
  local taskmanagers=2 overrides=() lib started t_rest t_tms i name leftovers args=("$@")
  while (($#)); do
    case "$1" in
      --taskmanagers | -n)
        [[ $# -ge 2 && "$2" =~ ^[0-9]+$ ]] || { info "error: $1 needs a number"; exit 2; }
        taskmanagers="$2"
        shift 2
        ;;
      --taskmanagers=*)
        taskmanagers="${1#*=}"
        [[ "$taskmanagers" =~ ^[0-9]+$ ]] || { info "error: --taskmanagers needs a number"; exit 2; }
        shift
        ;;
      -D)
        [[ $# -ge 2 && "$2" == *=* ]] || { info "error: -D needs key=value"; exit 2; }
        overrides+=("$2")
        shift 2
        ;;
      -D*=*)
        overrides+=("${1#-D}")
        shift
        ;;
      -h | --help) usage; exit 0 ;;
      *) info "error: unknown option '$1'"; usage >&2; exit 2 ;;
    esac
  done

  require_cmd curl "the scripts poll Flink's REST API with it"
  require_cmd setsid "util-linux"

  if jobmanager_running; then
    info "error: a cluster is already running from $STATE_DIR (JobManager pid $(pid_of jobmanager)) at $(rest_url)."
    info "Stop it first: $0 stop"
    exit 1
  fi
  leftovers="$(live_tracked | paste -sd, - | sed 's/,/, /g')"
  if [[ -n "$leftovers" ]]; then
    info "error: processes of an earlier cluster from $STATE_DIR still run: $leftovers."
    info "Its JobManager is gone, and its jobs with it; nothing was started or removed."
    info "Resume a job from its newest retained checkpoint (this stops them and starts the cluster again):"
    info "  $0 resume <job name or id>"
    info "or stop them and start afresh:"
    info "  $0 stop && $0 start"
    exit 1
  fi
  if [[ -n "$(stray_pids)" ]]; then
    info "error: processes of a previous cluster from $STATE_DIR are still running: $(stray_pids | tr '\n' ' ')"
    info "Stop them first: $0 stop"
    exit 1
  fi
  port_in_use "$REST_PORT" && die "port $REST_PORT (REST) is in use; pick another with AUTO_IMPORT_REST_PORT=<port>"
  port_in_use "$RPC_PORT" && die "port $RPC_PORT (JobManager RPC) is in use; pick another with AUTO_IMPORT_RPC_PORT=<port>"

  started=$(now_ms)
  lib="$(flink_lib_dir)"

  # A fresh cluster: old pid files and tmp dirs go, the last logs are kept in log.prev/.
  rm -rf "${PID_DIR:?}" "${TMP_DIR:?}"
  if [[ -d "$LOG_DIR" && -n "$(ls -A "$LOG_DIR" 2>/dev/null)" ]]; then
    rm -rf "$STATE_DIR/log.prev"
    mv "$LOG_DIR" "$STATE_DIR/log.prev"
  fi
  mkdir -p "$PID_DIR" "$TMP_DIR" "$LOG_DIR"
  # What resume starts again after a JobManager loss.
  : >"$STATE_DIR/cluster.start-args"
  if ((${#args[@]})); then printf '%s\0' "${args[@]}" >"$STATE_DIR/cluster.start-args"; fi
  write_conf ${overrides[@]+"${overrides[@]}"}

  compute_resource_params tm "$lib" &
  local tm_params_pid=$!
  compute_resource_params jm "$lib"
  wait "$tm_params_pid" || exit 1

  launch jobmanager "$JM_CLASS" jm -D "blob.storage.directory=$TMP_DIR/jobmanager/blob"
  EXPECTED_TM_IDS=()
  for ((i = 0; i < taskmanagers; i++)); do
    launch_taskmanager
    EXPECTED_TM_IDS+=("$LAST_TM_ID")
  done

  wait_until "the REST API at $(rest_url)" rest_up
  t_rest=$(($(now_ms) - started))
  info "REST API up after ${t_rest} ms."
  wait_until "$taskmanagers TaskManager(s) to register" all_expected_registered
  t_tms=$(($(now_ms) - started))
  info "$taskmanagers TaskManager(s) registered after ${t_tms} ms."

  cat <<EOF

Flink $FLINK_VERSION session cluster is running: 1 JobManager, $taskmanagers TaskManager(s) x $(conf_value taskmanager.numberOfTaskSlots) slots.
  Web UI / REST:  $(rest_url)
  Logs:           $LOG_DIR
  Config:         $CONF_DIR/config.yaml
  Checkpoints:    $CHECKPOINT_DIR
  Savepoints:     $SAVEPOINT_DIR
  Submit a job:   $STANDALONE_DIR/flink.sh run -d <job.jar> [args]
  Stop:           $0 stop
timings_ms rest=$t_rest taskmanagers=$t_tms
$(rest_url)
EOF
}

cmd_add_taskmanager() {
  local started t
  [[ $# -eq 0 ]] || { info "error: add-taskmanager takes no arguments"; exit 2; }
  require_cmd curl "the scripts poll Flink's REST API with it"
  jobmanager_running || die "no cluster is running from $STATE_DIR; start one with: $0 start"
  [[ -f "$CONF_DIR/tm-resource-params" ]] || die "missing $CONF_DIR/tm-resource-params; restart the cluster"
  reap_dead_taskmanagers
  started=$(now_ms)
  launch_taskmanager
  EXPECTED_TM_IDS=("$LAST_TM_ID")
  wait_until "TaskManager $LAST_TM_ID to register" all_expected_registered fail_add_taskmanager
  t=$(($(now_ms) - started))
  info "TaskManager $LAST_TM_ID registered after ${t} ms."
  echo "$LAST_TM_ID"
}

# Sends SIGTERM to the given pids, waits up to STOP_TIMEOUT, then SIGKILLs.
terminate() {
  local pids=("$@") pid deadline left
  ((${#pids[@]})) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  while :; do
    left=()
    for pid in "${pids[@]}"; do
      is_ours "$pid" && left+=("$pid")
    done
    ((${#left[@]})) || return 0
    if (($(date +%s) >= deadline)); then
      info "Still running after ${STOP_TIMEOUT}s, killing: ${left[*]}"
      kill -KILL "${left[@]}" 2>/dev/null || true
      sleep 0.5
      return 0
    fi
    sleep 0.25
  done
}

stop_all() {
  local name pid tms=() jm=() strays=()
  for name in $(taskmanager_names); do
    pid="$(pid_of "$name")"
    if is_ours "$pid"; then
      info "Stopping $name (pid $pid)"
      tms+=("$pid")
    fi
  done
  # TaskManagers first, as Flink's stop-cluster.sh does, then the JobManager.
  terminate ${tms[@]+"${tms[@]}"}
  pid="$(pid_of jobmanager)"
  if is_ours "$pid"; then
    info "Stopping jobmanager (pid $pid)"
    jm=("$pid")
  fi
  terminate ${jm[@]+"${jm[@]}"}
  mapfile -t strays < <(stray_pids)
  if ((${#strays[@]})); then
    info "Stopping leftover processes of this cluster: ${strays[*]}"
    terminate "${strays[@]}"
  fi
  rm -rf "${PID_DIR:?}" "${TMP_DIR:?}"
}

cmd_stop() {
  local jobs
  [[ $# -eq 0 ]] || { info "error: stop takes no arguments"; exit 2; }
  if jobmanager_running; then
    jobs="$(job_lines | grep -E '^[0-9a-f]+ (RUNNING|RESTARTING|CREATED|INITIALIZING) ' || true)"
    if [[ -n "$jobs" ]]; then
      info "Note: these jobs are stopped WITHOUT a savepoint (take one first with"
      info "  $STANDALONE_DIR/flink.sh stop --savepointPath <dir> <job id>):"
      info "$jobs"
    fi
  fi
  stop_all
  if [[ -n "$(stray_pids)" ]]; then
    die "some processes could not be stopped: $(stray_pids | tr '\n' ' ')"
  fi
  echo "Cluster from $STATE_DIR stopped. Logs stay in $LOG_DIR."
}

# The job ids whose recorded submission (flink.sh run) had this job name.
job_ids_named() {
  local f
  for f in "$SUBMISSION_DIR"/*.name; do
    [[ -e "$f" ]] || continue
    [[ "$(cat "$f")" == "$1" ]] && basename "$f" .name
  done
  return 0
}

# "<job id> <checkpoint dir>" of the newest completed checkpoint (one with a
# _metadata file) of the given jobs, by modification time.
newest_checkpoint() {
  local id meta
  for id in "$@"; do
    for meta in "$CHECKPOINT_DIR/$id"/chk-*/_metadata; do
      [[ -e "$meta" ]] || continue
      echo "$(stat -c %Y "$meta") $id $(dirname "$meta")"
    done
  done | sort -n | tail -n 1 | cut -d' ' -f2-
}

cmd_resume() {
  local want="${1:-}" ids=() found id chk started submitted rc deadline saved=() job_args=() lines t
  [[ -n "$want" && "$want" != -* ]] || { info "error: resume needs a job name or id (see $0 --help)"; exit 2; }
  shift
  require_cmd curl "the scripts poll Flink's REST API with it"
  started=$(now_ms)
  if [[ "$want" =~ ^[0-9a-f]{32}$ ]]; then
    ids=("$want")
  else
    mapfile -t ids < <(job_ids_named "$want")
    ((${#ids[@]})) || die "no job named '$want' was submitted with $STANDALONE_DIR/flink.sh run from $STATE_DIR (see $SUBMISSION_DIR); give its job id instead"
  fi
  found="$(newest_checkpoint "${ids[@]}")"
  [[ -n "$found" ]] || die "no retained checkpoint of '$want' under $CHECKPOINT_DIR; start the job again without one (its walk recognizes the files already in place)"
  id="${found%% *}"
  chk="${found#* }"
  if (($#)); then
    job_args=("$@")
  else
    [[ -f "$SUBMISSION_DIR/$id.args" ]] ||
      die "job $id was not submitted with $STANDALONE_DIR/flink.sh run (no $SUBMISSION_DIR/$id.args): give the jar and the job's arguments after the job id"
    mapfile -d '' job_args <"$SUBMISSION_DIR/$id.args"
  fi
  info "Resuming job $id from $chk"

  if jobmanager_running; then
    lines="$(job_lines | grep -E "^$id (RUNNING|RESTARTING|CREATED|INITIALIZING) " || true)"
    [[ -z "$lines" ]] || die "job $id is still running ($lines); nothing to resume"
  else
    if [[ -n "$(live_tracked)$(stray_pids)" ]]; then
      info "The JobManager is gone; stopping what is left of its cluster: $(live_tracked | paste -sd' ' -)"
      stop_all
    fi
    [[ -f "$STATE_DIR/cluster.start-args" ]] && mapfile -d '' saved <"$STATE_DIR/cluster.start-args"
    info "Starting the cluster again: $0 start ${saved[*]}"
    (cmd_start ${saved[@]+"${saved[@]}"}) >&2
  fi

  # The lost job's tasks may still hold the Lustre root's lease until it expires
  # (60 s after its last renewal): a refused submission (exit 4) is tried again.
  deadline=$(($(date +%s) + ${AUTO_IMPORT_LEASE_WAIT:-90}))
  while :; do
    rc=0
    submitted="$("$STANDALONE_DIR/flink.sh" run -d -s "file://$chk" "${job_args[@]}")" || rc=$?
    printf '%s\n' "$submitted"
    if ((rc == 4)) && (($(date +%s) < deadline)); then
      info "The Lustre root is still held by the lost job; its lease expires within 60 s. Trying again in 5 s ..."
      sleep 5
      continue
    fi
    ((rc == 0)) || die "the submission from $chk failed (exit $rc); see $LOG_DIR/flink-client.log"
    break
  done
  t=$(($(now_ms) - started))
  info "Job resumed from $chk after ${t} ms."
  echo "timings_ms resume=$t"
}

cmd_status() {
  local name pid alive=0 dead=0 rest=down ids jobs strays
  [[ $# -eq 0 ]] || { info "error: status takes no arguments"; exit 2; }
  echo "State dir: $STATE_DIR"
  for name in $(process_names); do
    pid="$(pid_of "$name")"
    if is_ours "$pid"; then
      echo "  $name: running (pid $pid)"
      alive=$((alive + 1))
    else
      echo "  $name: NOT running (pid $pid)"
      dead=$((dead + 1))
    fi
  done
  strays="$(stray_pids | tr '\n' ' ')"
  [[ -z "$strays" ]] || echo "  untracked processes of this cluster: $strays"
  if ((alive == 0)) && [[ -z "$strays" ]]; then
    echo "Not running."
    return 3
  fi
  if rest_up; then
    rest=up
    ids="$(registered_tm_ids | tr '\n' ' ')"
    echo "Registered TaskManagers: ${ids:-none}"
    jobs="$(job_lines | sed 's/^/  /')"
    echo "Jobs (id state name):"
    echo "${jobs:-  none}"
  else
    echo "REST API at $(rest_url): not answering"
  fi
  if ((dead > 0)) || [[ "$rest" != up ]] || ! jobmanager_running; then
    echo "Degraded."
    return 1
  fi
  rest_url
}

main() {
  local cmd="${1:-}"
  (($#)) && shift
  case "$cmd" in
    start) cmd_start "$@" ;;
    add-taskmanager) cmd_add_taskmanager "$@" ;;
    resume) cmd_resume "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) info "error: unknown command '$cmd'"; usage >&2; exit 2 ;;
  esac
}

main "$@"
