"use client";

import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { RecordFields } from "@/components/record-fields";
import { type FieldDefinition, validateRecord } from "@/lib/fields";
import { type FormValues, fromFormValues, toFormValues } from "@/lib/form-values";
import { createRecordAction } from "./actions";

export function CreateRecordForm({ collection }: { collection: { slug: string; fields: FieldDefinition[] } }) {
  const router = useRouter();
  const [values, setValues] = useState<FormValues>(() => toFormValues(collection.fields, {}));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // One id per set of values: pressing Create again after a lost answer cannot create twice,
  // while changed values are a new request (a new id), never a replay of the old one.
  const saveId = useRef<string>(crypto.randomUUID());

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const input = fromFormValues(collection.fields, values);
    const checked = validateRecord(collection.fields, input);
    if (!checked.ok) {
      setErrors(checked.fields);
      return;
    }
    setPending(true);
    setMessage(null);
    try {
      const result = await createRecordAction({
        collectionSlug: collection.slug,
        values: input,
        saveId: saveId.current,
      });
      if (result.ok) {
        router.push(`/records/${result.record.id}`);
        return;
      }
      const { error } = result;
      if (error.code === "invalid") setErrors(error.fields);
      else if (error.code === "not_found") setMessage("This collection no longer exists.");
      else if (error.code === "idempotency_mismatch") setMessage("Please try again.");
      else setMessage(error.message);
    } catch {
      setMessage("The server could not be reached. Your values are kept; try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <form className="panel stack" onSubmit={submit} noValidate>
      <RecordFields
        fields={collection.fields}
        values={values}
        errors={errors}
        onChange={(key, value) => {
          saveId.current = crypto.randomUUID();
          setValues((v) => ({ ...v, [key]: value }));
          setErrors(({ [key]: _, ...rest }) => rest);
        }}
      />
      {message ? (
        <p role="alert" className="notice error">
          {message}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? "Creating…" : "Create"}
        </button>
      </div>
    </form>
  );
}
