/**
 * Stands in for `@aws-sdk/credential-provider-node` in every function bundle (an esbuild alias, see
 * infra/lib/lindung-function.ts). Lambda hands a function its role's credentials in environment variables,
 * and the local stack sets the same variables, so of the SDK's default chain (environment, SSO, ini files,
 * process, web identity, container and instance metadata) only the first ever answers there: the others,
 * with the STS, SSO and sign-in clients they bring, are about 100 KB of each bundle that Lambda never runs.
 * The sources (tsx, tests, the CLI) keep the whole chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** The SDK clients' default credential provider: the environment's credentials only. */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
