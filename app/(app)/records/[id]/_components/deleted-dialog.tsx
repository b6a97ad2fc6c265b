"use client";

import { Modal } from "@/components/modal";
import { RelativeTime } from "@/components/relative-time";
import type { DeletedInfo } from "@/lib/records/record-view";

/** "Bob deleted this record while you were editing": restore it with my edits, or drop them. */
export function DeletedDialog({
  deleted,
  busy,
  onRestore,
  onDrop,
  onClose,
}: {
  deleted: DeletedInfo;
  busy: boolean;
  onRestore: () => void;
  onDrop: () => void;
  onClose: () => void;
}) {
  return (
    <Modal
      testId="deleted-dialog"
      title={`${deleted.by.name} deleted this record while you were editing`}
      description={
        <>
          Deleted <RelativeTime iso={deleted.at} />. Your edits are still here: bring the record back with them, or drop
          them.
        </>
      }
      onClose={onClose}
      footer={
        <>
          <button type="button" className="primary" disabled={busy} onClick={onRestore}>
            Restore with my edits
          </button>
          <button type="button" disabled={busy} onClick={onDrop}>
            Drop my edits
          </button>
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Keep editing
          </button>
        </>
      }
    >
      <p>
        Restoring creates a new version (the record&apos;s history keeps the deletion). Dropping your edits leaves the
        record deleted.
      </p>
    </Modal>
  );
}
