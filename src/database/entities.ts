import { SessionEntity } from '../auth/sessions/session.entity';
import { RefreshFamilyEntity } from '../auth/tokens/refresh-family.entity';
import { RefreshTokenEntity } from '../auth/tokens/refresh-token.entity';
import { UserEntity } from '../users/user.entity';

/** Every TypeORM entity; the app and the CLI share this list. */
export const entities = [UserEntity, SessionEntity, RefreshFamilyEntity, RefreshTokenEntity];
