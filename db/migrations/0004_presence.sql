CREATE TABLE "presence" (
	"id" uuid PRIMARY KEY NOT NULL,
	"record_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"editing" boolean DEFAULT false NOT NULL,
	"since" timestamp with time zone DEFAULT now() NOT NULL,
	"seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "presence" ADD CONSTRAINT "presence_record_id_records_id_fk" FOREIGN KEY ("record_id") REFERENCES "public"."records"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "presence" ADD CONSTRAINT "presence_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "presence_record_idx" ON "presence" USING btree ("record_id");--> statement-breakpoint
-- Who has a record open (lib/presence.ts). A tab that opens or closes the record, or starts or
-- stops having unsaved edits, notifies `tandem_events`; the touch of a ping does not.
CREATE FUNCTION tandem_notify_presence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row presence;
BEGIN
  IF TG_OP = 'DELETE' THEN row := OLD; ELSE row := NEW; END IF;
  PERFORM pg_notify('tandem_events', json_build_object(
    'kind', 'presence', 'recordId', row.record_id, 'presenceId', row.id
  )::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER presence_notify AFTER INSERT OR DELETE ON presence
  FOR EACH ROW EXECUTE FUNCTION tandem_notify_presence();
--> statement-breakpoint
CREATE TRIGGER presence_editing_notify AFTER UPDATE OF editing ON presence
  FOR EACH ROW WHEN (OLD.editing IS DISTINCT FROM NEW.editing) EXECUTE FUNCTION tandem_notify_presence();
