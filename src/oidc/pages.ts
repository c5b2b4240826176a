import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * The pages oidc-provider renders itself (errors, logout confirmation, logout done). The http layer implements
 * them with the broker's templates; the provider configuration only needs these functions.
 */
export interface ProviderPages {
  renderError(ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }, error: Error): Promise<void>;
  logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void>;
  postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void>;
}
