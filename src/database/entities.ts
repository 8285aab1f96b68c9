import { SessionEntity } from '../auth/sessions/session.entity';
import { UserEntity } from '../users/user.entity';

/** Every TypeORM entity; the app and the CLI share this list. */
export const entities = [UserEntity, SessionEntity];
