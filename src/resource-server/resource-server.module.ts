import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { ACCESS_TOKEN_VERIFIER, AccessTokenVerifier } from './access-token';
import { AccessTokenGuard } from './access-token.guard';
import { ResolvedResourceServerOptions, resolveResourceServerOptions, RESOURCE_SERVER_OPTIONS, ResourceServerOptions } from './resource-server.options';

/** `ResourceServerModule.forRootAsync()`: options from a factory, e.g. over `ConfigService`. */
export interface ResourceServerModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the injected values are the host's
  useFactory: (...args: any[]) => ResourceServerOptions | Promise<ResourceServerOptions>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- injection tokens of any kind
  inject?: any[];
}

/**
 * Lets another Nest service accept our access tokens without sharing a secret: it verifies them
 * against the issuer's published public keys (`GET /.well-known/jwks.json`). Global, so
 * `@RequireAccessToken()` works in any of the host's modules.
 *
 * @example
 * ```ts
 * ResourceServerModule.forRoot({
 *   jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
 *   issuer: 'nest-dual-auth',
 *   audience: 'nest-dual-auth-api',
 *   algorithm: 'EdDSA',
 * })
 * ```
 */
@Module({})
export class ResourceServerModule {
  static forRoot(options: ResourceServerOptions): DynamicModule {
    // Validated here, synchronously: a bad option (HS256 included) stops the boot before anything starts.
    const resolved = resolveResourceServerOptions(options);
    return ResourceServerModule.build({ provide: RESOURCE_SERVER_OPTIONS, useValue: resolved }, []);
  }

  static forRootAsync(options: ResourceServerModuleAsyncOptions): DynamicModule {
    return ResourceServerModule.build(
      {
        provide: RESOURCE_SERVER_OPTIONS,
        inject: options.inject ?? [],
        useFactory: async (...args: unknown[]) => resolveResourceServerOptions(await options.useFactory(...args)),
      },
      options.imports ?? [],
    );
  }

  private static build(optionsProvider: Provider, imports: NonNullable<ModuleMetadata['imports']>): DynamicModule {
    return {
      module: ResourceServerModule,
      global: true,
      imports,
      providers: [
        optionsProvider,
        { provide: ACCESS_TOKEN_VERIFIER, inject: [RESOURCE_SERVER_OPTIONS], useFactory: createVerifier },
        AccessTokenGuard,
      ],
      exports: [RESOURCE_SERVER_OPTIONS, ACCESS_TOKEN_VERIFIER, AccessTokenGuard],
    };
  }
}

/**
 * The verifier for the configured algorithm, loaded on demand: the optional peer dependencies a
 * host did not install for its algorithm are never required.
 */
async function createVerifier(options: ResolvedResourceServerOptions): Promise<AccessTokenVerifier> {
  try {
    if (options.algorithm === 'EdDSA') {
      const { JoseEddsaVerifier } = await import('./jose-eddsa.verifier');
      return new JoseEddsaVerifier(options);
    }
    const { PassportJwksVerifier } = await import('./passport-jwks.verifier');
    return new PassportJwksVerifier(options);
  } catch (err) {
    const missing = /Cannot find module '([^']+)'/.exec((err as Error).message)?.[1];
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && missing && !missing.startsWith('.')) {
      const needs = options.algorithm === 'EdDSA' ? 'jwks-rsa and jose' : 'jwks-rsa and passport-jwt';
      throw new Error(`ResourceServerModule (${options.algorithm}) needs ${needs}: npm install ${needs.replace(' and ', ' ')} (missing: ${missing})`);
    }
    throw err;
  }
}
