/** Bad usage or bad input: the CLI prints the one-line message and exits 2. */
export class UsageError extends Error {}

export const EXIT = { ok: 0, failed: 1, usage: 2, unknown: 3 } as const;
