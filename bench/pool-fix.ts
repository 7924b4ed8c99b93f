// Works around cloudflare/workers-sdk#15092 in @cloudflare/vitest-pool-workers 0.23 (fixed upstream by #15106, in
// @cloudflare/vitest-plugin): its Durable Object wrapper re-wraps the class prototype in one more Proxy on every
// construction, so each object constructed makes every later property read one trap deeper — quadratic, and a
// RangeError ("Maximum call stack size exceeded") after ~1,800 objects of a class. The bench creates 10,000 Feeds.
// This installs the prototype proxy once per prototype, as the upstream fix does: a Proxy whose target is a proxy
// this file made, with a handler of the same single `get` trap, is that proxy again. Nothing else changes.
const RealProxy = Proxy;
const made = new WeakMap<object, string>();

function PatchedProxy(this: unknown, target: object, handler: ProxyHandler<object>): object {
  const keys = Object.keys(handler);
  const trap = keys.length === 1 && keys[0] === 'get' && typeof handler.get === 'function' ? handler.get.toString() : undefined;
  if (trap !== undefined && made.get(target) === trap) return target;
  const p = new RealProxy(target, handler);
  if (trap !== undefined) made.set(p, trap);
  return p;
}
PatchedProxy.revocable = RealProxy.revocable;

export function installPoolFix(): void {
  if ((globalThis as { Proxy: unknown }).Proxy !== RealProxy) return;
  (globalThis as { Proxy: unknown }).Proxy = PatchedProxy as unknown as ProxyConstructor;
}
