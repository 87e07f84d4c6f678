-- add_organization_support: organizations, org_id on every table, existing rows backfilled into
-- the Default Organization, then NOT NULL (the partitioned ledger too), FKs and uniques scoped by
-- organization. As the team wrote it: audit_logs gets no FK and item numbers stay unique globally
-- (the runbook's contract step adds and scopes them).

-- CreateTable
CREATE TABLE "organizations" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- Default organization: every existing row lands here (DEFAULT_ORG_ID in the application)
INSERT INTO "organizations" ("id", "name", "created_at") VALUES ('org_00001', 'Default Organization', TIMESTAMP '2025-01-10 09:00:00');

-- AlterTable: nullable first, so adding the column rewrites nothing
ALTER TABLE "users" ADD COLUMN "org_id" TEXT;
ALTER TABLE "items" ADD COLUMN "org_id" TEXT;
ALTER TABLE "locations" ADD COLUMN "org_id" TEXT;
ALTER TABLE "inventory_ledger" ADD COLUMN "org_id" TEXT;
ALTER TABLE "count_sheets" ADD COLUMN "org_id" TEXT;
ALTER TABLE "count_lines" ADD COLUMN "org_id" TEXT;
ALTER TABLE "audit_logs" ADD COLUMN "org_id" TEXT;
ALTER TABLE "feature_flags" ADD COLUMN "org_id" TEXT;

-- Backfill
UPDATE "users" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "items" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "locations" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "inventory_ledger" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "count_sheets" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "count_lines" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "audit_logs" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;
UPDATE "feature_flags" SET "org_id" = 'org_00001' WHERE "org_id" IS NULL;

-- AlterTable: required from now on
ALTER TABLE "users" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "items" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "locations" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "inventory_ledger" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "count_sheets" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "count_lines" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "audit_logs" ALTER COLUMN "org_id" SET NOT NULL;
ALTER TABLE "feature_flags" ALTER COLUMN "org_id" SET NOT NULL;

-- DropIndex / CreateIndex: uniques scoped by organization
DROP INDEX "users_email_key";
CREATE UNIQUE INDEX "users_orgId_email_key" ON "users"("org_id", "email");
DROP INDEX "locations_site_name_key";
CREATE UNIQUE INDEX "locations_orgId_site_name_key" ON "locations"("org_id", "site", "name");
DROP INDEX "count_sheets_countNumber_key";
CREATE UNIQUE INDEX "count_sheets_orgId_countNumber_key" ON "count_sheets"("org_id", "count_number");
DROP INDEX "feature_flags_key_key";
CREATE UNIQUE INDEX "feature_flags_orgId_key_key" ON "feature_flags"("org_id", "key");

-- CreateIndex
CREATE INDEX "items_org_id_idx" ON "items"("org_id");
CREATE INDEX "inventory_ledger_org_id_occurred_on_idx" ON "inventory_ledger"("org_id", "occurred_on");
CREATE INDEX "count_lines_org_id_sheet_id_idx" ON "count_lines"("org_id", "sheet_id");
CREATE INDEX "audit_logs_org_id_created_at_idx" ON "audit_logs"("org_id", "created_at");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "items" ADD CONSTRAINT "items_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "locations" ADD CONSTRAINT "locations_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "inventory_ledger" ADD CONSTRAINT "inventory_ledger_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "count_sheets" ADD CONSTRAINT "count_sheets_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "count_lines" ADD CONSTRAINT "count_lines_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "feature_flags" ADD CONSTRAINT "feature_flags_orgId_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
