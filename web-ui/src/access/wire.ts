/**
 * The access gate wired to the page: after a sign-in the live socket connects, the role's tabs show, the
 * live view opens and the operator field is the signed-in user (the daemon records who is signed in, never
 * a typed name); a lock stops the live socket (no frame reaches a locked page). Another user than the last one
 * signing in drops the last one's unsaved edits (user-change.ts).
 */
import type { Elements } from '../dom/elements';
import type { LiveSocket } from '../live/socket';
import type { Tabs } from '../screens/index';
import { AccessGate } from './gate';
import { userChange } from './user-change';

export function wireAccess(els: Elements, tabs: Tabs, socket: Pick<LiveSocket, 'connect' | 'stop'>): AccessGate {
  els.operator.readOnly = true;
  return new AccessGate({
    signedIn(s) {
      const before = els.operator.value;
      els.operator.value = s.user;
      if (before && before !== s.user) userChange.changed(before, s.user); // the last user's unsaved edits are dropped
      tabs.showFor(s.role);
      tabs.open('live');
      socket.connect();
    },
    locked() {
      socket.stop();
    },
  });
}
