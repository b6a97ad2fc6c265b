import { expect, type Locator, type Page } from "@playwright/test";

/**
 * The record page as a person uses it: its form, its notices and its dialogs, located by
 * role, label and test id. Specs say what happens; this says where it is on the page.
 */
export class RecordPage {
  constructor(readonly page: Page) {}

  async open(recordId: string): Promise<void> {
    await this.page.goto(`/records/${recordId}`);
    await expect(this.version).toBeVisible();
  }

  get version(): Locator {
    return this.page.getByTestId("record-version");
  }

  field(label: string): Locator {
    return this.page.getByLabel(label);
  }

  button(name: string): Locator {
    return this.page.getByRole("button", { name });
  }

  async save(): Promise<void> {
    await this.button("Save").click();
  }

  /** A status notice containing `text` ("Saved — version 2", "Bob saved a newer version …"). */
  status(text: string | RegExp): Locator {
    return this.page.getByRole("status").filter({ hasText: text });
  }

  /** The open dialog, by its title when given ("Bob changed this record while you were editing"). */
  dialog(title?: string): Locator {
    return title ? this.page.getByRole("dialog", { name: title }) : this.page.getByRole("dialog");
  }

  /** The three-way conflict dialog. */
  conflictDialog(): Locator {
    return this.page.getByTestId("conflict-dialog");
  }

  /** One field's row in the conflict dialog. */
  mergeRow(key: string): Locator {
    return this.conflictDialog().getByTestId(`merge-${key}`);
  }

  get deletedDialog(): Locator {
    return this.page.getByTestId("deleted-dialog");
  }

  get leaseBanner(): Locator {
    return this.page.getByTestId("lease-banner");
  }

  get presence(): Locator {
    return this.page.getByTestId("presence");
  }
}
