#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 cluster (Debian's package) on a free port, run the given command
# with TEST_DATABASE_URL pointing at it, and remove the cluster afterwards.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
dir=$(mktemp -d /tmp/tenancy-pg15-XXXXXX)
chmod 755 "$dir"
port=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
as_pg() { if [ "$(id -u)" = 0 ]; then chown -R postgres:postgres "$dir"; su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
pw=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
echo "$pw" > "$dir/pw"
as_pg "$bin/initdb -D '$dir/data' -U postgres --pwfile='$dir/pw' --auth=scram-sha-256 -E UTF8 --locale=C >/dev/null"
as_pg "$bin/pg_ctl -D '$dir/data' -l '$dir/log' -o \"-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=200\" -w start >/dev/null"
cleanup() { as_pg "$bin/pg_ctl -D '$dir/data' -m immediate stop >/dev/null" || true; rm -rf "$dir"; }
trap cleanup EXIT
echo "PostgreSQL $($bin/postgres --version | awk '{print $3}') on 127.0.0.1:$port"
TEST_DATABASE_URL="postgres://postgres:$pw@127.0.0.1:$port/postgres" "$@"
