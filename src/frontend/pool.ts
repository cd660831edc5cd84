/**
 * Bounded concurrency for the sync: at most `limit` tasks in flight. On the first failure no new task is
 * started; tasks already running finish, then the first error is thrown (so a failed wave never leaves
 * requests running behind the caller's back).
 */

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the order of `items`.
 * @throws the first error any call threw, after every started call has settled.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        if (!failed) firstError = error;
        failed = true;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
  await Promise.all(workers);
  if (failed) throw firstError;
  return results;
}
