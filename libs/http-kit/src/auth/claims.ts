import * as z from 'zod';

export const ROLES = ['user', 'moderator', 'admin'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/**
 * What an access token must carry (docs/contract.md §3); anything else is a 401. `sub` is a user id, and
 * every platform id is a UUID: a token naming anything else cannot be one of ours (and never
 * reaches a query).
 */
export const accessClaimsSchema = z.looseObject({
  sub: z.uuid(),
  role: roleSchema,
  jti: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  iss: z.string().min(1),
  aud: z.union([z.string().min(1), z.array(z.string()).min(1)]),
});

export type AccessClaims = z.infer<typeof accessClaimsSchema>;
