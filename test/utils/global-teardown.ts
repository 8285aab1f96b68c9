export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __TEST_DB__?: { stop(): Promise<void> } }).__TEST_DB__?.stop();
}
