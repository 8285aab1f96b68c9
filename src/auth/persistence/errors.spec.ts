import { QueryFailedError } from 'typeorm';
import { isDependencyUnavailable } from './errors';

describe('isDependencyUnavailable', () => {
  it('recognises network failures and PostgreSQL unavailability codes', () => {
    expect(isDependencyUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isDependencyUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDependencyUnavailable(new QueryFailedError('SELECT 1', [], Object.assign(new Error('terminating'), { code: '57P01' })))).toBe(true);
  });
  it('does not mistake bugs or constraint violations for outages', () => {
    expect(isDependencyUnavailable(new TypeError('x is undefined'))).toBe(false);
    expect(isDependencyUnavailable(new QueryFailedError('INSERT', [], Object.assign(new Error('duplicate key'), { code: '23505' })))).toBe(false);
  });
});
