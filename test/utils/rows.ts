import { TestApp } from './test-app';

export interface RowCounts {
  users: number;
  sessions: number;
  refreshFamilies: number;
  refreshTokens: number;
}

/**
 * Row counts a refused request must leave unchanged. Suites share one database and run in
 * parallel, so the counts are scoped: users whose email contains `emailMarker` (every address a
 * test sends carries it), and the sign-ins of `userIds`.
 */
export async function rowCounts(t: TestApp, scope: { emailMarker: string; userIds: string[] }): Promise<RowCounts> {
  const [row] = await t.sql<{ users: string; sessions: string; families: string; tokens: string }>(
    `SELECT (SELECT count(*) FROM auth_users WHERE position($1 in email) > 0) AS users,
            (SELECT count(*) FROM auth_sessions WHERE user_id = ANY($2::uuid[])) AS sessions,
            (SELECT count(*) FROM auth_refresh_families WHERE user_id = ANY($2::uuid[])) AS families,
            (SELECT count(*) FROM auth_refresh_tokens t JOIN auth_refresh_families f ON f.id = t.family_id WHERE f.user_id = ANY($2::uuid[])) AS tokens`,
    [scope.emailMarker, scope.userIds],
  );
  return { users: Number(row.users), sessions: Number(row.sessions), refreshFamilies: Number(row.families), refreshTokens: Number(row.tokens) };
}
