-- Runs once, when the Postgres volume is first initialised (docker-entrypoint-initdb.d):
-- one database per service (docs/contract.md §1). Migrations are applied by each service at start.
CREATE DATABASE users;
CREATE DATABASE billing;
CREATE DATABASE notifications;
CREATE DATABASE analytics;
