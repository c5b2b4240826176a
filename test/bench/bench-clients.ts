/** The bare provider's one client (bare-provider.ts), and the resource server of the JWT access-token path. */
export const BARE_CLIENT = { id: 'bench-client', secret: 'bench-client-secret-0123456789abcdef' };
export const BENCH_RESOURCE = 'https://api.bench.example';
/** The scope a service asks for at that resource server (the brokers' default resource-server scopes include it). */
export const BENCH_RESOURCE_SCOPE = 'profile';
