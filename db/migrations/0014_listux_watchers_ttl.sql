-- Open lists (list_watchers) expire, and hear presence.
--
-- 1. A list stream's row is touched by its ping (every 15 s). A row unseen for 45 s (three
--    missed pings) belongs to a process that is gone: the triggers ignore it, so a crashed
--    instance's rows no longer make every write of their collection notify; lib/list-watchers.ts
--    purges them (on each join and ping, and at startup of a list stream).
-- 2. Presence changes (a record page opened or closed, unsaved edits started or stopped) also
--    notify while a list of the record's collection is open, with the collectionId, so each
--    process fans one notification out to its open lists (lib/list-fanout.ts). The last tab's
--    leave now tells the lists too.
CREATE OR REPLACE FUNCTION tandem_list_watched(collection uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT EXISTS (
    SELECT 1 FROM list_watchers w
     WHERE w.collection_id = collection AND w.seen_at > now() - interval '45 seconds'
  )
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tandem_notify_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  collection uuid;
BEGIN
  IF NOT tandem_watched(NEW.record_id) THEN
    IF NOT EXISTS (SELECT 1 FROM list_watchers) THEN RETURN NULL; END IF;
    SELECT r.collection_id INTO collection FROM records r WHERE r.id = NEW.record_id;
    IF NOT tandem_list_watched(collection) THEN RETURN NULL; END IF;
  ELSE
    SELECT r.collection_id INTO collection FROM records r WHERE r.id = NEW.record_id;
  END IF;
  PERFORM pg_notify('tandem_events', json_build_object(
    'kind', 'record',
    'recordId', NEW.record_id,
    'collectionId', collection,
    'version', NEW.version,
    'action', NEW.action,
    'at', tandem_utc(NEW.at),
    'batchId', NEW.batch_id,
    'user', json_build_object('id', NEW.user_id, 'name', (SELECT left(u.name, 200) FROM users u WHERE u.id = NEW.user_id))
  )::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tandem_notify_presence() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row presence;
  collection uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN row := OLD; ELSE row := NEW; END IF;
  IF EXISTS (SELECT 1 FROM list_watchers) THEN
    SELECT r.collection_id INTO collection FROM records r WHERE r.id = row.record_id;
    IF NOT tandem_list_watched(collection) THEN collection := NULL; END IF;
  END IF;
  IF collection IS NULL AND NOT tandem_watched(row.record_id) THEN RETURN NULL; END IF;
  PERFORM pg_notify('tandem_events', json_build_object(
    'kind', 'presence', 'recordId', row.record_id, 'presenceId', row.id, 'collectionId', collection
  )::text);
  RETURN NULL;
END
$$;
