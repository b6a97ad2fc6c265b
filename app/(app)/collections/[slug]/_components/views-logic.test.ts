import { describe, expect, it } from "vitest";
import { canEditView, defaultViewLabel } from "./views-logic";

const me = { id: "u1", role: "editor" };

describe("views menu logic", () => {
  it("lets the owner edit, and an admin a shared view", () => {
    expect(canEditView(null, me)).toBe(false);
    expect(canEditView({ shared: false, owner: { id: "u1" } }, me)).toBe(true);
    expect(canEditView({ shared: true, owner: { id: "u2" } }, me)).toBe(false);
    expect(canEditView({ shared: true, owner: { id: "u2" } }, { id: "u3", role: "admin" })).toBe(true);
    expect(canEditView({ shared: false, owner: { id: "u2" } }, { id: "u3", role: "admin" })).toBe(false);
  });

  it("labels the default-view link", () => {
    expect(defaultViewLabel("v1", "v1")).toBe("Stop opening this view by default");
    expect(defaultViewLabel("v1", null)).toBe("Open this view by default");
    expect(defaultViewLabel(null, "v1")).toBe("Open all records by default");
    expect(defaultViewLabel(null, null)).toBeNull();
  });
});
