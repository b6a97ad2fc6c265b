-- Live events (DESIGN.md: "Live events use LISTEN/NOTIFY"). Every new revision, every lease
-- change and every seat-counter change notifies channel `tandem_events` with a small JSON
-- payload naming the record; notifications sent in a transaction go out on COMMIT, so a rolled
-- back write announces nothing. Payloads stay far below NOTIFY's 8000-byte limit (a longer one
-- would fail the write itself): ids, numbers, timestamps and a user name cut to 200 characters.
CREATE FUNCTION tandem_utc(at timestamptz) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
--> statement-breakpoint
CREATE FUNCTION tandem_notify_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('tandem_events', json_build_object(
    'kind', 'record',
    'recordId', NEW.record_id,
    'version', NEW.version,
    'action', NEW.action,
    'at', tandem_utc(NEW.at),
    'user', json_build_object('id', NEW.user_id, 'name', (SELECT left(u.name, 200) FROM users u WHERE u.id = NEW.user_id))
  )::text);
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER revisions_notify AFTER INSERT ON revisions
  FOR EACH ROW EXECUTE FUNCTION tandem_notify_revision();
--> statement-breakpoint
CREATE FUNCTION tandem_notify_lease() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('tandem_events', json_build_object(
      'kind', 'lease', 'recordId', OLD.record_id, 'holder', NULL, 'expiresAt', NULL
    )::text);
  ELSE
    PERFORM pg_notify('tandem_events', json_build_object(
      'kind', 'lease',
      'recordId', NEW.record_id,
      'holder', json_build_object('id', NEW.user_id, 'name', (SELECT left(u.name, 200) FROM users u WHERE u.id = NEW.user_id)),
      'expiresAt', tandem_utc(NEW.expires_at)
    )::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER leases_notify AFTER INSERT OR UPDATE OR DELETE ON leases
  FOR EACH ROW EXECUTE FUNCTION tandem_notify_lease();
--> statement-breakpoint
CREATE FUNCTION tandem_notify_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('tandem_events', json_build_object(
      'kind', 'reservations', 'recordId', OLD.record_id, 'taken', 0, 'capacity', 0
    )::text);
  ELSIF TG_OP = 'INSERT' OR NEW.taken IS DISTINCT FROM OLD.taken OR NEW.capacity IS DISTINCT FROM OLD.capacity THEN
    PERFORM pg_notify('tandem_events', json_build_object(
      'kind', 'reservations', 'recordId', NEW.record_id, 'taken', NEW.taken, 'capacity', NEW.capacity
    )::text);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER record_capacity_notify AFTER INSERT OR UPDATE OR DELETE ON record_capacity
  FOR EACH ROW EXECUTE FUNCTION tandem_notify_capacity();
