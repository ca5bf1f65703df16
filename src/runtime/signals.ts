/**
 * Termination signals go to one idempotent routine: the first asks for a graceful stop, a
 * second forces the process out. SIGBREAK is what Windows (and NSSM's Ctrl+Break) sends.
 */
export const TERMINATION_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];

export function onTerminationSignal(
  graceful: (signal: NodeJS.Signals) => void,
  force: (signal: NodeJS.Signals) => void,
  /** Tests pass 'win32' to check the Windows set (Ctrl+Break) on any platform. */
  platform: NodeJS.Platform = process.platform,
): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received++;
    if (received === 1) graceful(signal);
    else force(signal);
  };
  const installed = TERMINATION_SIGNALS.filter((signal) => signal !== 'SIGBREAK' || platform === 'win32');
  for (const signal of installed) process.on(signal, handler);
  return () => {
    for (const signal of installed) process.removeListener(signal, handler);
  };
}
