import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AccessTokenPrincipal, RequireAccessToken, ResourceServerModule } from 'nest-dual-auth/resource-server';

/**
 * Another service of the same company: it has no database and no AuthModule, only the kit and the
 * issuer's JWKS URL. It accepts the access tokens the host (main.ts) issues.
 */
@Controller('orders')
@RequireAccessToken()
class OrdersController {
  @Get('mine')
  mine(@AccessTokenPrincipal() principal: AccessTokenPrincipal) {
    return { userId: principal.userId, roles: principal.roles };
  }

  @Get('all')
  @RequireAccessToken({ roles: ['admin'] })
  all() {
    return { orders: [] };
  }
}

@Module({
  imports: [
    ResourceServerModule.forRoot({
      jwksUrl: process.env.ISSUER_JWKS_URL!,
      issuer: 'nest-dual-auth',
      audience: 'nest-dual-auth-api',
      algorithm: 'ES256',
    }),
  ],
  controllers: [OrdersController],
})
class OrdersModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(OrdersModule, { logger: ['warn', 'error'] });
  await app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1');
  console.log(`orders service listening on ${process.env.PORT ?? 3001}`);
}
void bootstrap();
