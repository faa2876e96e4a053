#!/usr/bin/env bash
# Start the Debian PostgreSQL cluster for the hash bank tests (tests/bank/conftest.py) and give the
# postgres role a password for loopback TCP. Tests read UNSHARED_TEST_PG_URL, defaulting to
# postgresql://postgres:unshared@127.0.0.1:5432/postgres, which is what this sets up.
set -euo pipefail
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  pg_createcluster "$version" main
fi
pg_ctlcluster "$version" main start || pg_ctlcluster "$version" main status
for _ in $(seq 1 30); do
  if su postgres -c "psql -qAt -c 'SELECT 1'" >/dev/null 2>&1; then break; fi
  sleep 1
done
su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'unshared'\""
