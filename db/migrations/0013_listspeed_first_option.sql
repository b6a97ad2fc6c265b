-- A multiselect sorts by its first option in the options' order (DESIGN.md "Sorting"). As an
-- IMMUTABLE function of the value and the options, the list-index reconciler
-- (lib/records/list-indexes.ts) can index it per collection; a subquery cannot be indexed.
CREATE OR REPLACE FUNCTION tandem_first_option(value jsonb, options text[]) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT min(array_position(options, e))
    FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(value) = 'array' THEN value END) e
$$;
