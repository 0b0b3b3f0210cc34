-- Run once, on first start, by the postgres:17 image in docker-compose.yml
-- (mounted into /docker-entrypoint-initdb.d). The "spine" role and database
-- come from POSTGRES_USER/POSTGRES_DB; the schema registry gets its own
-- database, as in the local stack (scripts/stack/postgres.sh).
CREATE DATABASE apicurio OWNER spine;
