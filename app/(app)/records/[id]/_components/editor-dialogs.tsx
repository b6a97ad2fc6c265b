"use client";

import { useRouter } from "next/navigation";
import type { Dispatch } from "react";
import { useMemo } from "react";
import { ConflictDialog } from "./conflict-dialog";
import { DeletedDialog } from "./deleted-dialog";
import { conflictMerges, type EditorEvent, type EditorState, mineValues } from "./editor-state";
import type { DraftControls } from "./use-draft";
import type { SaveControls } from "./use-save-record";

/** The three-way conflict dialog and the "deleted meanwhile" dialog, mounted while editable. */
export function EditorDialogs({
  state,
  dispatch,
  drafts,
  writes,
  editable,
  collectionSlug,
}: {
  state: EditorState;
  dispatch: Dispatch<EditorEvent>;
  drafts: DraftControls;
  writes: SaveControls;
  editable: boolean;
  collectionSlug: string;
}) {
  const router = useRouter();
  const merges = useMemo(() => conflictMerges(state), [state]);
  const { fields, surface, base } = state;
  const saving = state.pending !== null;
  const mine = mineValues(state);

  return (
    <>
      {editable && surface.kind === "conflict" && surface.open ? (
        <ConflictDialog
          fields={fields}
          baseVersion={base.version}
          current={surface.current}
          changes={surface.changes}
          origin={surface.origin}
          merges={merges}
          decisions={surface.decisions}
          busy={saving}
          onDecide={(key, decision) => dispatch({ type: "decided", key, decision })}
          onMerge={(merged) =>
            void writes.send({
              kind: "save",
              action: "merge",
              againstVersion: surface.current.version,
              values: merged,
              form: state.values,
            })
          }
          onOverwrite={() =>
            void writes.send({
              kind: "save",
              action: "overwrite",
              againstVersion: surface.current.version,
              values: mine,
              form: state.values,
            })
          }
          onDiscard={() => {
            dispatch({ type: "discarded_mine", kept: drafts.setAside() });
            writes.settle(surface.current);
            drafts.dismiss();
          }}
          onClose={() => dispatch({ type: "surface_closed" })}
        />
      ) : null}

      {editable && surface.kind === "deleted" && surface.open ? (
        <DeletedDialog
          deleted={surface.deleted}
          busy={saving}
          onRestore={() =>
            void writes.send({
              kind: "restore",
              deletedVersion: surface.deleted.version,
              values: mine,
              form: state.values,
            })
          }
          onDrop={() => {
            drafts.dismiss();
            dispatch({ type: "edits_dropped" });
            router.push(`/collections/${collectionSlug}`);
          }}
          onClose={() => dispatch({ type: "surface_closed" })}
        />
      ) : null}
    </>
  );
}
