#!/usr/bin/env bash
# Review 2: local mode treats SIGTERM like Ctrl-C (local/main.ts: stop, workers get SIGTERM, their jobs are
# retried), but the handlers' process (local/handler-host.ts) ignores only SIGINT. A SIGTERM to the process
# group (timeout(1), docker stop, systemd, a CI cancel; SIGHUP when the terminal closes) kills the handlers at
# once, so the stopped worker's task event cannot be delivered: "task event not delivered after 5 tries ...
# the handlers' process ended (SIGTERM)", and the job is left RUNNING instead of RETRYING as Ctrl-C leaves it.
# Run from the repository root: bash repro2/sigterm-group-loses-task-event.sh   (exit 1 = the bug)
set -u
cd "$(dirname "$0")/.."
STATE=$(mktemp -d /tmp/review2-sigterm-XXXX)
LOG=$STATE.log
VIDEO=$STATE.mp4
ffmpeg -loglevel error -y -f lavfi -i testsrc2=duration=90:size=1920x1080:rate=30 -c:v libx264 -preset ultrafast -g 600 "$VIDEO"
setsid bash -c "exec npm run local -- --state $STATE > $LOG 2>&1" &
for _ in $(seq 60); do [ -f "$STATE/endpoints.json" ] && break; sleep 1; done
JOBS_LOCAL_ENDPOINTS=$STATE/endpoints.json npm run --silent jobs -- --local submit "$VIDEO" > /dev/null
for _ in $(seq 60); do grep -q TaskRunning "$LOG" && break; sleep 0.5; done
PGID=$(ps -o pgid= -p "$(pgrep -f "npm run local -- --state $STATE" | head -1)" 2>/dev/null | tr -d ' ')
[ -z "$PGID" ] && PGID=$(ps -eo pgid,args | grep "local/main.ts --state $STATE" | grep -v grep | awk '{print $1}' | head -1)
kill -TERM -- "-$PGID"
for _ in $(seq 30); do pgrep -f "$STATE" > /dev/null || break; sleep 1; done
grep -E "stopping|not delivered|TaskStopped|RetryScheduled" "$LOG" | cut -c1-160
if grep -q "task event not delivered" "$LOG" || ! grep -q RetryScheduled "$LOG"; then
  echo "BUG: after SIGTERM to the process group the stopped task's event was not recorded (log: $LOG)"; exit 1
fi
echo "ok: the stopped task's event was recorded"; rm -rf "$STATE" "$LOG" "$VIDEO"
