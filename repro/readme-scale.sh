#!/usr/bin/env bash
# Review: README.md has two "## Scale: the cap on running tasks and the launch rate" sections (lines ~115 and
# ~230, the second a merge leftover), and both describe the slots as ONE item of the capacity table ("Slots live
# in one item", "`running-tasks`, a map with one entry per slot holder ... each take or give-back writes the
# whole item: about 6 write units at a cap of 100, 30 at 500, 300 at 5,000 ... a cap of up to about 400"),
# while since add92c5 the slots are kept in shards of at most 25 (jobs/slots.ts SLOTS_PER_SHARD, items
# `running-tasks#<n>`, jobs/aws/dynamodb-slots.ts keyOf). Exits non-zero while that is so.
set -u
cd "$(dirname "$0")/.."
status=0
count=$(grep -c '^## Scale' README.md)
if [ "$count" -ne 1 ]; then
  echo "FAIL: README.md has $count '## Scale' sections:"; grep -n '^## Scale' README.md; status=1
fi
if grep -q 'RUNNING_TASKS_ITEM}#${shard}' jobs/aws/dynamodb-slots.ts; then
  if grep -nE 'Slots live in one item|a map with one entry per slot holder|writes the whole item' README.md; then
    echo "FAIL: README.md describes one running-tasks item; the code keeps shards (running-tasks#<n>)"; status=1
  fi
fi
exit $status
