-- Collection events (GET /api/collections/:slug/events): a revision also notifies when someone
-- has a list of its collection open (a row in list_watchers), not only when someone has the
-- record open. The unwatched fast path of 0006 stays: with no list open anywhere, one probe of
-- an empty table; otherwise one index probe for the record's collection. The payload gains
-- collectionId (lists subscribe by collection) and batchId.
CREATE OR REPLACE FUNCTION tandem_notify_revision() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  collection uuid;
BEGIN
  IF NOT tandem_watched(NEW.record_id) THEN
    IF NOT EXISTS (SELECT 1 FROM list_watchers) THEN RETURN NULL; END IF;
    SELECT r.collection_id INTO collection FROM records r WHERE r.id = NEW.record_id;
    IF NOT EXISTS (SELECT 1 FROM list_watchers w WHERE w.collection_id = collection) THEN RETURN NULL; END IF;
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
-- Search (`q`, a substring of search_text) with a trigram index where pg_trgm exists: PostgreSQL
-- ships it as a contrib module, and the embedded PGlite loads its build (db/client.ts). Where
-- it is missing, the search still works, by a scan.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS records_search_trgm_idx ON records USING gin (search_text gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_trgm is not available (%): search scans instead', SQLERRM;
END
$$;
