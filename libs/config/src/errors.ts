import type { z } from 'zod';

/** Thrown when the environment does not satisfy an app's schema; the message is one line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

export function describeIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    const name = issue.path.map(String).join('.') || '(root)';
    return `${name} ${issue.message.replace(/\s+/g, ' ').trim()}`;
  });
}
