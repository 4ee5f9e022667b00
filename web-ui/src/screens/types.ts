import type { Elements } from '../dom/elements';
import type { ScreenAccess } from '../access/access-api';
import type { Key } from '../i18n';

/**
 * One screen of the page (a tab): its section and what it loads when opened. Adding a screen (sign-in,
 * model install, exam record, …) means adding one module and listing it in screens/index.ts.
 */
export interface Screen {
  /** the tab's `data-view` and the section's id (`view-<id>`) */
  readonly id: string;
  readonly labelKey: Key;
  /** who sees its tab (the server's roles: admin sees all); default every signed-in role */
  readonly access?: ScreenAccess;
  /** its section: found in index.html, or built by the module */
  section(els: Elements): HTMLElement;
  /** called each time it is opened; a rejection is shown as a message */
  open?(els: Elements): Promise<void>;
  /** wires its own controls once at start-up */
  setup?(els: Elements): void;
}
