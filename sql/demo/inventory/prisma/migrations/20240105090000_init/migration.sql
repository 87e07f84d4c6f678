-- The single-tenant inventory schema (runbook 004's starting state): no organizations, no org_id;
-- user emails, item numbers, location names, count numbers and feature flag keys unique globally.

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'counter',

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "items" (
    "id" SERIAL NOT NULL,
    "item_number" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "unit" TEXT NOT NULL DEFAULT 'ea',

    CONSTRAINT "items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "locations" (
    "id" SERIAL NOT NULL,
    "site" TEXT NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "locations_pkey" PRIMARY KEY ("id")
);

-- CreateTable (partitioned by hand: Prisma has no partitioning, the team edited the generated SQL)
CREATE TABLE "inventory_ledger" (
    "id" BIGINT NOT NULL,
    "item_id" INTEGER NOT NULL,
    "location_id" INTEGER NOT NULL,
    "lot_id" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL,
    "qty" DECIMAL(12,2) NOT NULL,
    "occurred_on" DATE NOT NULL,

    CONSTRAINT "inventory_ledger_pkey" PRIMARY KEY ("id", "occurred_on")
) PARTITION BY RANGE ("occurred_on");
CREATE TABLE "inventory_ledger_2024h1" PARTITION OF "inventory_ledger" FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE "inventory_ledger_2024h2" PARTITION OF "inventory_ledger" FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
CREATE TABLE "inventory_ledger_2025h1" PARTITION OF "inventory_ledger" FOR VALUES FROM ('2025-01-01') TO ('2025-07-01');
CREATE TABLE "inventory_ledger_2025h2" PARTITION OF "inventory_ledger" FOR VALUES FROM ('2025-07-01') TO ('2026-01-01');
CREATE TABLE "inventory_ledger_default" PARTITION OF "inventory_ledger" DEFAULT;

-- CreateTable
CREATE TABLE "count_sheets" (
    "id" SERIAL NOT NULL,
    "count_number" TEXT NOT NULL,
    "location_id" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "counted_on" DATE NOT NULL,

    CONSTRAINT "count_sheets_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "count_lines" (
    "id" SERIAL NOT NULL,
    "sheet_id" INTEGER NOT NULL,
    "item_id" INTEGER NOT NULL,
    "counted_qty" DECIMAL(12,2) NOT NULL,

    CONSTRAINT "count_lines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_logs" (
    "id" BIGSERIAL NOT NULL,
    "actor_id" INTEGER,
    "action" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_logs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "feature_flags" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "feature_flags_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_email_key" ON "users"("email");
CREATE UNIQUE INDEX "items_itemNumber_key" ON "items"("item_number");
CREATE UNIQUE INDEX "locations_site_name_key" ON "locations"("site", "name");
CREATE UNIQUE INDEX "count_sheets_countNumber_key" ON "count_sheets"("count_number");
CREATE UNIQUE INDEX "feature_flags_key_key" ON "feature_flags"("key");
CREATE INDEX "audit_logs_created_at_idx" ON "audit_logs"("created_at");

-- AddForeignKey
ALTER TABLE "inventory_ledger" ADD CONSTRAINT "inventory_ledger_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "inventory_ledger" ADD CONSTRAINT "inventory_ledger_location_id_fkey" FOREIGN KEY ("location_id") REFERENCES "locations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "count_sheets" ADD CONSTRAINT "count_sheets_location_id_fkey" FOREIGN KEY ("location_id") REFERENCES "locations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "count_lines" ADD CONSTRAINT "count_lines_sheet_id_fkey" FOREIGN KEY ("sheet_id") REFERENCES "count_sheets"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "count_lines" ADD CONSTRAINT "count_lines_item_id_fkey" FOREIGN KEY ("item_id") REFERENCES "items"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
