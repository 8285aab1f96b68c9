import { takeViolations } from './openapi-contract';

// Every e2e test: the responses it caused must match the OpenAPI document (openapi-contract.ts).
beforeEach(() => {
  takeViolations(); // stragglers of an earlier test are not this test's
});
afterEach(() => {
  const found = takeViolations();
  if (found.length) throw new Error(`Responses that the OpenAPI document does not describe:\n- ${[...new Set(found)].join('\n- ')}`);
});
