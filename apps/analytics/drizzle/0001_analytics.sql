CREATE TABLE "events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"stream" text NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"source" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"correlation_id" text NOT NULL,
	"known" boolean NOT NULL,
	"stream_seq" bigint NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_states" (
	"invoice_id" uuid PRIMARY KEY NOT NULL,
	"currency" text,
	"total_minor" bigint,
	"paid_minor" bigint DEFAULT 0 NOT NULL,
	"voided" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_deltas" (
	"event_id" uuid NOT NULL,
	"metric" text NOT NULL,
	"key" text NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"value" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "metric_hourly" (
	"metric" text NOT NULL,
	"key" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"value" bigint NOT NULL,
	CONSTRAINT "metric_hourly_pkey" PRIMARY KEY("metric","key","bucket")
);
--> statement-breakpoint
CREATE TABLE "rebuild_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"events_replayed" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "user_states" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"is_active" boolean NOT NULL,
	"last_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_occurred_at_idx" ON "events" USING btree ("occurred_at");--> statement-breakpoint
CREATE INDEX "events_type_occurred_at_idx" ON "events" USING btree ("type","occurred_at");--> statement-breakpoint
CREATE INDEX "metric_deltas_metric_occurred_at_idx" ON "metric_deltas" USING btree ("metric","occurred_at");--> statement-breakpoint
CREATE INDEX "rebuild_runs_started_at_idx" ON "rebuild_runs" USING btree ("started_at" desc);