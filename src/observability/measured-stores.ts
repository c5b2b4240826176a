import type { Adapter } from 'oidc-provider';
import type { Stores } from '../stores/choose-stores.ts';
import type { Metrics } from '../shared/metrics.ts';

/**
 * The stores with every asynchronous operation timed and its failures counted, by store and method name: the one
 * place the metrics see MongoDB and Redis (and the memory stores, for comparison), whatever use case calls them.
 * Without a metrics port the stores are returned as they are, so the hot path pays nothing.
 */
export function measuredStores(stores: Stores, metrics: Metrics): Stores {
  if (!metrics.enabled) return stores;
  const measure = <T extends object>(store: string, target: T) => measured(target, store, metrics);
  const adapters = new Map<string, Adapter>();
  const adapter = Object.assign(
    (model: string) => {
      let found = adapters.get(model);
      if (!found) adapters.set(model, (found = measure(`oidc.${model}`, stores.adapter(model))));
      return found;
    },
    measure('oidc', {
      sessionsOf: stores.adapter.sessionsOf.bind(stores.adapter),
      revokeAccount: stores.adapter.revokeAccount.bind(stores.adapter),
    }),
  ) as Stores['adapter'];
  return {
    ...stores,
    directory: measure('directory', stores.directory),
    cachedDirectory: measure('directory_cached', stores.cachedDirectory),
    adapter,
    clients: measure('clients', stores.clients),
    cachedClients: measure('clients_cached', stores.cachedClients),
    audit: measure('audit', stores.audit),
    webhooks: measure('webhooks', stores.webhooks),
    links: measure('links', stores.links),
    emailChanges: measure('email_changes', stores.emailChanges),
    linkTransactions: measure('link_transactions', stores.linkTransactions),
    rateLimiter: (options) => measure('rate_limits', stores.rateLimiter(options)),
    browserSessions: (name) => measure('browser_sessions', stores.browserSessions(name)),
  };
}

/**
 * A view of `target` whose methods are timed when they return a promise (synchronous ones pass through untouched).
 * Each wrapped method is made once, at its first use, so a call costs one Map lookup more than the store's own.
 */
function measured<T extends object>(target: T, store: string, metrics: Metrics): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      let method = wrapped.get(property);
      if (!method) {
        const operation = property;
        const original = value as (...args: unknown[]) => unknown;
        method = function (this: unknown, ...args: unknown[]) {
          const started = performance.now();
          const done = (failed: boolean) =>
            metrics.storeCall({ store, operation, seconds: (performance.now() - started) / 1000, failed });
          let result: unknown;
          try {
            result = original.apply(this === receiver ? object : this, args);
          } catch (err) {
            done(true);
            throw err;
          }
          if (!(result instanceof Promise)) return result;
          return result.then(
            (ok: unknown) => {
              done(false);
              return ok;
            },
            (err: unknown) => {
              done(true);
              throw err;
            },
          );
        };
        wrapped.set(property, method);
      }
      return method;
    },
  });
}
