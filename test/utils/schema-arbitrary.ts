import fc from 'fast-check';

/** The part of JSON Schema / OpenAPI 3 our documents use. */
export interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  enum?: unknown[];
  oneOf?: Schema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
}

const anyJson = fc.jsonValue({ maxDepth: 3 });

/**
 * Values a schema allows — the inputs a well-behaved client generated from the document would
 * send (`valid`), and the same with one thing wrong (`nearlyValid`: a missing required property,
 * a wrong type, a string one past its limit, an unknown property). Both must be answered with a
 * documented status and body.
 */
export class SchemaArbitraries {
  constructor(private readonly components: Record<string, Schema>) {}

  private resolve(schema: Schema): Schema {
    return schema.$ref ? this.resolve(this.components[schema.$ref.split('/').pop()!]) : schema;
  }

  valid(input: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    if (schema.enum) return fc.constantFrom(...schema.enum);
    if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => this.valid(s)));
    switch (schema.type) {
      case 'object': {
        const props = schema.properties ?? {};
        const required = new Set(schema.required ?? []);
        const record = fc.record(
          Object.fromEntries(Object.entries(props).map(([k, s]) => [k, this.valid(s)])),
          { requiredKeys: [...required].filter((k) => k in props) },
        );
        return record;
      }
      case 'array':
        return fc.array(this.valid(schema.items ?? {}), { maxLength: 3 });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
      case 'number':
        return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'string':
        return this.string(schema);
      default:
        return anyJson;
    }
  }

  nearlyValid(input: Schema): fc.Arbitrary<unknown> {
    const schema = this.resolve(input);
    if (schema.type !== 'object' || !schema.properties) return fc.oneof(this.valid(schema), anyJson);
    const props = Object.keys(schema.properties);
    return fc
      .tuple(this.valid(schema) as fc.Arbitrary<Record<string, unknown>>, fc.constantFrom(...props), fc.nat(3), anyJson)
      .map(([value, prop, how, junk]) => {
        const copy: Record<string, unknown> = { ...value };
        const s = this.resolve(schema.properties![prop]);
        if (how === 0) delete copy[prop];
        else if (how === 1) copy[prop] = junk;
        else if (how === 2 && s.type === 'string') copy[prop] = 'x'.repeat((s.maxLength ?? 600) + 1);
        else copy[`unexpected_${prop}`] = junk;
        return copy;
      });
  }

  private string(s: Schema): fc.Arbitrary<string> {
    if (s.format === 'uuid') return fc.uuid();
    if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    const min = s.minLength ?? 0;
    const max = Math.max(min, Math.min(s.maxLength ?? 40, 200));
    if (s.pattern) {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => [...v].length >= min && [...v].length <= (s.maxLength ?? Infinity));
    }
    return fc.string({ unit: 'grapheme', minLength: min, maxLength: max }).filter((v) => [...v].length >= min && [...v].length <= max);
  }
}
