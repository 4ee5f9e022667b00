/**
 * Bounds a wait that a driver or a service may never end (a `start()` or `stop()` that never settles).
 * The work itself cannot be cancelled from here: whoever calls this decides what becomes of it (abort its
 * signal, ignore its frames) once the deadline has passed.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
