"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useRef, useState } from "react";
import { callAction } from "@/components/call-action";
import { RecordFields } from "@/components/record-fields";
import { type FieldDefinition, validateRecord } from "@/lib/fields";
import { type FormValues, fromFormValues, toFormValues } from "@/lib/form-values";
import { createRecordAction } from "./actions";

export function CreateRecordForm({ collection }: { collection: { slug: string; fields: FieldDefinition[] } }) {
  const router = useRouter();
  const [values, setValues] = useState<FormValues>(() => toFormValues(collection.fields, {}));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  // One id per set of values: pressing Create again after a lost answer cannot create twice,
  // while changed values are a new request (a new id), never a replay of the old one.
  const saveId = useRef<string>(crypto.randomUUID());
  const create = useMutation({
    mutationFn: (input: Parameters<typeof createRecordAction>[0]) => callAction(createRecordAction, input),
    onSuccess: (outcome) => {
      if (outcome.ok) return router.push(`/records/${outcome.record.id}`);
      const { error } = outcome;
      if (error.code === "invalid") setErrors(error.fields);
      else if (error.code === "not_found") setMessage("This collection no longer exists.");
      else if (error.code === "idempotency_mismatch") setMessage("Please try again.");
      else setMessage(outcome.message);
    },
  });

  function submit(event: React.FormEvent) {
    event.preventDefault();
    const input = fromFormValues(collection.fields, values);
    const checked = validateRecord(collection.fields, input);
    if (!checked.ok) {
      setErrors(checked.fields);
      return;
    }
    setMessage(null);
    create.mutate({ collectionSlug: collection.slug, values: input, saveId: saveId.current });
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
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create"}
        </button>
      </div>
    </form>
  );
}
