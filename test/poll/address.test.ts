import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkSourceUrl, privateHostReason } from '../../src/poll/address';

const none = { privateSourceOrigins: [] as string[] };

describe('checkSourceUrl', () => {
  it.each([
    ['https://example.com/feed.xml', 'https://example.com/feed.xml'],
    ['  HTTPS://Example.COM:443/a/../feed?x=1#frag  ', 'https://example.com/feed?x=1'],
    ['http://8.8.8.8/feed', 'http://8.8.8.8/feed'],
    ['http://[2606:4700:4700::1111]/feed', 'http://[2606:4700:4700::1111]/feed'],
    ['http://[64:ff9b::808:808]/feed', 'http://[64:ff9b::808:808]/feed'], // NAT64 of a public address
    ['http://172.32.0.1/', 'http://172.32.0.1/'], // just outside 172.16/12
    ['http://100.128.0.1/', 'http://100.128.0.1/'], // just outside 100.64/10
    ['http://xn--bcher-kva.example/feed', 'http://xn--bcher-kva.example/feed'],
  ])('accepts %s', (url, normalized) => {
    expect(checkSourceUrl(url, none)).toEqual({ ok: true, url: normalized });
  });

  it.each([
    ['ftp://example.com/feed', /^non-http\(s\) URL refused: ftp:\/\/example\.com\/feed \(only http and https/],
    ['file:///etc/passwd', /^non-http\(s\) URL refused/],
    ['javascript:alert(1)', /^non-http\(s\) URL refused/],
    ['https://user:secret@example.com/feed', /^URL with credentials refused: https:\/\/example\.com\/feed \(/],
    ['not a url', /^not a valid URL: not a url$/],
    ['http://', /^not a valid URL/],
    ['http://1.2.3.4.5/', /^not a valid URL/],
    // Published Workers fetch the default port whatever the URL says (cloudflare/workers-sdk#1320).
    ['http://blog.example.org:8080/rss', /^URL with a port refused: .*only on port 80, not 8080/],
    ['https://example.com:80/feed', /^URL with a port refused: .*only on port 443, not 80/],
    ['https://example.com/a\r\nb', /^not a valid URL: it contains a line break/],
    [`https://example.com/${'x'.repeat(2030)}`, /^not a valid URL: it is longer than 2048/],
  ])('refuses %s', (url, error) => {
    const result = checkSourceUrl(url, none);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(error);
  });

  it('never shows a password in the error', () => {
    const result = checkSourceUrl('https://user:secret@example.com/feed', none);
    expect(JSON.stringify(result)).not.toContain('secret');
  });

  it.each([
    // loopback, in every spelling the URL parser folds into 127.0.0.1 / ::1
    ['http://127.0.0.1/', 'loopback 127.0.0.0/8'],
    ['http://127.1/', 'loopback 127.0.0.0/8'],
    ['http://2130706433/', 'loopback 127.0.0.0/8'],
    ['http://0x7f000001/', 'loopback 127.0.0.0/8'],
    ['http://0x7f.1/', 'loopback 127.0.0.0/8'],
    ['http://0177.0.0.1/', 'loopback 127.0.0.0/8'],
    ['http://%31%32%37.0.0.1/', 'loopback 127.0.0.0/8'],
    ['http://①②⑦.0.0.1/', 'loopback 127.0.0.0/8'],
    ['http://[::1]/', 'loopback ::1'],
    ['http://[0:0:0:0:0:0:0:1]/', 'loopback ::1'],
    ['http://localhost/', 'loopback host name'],
    ['http://LOCALHOST./feed', 'loopback host name'],
    ['http://api.localhost/', 'loopback host name'],
    // private
    ['http://10.1.2.3/', 'private network 10.0.0.0/8'],
    ['http://172.16.0.1/', 'private network 172.16.0.0/12'],
    ['http://172.31.255.255/', 'private network 172.16.0.0/12'],
    ['http://192.168.1.1/', 'private network 192.168.0.0/16'],
    ['http://100.64.0.1/', 'carrier-grade NAT 100.64.0.0/10'],
    ['http://100.100.100.200/', 'carrier-grade NAT 100.64.0.0/10'], // Alibaba Cloud metadata
    ['http://[fc00::1]/', 'unique local address fc00::/7'],
    ['http://[fd00:ec2::254]/', 'unique local address fc00::/7'], // AWS metadata over IPv6
    // link-local and metadata
    ['http://169.254.169.254/latest/meta-data/', 'link-local 169.254.0.0/16 (cloud metadata lives here)'],
    ['http://[fe80::1]/', 'link-local fe80::/10'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'cloud metadata host'],
    ['http://metadata/', 'cloud metadata host'],
    ['http://instance-data/', 'cloud metadata host'],
    // unspecified, broadcast, multicast, reserved
    ['http://0.0.0.0/', '"this network" 0.0.0.0/8'],
    ['http://0/', '"this network" 0.0.0.0/8'],
    ['http://[::]/', 'unspecified address ::'],
    ['http://255.255.255.255/', 'reserved 240.0.0.0/4 (and broadcast)'],
    ['http://224.0.0.1/', 'multicast 224.0.0.0/4'],
    ['http://[ff02::1]/', 'multicast ff00::/8'],
    ['http://192.0.2.10/', 'documentation range 192.0.2.0/24'],
    // IPv4 wrapped in IPv6
    ['http://[::ffff:127.0.0.1]/', 'IPv4-mapped IPv6 address'],
    ['http://[::ffff:8.8.8.8]/', 'IPv4-mapped IPv6 address'],
    ['http://[::127.0.0.1]/', 'IPv4-compatible IPv6 address'],
    ['http://[64:ff9b::10.0.0.1]/', 'NAT64 address wrapping private network 10.0.0.0/8'],
    ['http://[2002:c0a8:0101::1]/', '6to4 address wrapping private network 192.168.0.0/16'],
    // local-only names
    ['http://printer.local/', 'local-only name (.local)'],
    ['http://router.home.arpa/', 'local-only name (.home.arpa)'],
    ['http://db.internal/', 'local-only name (.internal)'],
    ['http://intranet/', 'single-label name, not a public host'],
  ])('refuses %s as %s', (url, why) => {
    const result = checkSourceUrl(url, none);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toMatch(/^private address refused: /);
      expect(result.reason).toContain(`(${why}; to poll it anyway, add `);
      expect(result.reason).toContain(' to PRIVATE_SOURCE_ORIGINS)');
    }
  });

  it('allows a private origin listed in PRIVATE_SOURCE_ORIGINS, and only that origin', () => {
    const config = { privateSourceOrigins: ['http://127.0.0.1:8080', 'http://intranet'] };
    expect(checkSourceUrl('http://127.0.0.1:8080/feed', config)).toEqual({ ok: true, url: 'http://127.0.0.1:8080/feed' });
    expect(checkSourceUrl('http://intranet/rss', config)).toEqual({ ok: true, url: 'http://intranet/rss' });
    expect(checkSourceUrl('http://127.0.0.1:8081/feed', config).ok).toBe(false); // another port
    expect(checkSourceUrl('https://127.0.0.1:8080/feed', config).ok).toBe(false); // another scheme
    // Credentials stay refused even on an allowed origin.
    expect(checkSourceUrl('http://a:b@127.0.0.1:8080/feed', config).ok).toBe(false);
  });

  it('the private-address hint names the exact origin to allow', () => {
    const result = checkSourceUrl('http://10.0.0.5:3000/feed.xml', none);
    expect(result).toEqual({
      ok: false,
      code: 'refused-url',
      reason:
        'private address refused: http://10.0.0.5:3000/feed.xml (private network 10.0.0.0/8; to poll it anyway, ' +
        'add http://10.0.0.5:3000 to PRIVATE_SOURCE_ORIGINS)',
    });
  });

  it('shortens very long URLs in messages', () => {
    const result = checkSourceUrl(`http://10.0.0.1/${'a'.repeat(500)}`, none);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^private address refused: http:\/\/10\.0\.0\.1\/a+… \(/);
  });
});

describe('privateHostReason', () => {
  it('treats public names and addresses as public', () => {
    for (const host of ['example.com', 'feeds.feedburner.com', '1.1.1.1', '[2001:4860:4860::8888]', '[2002:0808:0808::1]']) {
      expect(privateHostReason(host), host).toBeUndefined();
    }
  });
});

describe('numeric IPv4 spellings (property)', () => {
  const spellings = (n: number): string[] => {
    const b = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    return [
      b.join('.'),
      String(n),
      `0x${n.toString(16)}`,
      b.map((x) => `0${x.toString(8)}`).join('.'),
      b.map((x) => `0x${x.toString(16)}`).join('.'),
      `${b[0]}.${(n & 0xffffff) >>> 0}`,
      `[::ffff:${b.join('.')}]`,
    ];
  };
  const inRange = (base: number, bits: number) => fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((offset) => (base + offset) >>> 0);

  it('refuses every spelling of an address in a private range', () => {
    const ranges = [
      inRange(0x0a000000, 8), // 10/8
      inRange(0x7f000000, 8), // 127/8
      inRange(0xac100000, 12), // 172.16/12
      inRange(0xc0a80000, 16), // 192.168/16
      inRange(0xa9fe0000, 16), // 169.254/16
      inRange(0x64400000, 10), // 100.64/10
    ];
    fc.assert(
      fc.property(fc.oneof(...ranges), (n) =>
        spellings(n).every((host) => {
          const r = checkSourceUrl(`http://${host}/feed`, none);
          return !r.ok && r.reason.startsWith('private address refused: ');
        }),
      ),
    );
  });

  it('accepts every spelling of a public address (IPv4-mapped IPv6 aside)', () => {
    fc.assert(
      fc.property(inRange(0x08000000, 8), (n) => {
        const [dotted, ...others] = spellings(n);
        const expected = `http://${dotted}/feed`;
        return others.slice(0, -1).every((host) => {
          const r = checkSourceUrl(`http://${host}/feed`, none);
          return r.ok && r.url === expected;
        });
      }),
    );
  });
});
