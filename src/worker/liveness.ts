/** How the page learns that the worker died: a Web Lock held for the worker's life, and a ping. */

/**
 * Takes the Web Lock `name` and holds it for the worker's whole life;
 * resolves true once it is held, false where Web Locks are missing.
 */
export async function holdLifeLock(name: string): Promise<boolean> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return false;
  return new Promise<boolean>((held, failed) => {
    // The callback's promise never settles: the lock goes only with the worker.
    locks.request(name, () => {
      held(true);
      return new Promise<never>(() => undefined);
    }).catch(failed);
  });
}
