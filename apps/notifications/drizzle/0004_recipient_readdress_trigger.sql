-- A recipient's pending e-mails follow their address, now in a trigger on recipients instead of a
-- CTE in every upsert (hand-written: drizzle-kit does not write functions or triggers; its snapshot
-- is unchanged, since no table, column or index is). The CTE set up an extra UPDATE of deliveries
-- in every users event's statement, address changed or not: a third of the consumer's instructions
-- per event (round 12). The trigger runs only when a row gets an address it did not have: a first
-- recipient row with an address, or an update that changes it. Either way it is the same
-- transaction as the change, so a pending e-mail is never sent to an address the recipient no
-- longer has once that change is committed.
CREATE FUNCTION recipients_readdress_pending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE deliveries SET "to" = NEW.email, updated_at = now()
  WHERE user_id = NEW.user_id AND status = 'pending' AND "to" IS DISTINCT FROM NEW.email;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER recipients_readdress_pending_on_insert AFTER INSERT ON recipients
  FOR EACH ROW WHEN (NEW.email IS NOT NULL) EXECUTE FUNCTION recipients_readdress_pending();
--> statement-breakpoint
CREATE TRIGGER recipients_readdress_pending_on_update AFTER UPDATE OF email ON recipients
  FOR EACH ROW WHEN (NEW.email IS NOT NULL AND NEW.email IS DISTINCT FROM OLD.email) EXECUTE FUNCTION recipients_readdress_pending();
