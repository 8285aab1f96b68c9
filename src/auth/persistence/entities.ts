import { SessionEntity } from '../sessions/session.entity';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { UserEntity } from '../accounts/user.entity';
import { OneTimeTokenEntity } from '../one-time-tokens/one-time-token.entity';
import { ApiKeyEntity } from '../api-keys/api-key.entity';

/** The module's TypeORM entities: add them to the host's DataSource (`entities`). */
export const authEntities = [UserEntity, SessionEntity, RefreshFamilyEntity, RefreshTokenEntity, OneTimeTokenEntity, ApiKeyEntity];
