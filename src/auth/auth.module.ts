import { Module } from '@nestjs/common';
import { UsersModule } from '../users/users.module';
import { RegistrationController } from './registration.controller';

@Module({
  imports: [UsersModule],
  controllers: [RegistrationController],
})
export class AuthModule {}
