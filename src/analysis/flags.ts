/** A decision-support flag: a stable code for software, a plain sentence for the clinician. */
export interface Flag {
  code: string;
  severity: 'info' | 'warning' | 'alert';
  message: string;
}

export function flag(code: string, severity: Flag['severity'], message: string): Flag {
  return { code, severity, message };
}
