ALTER TABLE "idempotency_keys" DROP COLUMN "status_code";--> statement-breakpoint
ALTER TABLE "invoices" DROP COLUMN "voided_at";