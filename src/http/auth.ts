// Bearer-token check for /admin/*: constant time, and never open when no token is configured.
import type { MiddlewareHandler } from 'hono';
import type { Env } from '../model';

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** Compares SHA-256 digests (equal length by construction) with the runtime's timing-safe comparison. */
export async function tokensMatch(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

export const requireAdmin: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) return c.json({ error: 'admin API disabled: set the ADMIN_TOKEN secret' }, 503);
  const header = c.req.header('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!match || !(await tokensMatch(match[1], expected))) {
    return c.json({ error: 'unauthorized: send Authorization: Bearer <ADMIN_TOKEN>' }, 401, {
      'WWW-Authenticate': 'Bearer realm="tributary-admin"',
    });
  }
  await next();
};
