/** The account, token and audit commands, in the order `sonoedge --help` lists them. */
import type { Command } from '../../util/cli-command.js';
import { auditVerify } from './audit.js';
import { tokensCreate, tokensRevoke } from './tokens.js';
import { usersAdd, usersDisable, usersEnable, usersList } from './users.js';

export const ACCESS_COMMANDS: readonly Command[] = [usersAdd, usersList, usersDisable, usersEnable, tokensCreate, tokensRevoke, auditVerify];
