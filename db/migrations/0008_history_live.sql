-- Live notifications and comments (issue 14). A person's unread count changes when a
-- notification is written for them or marked read: one NOTIFY per person per statement (a
-- "mark all read" of 500 rows sends one), kind `notification`, `{userId}` only — the stream reads
-- the count itself. A comment added, edited or deleted on a record someone has open notifies
-- kind `comment` on the record, like its other live events (0003, 0006). Both are sent on COMMIT:
-- a rolled-back write announces nothing.
CREATE FUNCTION tandem_notify_notifications() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  person uuid;
BEGIN
  FOR person IN SELECT DISTINCT user_id FROM changed_rows LOOP
    PERFORM pg_notify('tandem_events', json_build_object('kind', 'notification', 'userId', person)::text);
  END LOOP;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER notifications_notify_insert AFTER INSERT ON notifications
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tandem_notify_notifications();
--> statement-breakpoint
CREATE TRIGGER notifications_notify_update AFTER UPDATE ON notifications
  REFERENCING NEW TABLE AS changed_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tandem_notify_notifications();
--> statement-breakpoint
CREATE FUNCTION tandem_notify_comment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT tandem_watched(NEW.record_id) THEN RETURN NULL; END IF;
  PERFORM pg_notify('tandem_events', json_build_object(
    'kind', 'comment',
    'recordId', NEW.record_id,
    'commentId', NEW.id,
    'version', NEW.version,
    'deleted', NEW.deleted_at IS NOT NULL
  )::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER comments_notify AFTER INSERT OR UPDATE ON comments
  FOR EACH ROW EXECUTE FUNCTION tandem_notify_comment();
--> statement-breakpoint
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
