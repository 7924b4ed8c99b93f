import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';

describe('runtime', () => {
  it('answers and reaches the fixture server', async () => {
    const res = await exports.default.fetch('https://tributary.test/');
    expect(res.status).toBe(200);
    const origin = env.FIXTURE_ORIGIN;
    const put = await fetch(`${origin}/__route/hello`, { method: 'PUT', body: JSON.stringify({ body: 'hi' }) });
    expect(put.status).toBe(204);
    expect(await (await fetch(`${origin}/r/hello`)).text()).toBe('hi');
    const td = new TextDecoder('windows-874');
    expect(td.decode(new Uint8Array([0xa1]))).toBe('ก');
    await env.TRIBUTARY.put('k', 'v');
    expect(await env.TRIBUTARY.get('k')).toBe('v');
  });
});
