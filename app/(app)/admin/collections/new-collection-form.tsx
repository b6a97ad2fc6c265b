"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { createCollectionAction } from "./actions";

/** A slug from a name: "Office supplies" → "office-supplies". */
function slugFrom(name: string): string {
  return name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+|-+$/g, "")
    .slice(0, 63);
}

/** "New collection": name, slug and edit mode; its fields are added in the schema editor after. */
export function NewCollectionForm() {
  const router = useRouter();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [editMode, setEditMode] = useState<"optimistic" | "lease">("optimistic");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const result = await createCollectionAction({ name, slug, editMode, fields: [] });
      if (result.ok) {
        router.push(`/admin/collections/${result.collection.slug}`);
        return;
      }
      const { error } = result;
      if (error.code === "invalid") setErrors(error.fields);
      else if (error.code === "slug_taken") setErrors({ slug: `A collection with the slug '${error.slug}' exists` });
      else setErrors({ _: "message" in error && error.message ? error.message : "Could not create it. Try again." });
    } catch {
      setErrors({ _: "The server could not be reached. Try again." });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="new-collection-title" className="stack">
      <h2 id="new-collection-title" style={{ margin: 0 }}>
        New collection
      </h2>
      <form className="form-grid" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor="new-collection-name">Name</label>
          <input
            id="new-collection-name"
            type="text"
            value={name}
            required
            aria-invalid={errors.name ? true : undefined}
            onChange={(e) => {
              setName(e.target.value);
              if (!slugEdited) setSlug(slugFrom(e.target.value));
            }}
          />
          {errors.name ? <span className="field-error">{errors.name}</span> : null}
        </div>
        <div className="field">
          <label htmlFor="new-collection-slug">Slug (in its address)</label>
          <input
            id="new-collection-slug"
            type="text"
            value={slug}
            required
            aria-invalid={errors.slug ? true : undefined}
            aria-describedby={errors.slug ? "new-collection-slug-error" : undefined}
            onChange={(e) => {
              setSlug(e.target.value);
              setSlugEdited(true);
            }}
          />
          {errors.slug ? (
            <span id="new-collection-slug-error" className="field-error">
              {errors.slug}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="new-collection-mode">Edit mode</label>
          <select
            id="new-collection-mode"
            value={editMode}
            onChange={(e) => setEditMode(e.target.value === "lease" ? "lease" : "optimistic")}
          >
            <option value="optimistic">Edit together, merge on save</option>
            <option value="lease">One editor at a time (lease)</option>
          </select>
        </div>
        <div className="field wide row">
          <button type="submit" className="primary" disabled={busy}>
            Create collection
          </button>
          {errors._ ? (
            <span className="field-error" role="alert">
              {errors._}
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
