#!/usr/bin/env bash
# One database and one login role per Shequ service, least privilege, plus the read-only
# auditor role. Run by the postgres image on first start (/docker-entrypoint-initdb.d/), and
# re-runnable by hand (idempotent):  SHEQU_SERVICES="registry casework" ./init-databases.sh
#
#   role <service>   LOGIN, no superuser/createdb/createrole; owns database <service> (so it may
#                    create its eventsourcing tables in schema public, PostgreSQL >= 15 gives
#                    CREATE there only to the database owner) and nothing else; no CONNECT on
#                    any other service's database.
#   shequ_auditor    LOGIN, read-only sessions; CONNECT on every service database, USAGE on
#                    schema public, SELECT on every table now and later (default privileges).
#
# Environment: SHEQU_SERVICES (built services, space separated), SHEQU_<SERVICE>_DB_PASSWORD,
# SHEQU_AUDITOR_DB_PASSWORD, optional SHEQU_DB_PREFIX (tests use it to stay apart),
# SHEQU_REVOKE_PUBLIC_CONNECT (yes: PUBLIC loses CONNECT on database postgres), and the
# usual libpq variables (PGHOST, PGPORT) or POSTGRES_USER for the administrator.
set -euo pipefail

services="${SHEQU_SERVICES:-registry casework outreach assessment finance}"
prefix="${SHEQU_DB_PREFIX:-}"
auditor="${prefix}shequ_auditor"
admin="${POSTGRES_USER:-postgres}"

psql_admin() { psql -v ON_ERROR_STOP=1 -X -q --no-psqlrc --username "$admin" "$@"; }

psql_admin --dbname postgres -v role="$auditor" \
  -v pw="${SHEQU_AUDITOR_DB_PASSWORD:?SHEQU_AUDITOR_DB_PASSWORD is not set}" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
              'NOBYPASSRLS PASSWORD %L', :'role', :'pw') \gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'role') \gexec
SQL

if [ "${SHEQU_REVOKE_PUBLIC_CONNECT:-yes}" = yes ]; then
  # No service role may open the maintenance database either (tests on a shared server skip it).
  psql_admin --dbname postgres -c 'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC'
fi

for service in $services; do
  role="${prefix}${service}"
  var="SHEQU_${service^^}_DB_PASSWORD"
  pw="${!var:-}"
  [ -n "$pw" ] || { echo "$var is not set" >&2; exit 1; }
  psql_admin --dbname postgres -v role="$role" -v pw="$pw" -v auditor="$auditor" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION '
              'NOBYPASSRLS CONNECTION LIMIT 100 PASSWORD %L', :'role', :'pw') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'role', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role') \gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'role') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', :'role', :'auditor') \gexec
SQL
  psql_admin --dbname "$role" -v role="$role" -v auditor="$auditor" <<'SQL'
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'auditor') \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', :'auditor') \gexec
SELECT format('GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', :'auditor') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON TABLES '
              'TO %I', :'role', :'auditor') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA public GRANT SELECT ON SEQUENCES '
              'TO %I', :'role', :'auditor') \gexec
SQL
  echo "shequ: database and role ${role} ready (auditor ${auditor} may read it)"
done
