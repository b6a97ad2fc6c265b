"use client";

import { useRef } from "react";
import { clampWidth, MAX_WIDTH, MIN_WIDTH, setColumnWidth } from "./column-widths";

/** Arrow keys move a column's edge by this much (with Shift: five times as much). */
const KEY_STEP = 10;

/**
 * The right edge of a column header: drag it (pointer events, so mouse, pen and touch) or focus
 * it and press ←/→ (Shift for bigger steps, Home for the narrowest, Delete for auto). The new
 * width shows at once; `onCommit` saves it (after the drag, or when the keys pause).
 */
export function ColumnResizer(props: {
  slug: string;
  columnKey: string;
  label: string;
  width: number | undefined;
  onCommit: () => void;
}) {
  const drag = useRef<{ x: number; start: number } | null>(null);
  const keyTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const measured = (element: HTMLElement) =>
    props.width ?? element.closest("th")?.getBoundingClientRect().width ?? MIN_WIDTH;
  const commitSoon = () => {
    if (keyTimer.current) clearTimeout(keyTimer.current);
    keyTimer.current = setTimeout(props.onCommit, 600);
  };
  return (
    // biome-ignore lint/a11y/useSemanticElements: a focusable separator is the ARIA pattern for a resize handle (an <hr> cannot be focused or dragged)
    <div
      role="separator"
      aria-orientation="vertical"
      aria-label={`Resize ${props.label} column`}
      aria-valuemin={MIN_WIDTH}
      aria-valuemax={MAX_WIDTH}
      aria-valuenow={props.width ?? undefined}
      aria-valuetext={props.width ? `${props.width} pixels` : "automatic width"}
      tabIndex={0}
      className="col-resizer"
      data-testid={`resize-${props.columnKey}`}
      title="Drag to resize (or focus and use ← →)"
      onPointerDown={(event) => {
        if (event.button !== 0) return;
        event.preventDefault();
        event.currentTarget.setPointerCapture(event.pointerId);
        drag.current = { x: event.clientX, start: measured(event.currentTarget) };
      }}
      onPointerMove={(event) => {
        if (!drag.current) return;
        setColumnWidth(props.slug, props.columnKey, drag.current.start + event.clientX - drag.current.x);
      }}
      onPointerUp={(event) => {
        if (!drag.current) return;
        const moved = event.clientX !== drag.current.x;
        drag.current = null;
        event.currentTarget.releasePointerCapture(event.pointerId);
        if (moved) props.onCommit();
      }}
      onPointerCancel={() => {
        drag.current = null;
      }}
      onKeyDown={(event) => {
        const step = event.shiftKey ? KEY_STEP * 5 : KEY_STEP;
        const now = measured(event.currentTarget);
        let next: number | null | undefined;
        if (event.key === "ArrowRight") next = clampWidth(now + step);
        else if (event.key === "ArrowLeft") next = clampWidth(now - step);
        else if (event.key === "Home") next = MIN_WIDTH;
        else if (event.key === "End") next = MAX_WIDTH;
        else if (event.key === "Delete" || event.key === "Backspace") next = null;
        if (next === undefined) return;
        event.preventDefault();
        setColumnWidth(props.slug, props.columnKey, next);
        commitSoon();
      }}
    />
  );
}
