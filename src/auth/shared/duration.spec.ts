import { parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['30m', 1_800_000],
    ['7d', 604_800_000],
    ['10s', 10_000],
    ['250ms', 250],
    ['12h', 43_200_000],
    ['45', 45_000],
    ['0', 0],
  ])('%s → %i ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(['', 'soon', '1.5h', '-5m', '10 minutes', '99999999999999999d'])('refuses %p', (input) =>
    expect(parseDuration(input)).toBeUndefined(),
  );
});
