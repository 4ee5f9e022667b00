/**
 * What a model install reports, step by step: the installer (src/models/updates/) writes it, POST /api/models
 * answers it, and the Models screen shows it. One list of steps, in the order the installer runs them.
 */
export const INSTALL_STEPS = ['extract', 'signature', 'hashes', 'manifest', 'compatibility', 'load', 'test-vectors', 'activate'] as const;
export type InstallStep = (typeof INSTALL_STEPS)[number];

/** One step as it ran: how long it took, and the coded reason when it refused the package. */
export interface StepReport {
  step: InstallStep;
  ok: boolean;
  ms: number;
  detail?: string;
  code?: string;
}

/** An install's outcome: each step that ran, and the one that refused the package (its failure names its step and code). */
export interface InstallReport {
  ok: boolean;
  id?: string;
  version?: string;
  signer?: string;
  activated: boolean;
  steps: StepReport[];
  failed?: { step: InstallStep; code: string; message: string };
}
