/**
 * The tables the sample-lane and pass-pool tests share: a_notes (scanned first) has 3
 * NULL-tenant rows and 2 rows of a missing tenant 99, samples to read; b_items is the table those
 * tests lock, so a console session waits on it. Three tenants in organizations.
 */
export const NOTES_AND_LOCKED_ITEMS_SQL = `
    CREATE TABLE organizations (id int PRIMARY KEY, name text);
    INSERT INTO organizations SELECT g, 'Org ' || g FROM generate_series(1, 3) g;
    CREATE TABLE a_notes (id int PRIMARY KEY, org_id int, body text);
    INSERT INTO a_notes SELECT g, CASE WHEN g <= 3 THEN NULL WHEN g <= 5 THEN 99 ELSE 1 + g % 3 END, 'n' FROM generate_series(1, 60) g;
    CREATE TABLE b_items (id int PRIMARY KEY, org_id int NOT NULL REFERENCES organizations, name text);
    INSERT INTO b_items SELECT g, 1 + g % 3, 'i' FROM generate_series(1, 30) g;`;
