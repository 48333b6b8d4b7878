/** True if `work` settled (either way) within `ms`, false if the time ran out first; `work` keeps running. */
export async function settlesWithin(work: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  try {
    return await Promise.race([work?.then(() => true, () => true) ?? true, expired]);
  } finally {
    clearTimeout(timer);
  }
}
