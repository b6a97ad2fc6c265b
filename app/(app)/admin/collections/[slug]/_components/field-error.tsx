/** The server's message for one path of the schema, beside its input. */
export function FieldError({ errors, path }: { errors: Record<string, string>; path: string }) {
  return errors[path] ? (
    <span className="field-error" id={`err-${path}`}>
      {errors[path]}
    </span>
  ) : null;
}
