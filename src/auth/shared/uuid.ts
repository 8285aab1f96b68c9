const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a string is a UUID: checked before a value reaches a `uuid` column, where a bad one is a query error. */
export const isUuid = (value: string): boolean => UUID.test(value);
