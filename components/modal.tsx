"use client";

import { type ReactNode, useEffect, useId, useRef } from "react";

/** A modal on the native <dialog>: focus stays inside, Esc closes it (and loses nothing). */
export function Modal({
  title,
  description,
  onClose,
  children,
  footer,
  testId,
}: {
  title: ReactNode;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer: ReactNode;
  testId?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <header>
        <h2 id={titleId}>{title}</h2>
        {description ? (
          <p id={descriptionId} className="muted" style={{ margin: 0 }}>
            {description}
          </p>
        ) : null}
      </header>
      <div className="body">{children}</div>
      <footer>{footer}</footer>
    </dialog>
  );
}
