-- The role rule moves from a table CHECK to a domain (see usersRole in src/data/schema.ts): a
-- table CHECK is rebuilt in every statement that writes users, the name change included; a domain's
-- check runs only where a role is written. Same rule, same constraint name, same SQLSTATE (23514).
-- Changing the column's type re-checks every existing row against the domain.
CREATE DOMAIN "users_role" AS text CONSTRAINT "users_role_check" CHECK (VALUE in ('user', 'moderator', 'admin'));--> statement-breakpoint
ALTER TABLE "users" DROP CONSTRAINT "users_role_check";--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "role" SET DATA TYPE "users_role";
