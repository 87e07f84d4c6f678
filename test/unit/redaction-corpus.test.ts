/**
 * A corpus of password spellings: none may survive redaction, by the scanner and by the fallback
 * used before it loads; the clean twins (no secret) pass through unchanged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareRedaction, redactText } from '../../main/engine/audit/redact.js';

const S = 'Hunter2sekret';

/** Each spelling hides S somewhere. */
export const PASSWORD_CORPUS: string[] = [
  `CREATE ROLE a PASSWORD '${S}'`,
  `CREATE ROLE a PASSWORD'${S}'`,
  `ALTER ROLE a PASSWORD/* c */'${S}'`,
  `ALTER ROLE a PASSWORD /* c */ '${S}'`,
  `ALTER ROLE a PASSWORD -- note\n '${S}'`,
  `ALTER USER a WITH ENCRYPTED PASSWORD E'${S}\\'x'`,
  `ALTER USER a WITH PASSWORD e'x\\'${S}'`,
  `CREATE USER a PASSWORD U&'${S}'`,
  `CREATE USER a PASSWORD U&'d\\0061t${S}' UESCAPE '\\'`,
  `CREATE USER a PASSWORD $$${S}$$`,
  `CREATE USER a PASSWORD $pw$${S}$pw$`,
  `create role "we""ird" login password 'p''${S}'`,
  `CREATE ROLE a VALID UNTIL 'infinity' PASSWORD '${S}' LOGIN`,
  `CREATE ROLE é PASSWORD 'é${S}é'`,
  `CREATE USER MAPPING FOR u SERVER s OPTIONS (user 'u', password '${S}')`,
  `ALTER USER MAPPING FOR u SERVER s OPTIONS (SET "password" '${S}')`,
  `DO $$ BEGIN EXECUTE 'CREATE ROLE x PASSWORD ''${S}'''; END $$`,
  `DO $do$ BEGIN CREATE ROLE x PASSWORD '${S}'; END $do$`,
  `CREATE ROLE a PASSWORD '${S}`,
  `postgres://app:${S}@db.example:5432/app`,
  `postgresql://app:a"${S}@db/app`,
  `postgres://app:p@ss${S}@db/app`,
  `postgres://app:with space ${S}@db/app`,
  `could not connect to postgresql://app:x@y${S}@db:5432/x: refused`,
  `host=db password=${S} dbname=app`,
  `host=db password='with space ${S}' dbname=app`,
  `host=db password=a"b,c)${S} dbname=app`,
  `PGPASSWORD=${S} psql`,
];

const CLEAN: string[] = [
  "SELECT 'PASSWORD' AS word",
  'alter user a with password null',
  'see https://docs.example/x?q=1',
  'postgres://user@host/db',
  'SELECT 1 FROM "password"',
  'CREATE ROLE a LOGIN',
];

function check(): void {
  for (const text of PASSWORD_CORPUS) {
    const out = redactText(text);
    expect(out, text).not.toContain(S);
    expect(out, text).toContain('[redacted]');
  }
  for (const text of CLEAN) expect(redactText(text)).toBe(text);
}

describe('the fallback (before the scanner loads)', () => {
  it('redacts every spelling and keeps clean text', check);
});

describe('the scanner', () => {
  beforeAll(async () => {
    await prepareRedaction();
  });

  it('redacts every spelling and keeps clean text', check);

  it('cuts only the literal, keeping the statement readable', () => {
    expect(redactText(`ALTER ROLE a PASSWORD/*c*/E'x' VALID UNTIL 'infinity'`)).toBe(`ALTER ROLE a PASSWORD/*c*/'[redacted]' VALID UNTIL 'infinity'`);
    expect(redactText(`CREATE ROLE é PASSWORD 'x' LOGIN`)).toBe(`CREATE ROLE é PASSWORD '[redacted]' LOGIN`);
    expect(redactText(`DO $$ BEGIN EXECUTE 'CREATE ROLE x PASSWORD ''s'''; END $$`)).toBe(`DO $$ BEGIN EXECUTE 'CREATE ROLE x PASSWORD ''[redacted]'''; END $$`);
  });
});
