-- Unique keys scoped by tenant: one tenant's data no longer blocks (or reveals) another's.

-- DropIndex
DROP INDEX "User_email_key";
DROP INDEX "ApiKey_key_key";
DROP INDEX "Invoice_number_key";

-- CreateIndex
CREATE UNIQUE INDEX "User_tenantId_email_key" ON "User"("tenantId", "email");
CREATE UNIQUE INDEX "ApiKey_tenantId_key_key" ON "ApiKey"("tenantId", "key");
CREATE UNIQUE INDEX "Invoice_tenantId_number_key" ON "Invoice"("tenantId", "number");

-- AlterTable
ALTER TABLE "ApiKey" ALTER COLUMN "tenantId" DROP DEFAULT;

-- AuditLog reads go through the tenant like everything else
DROP POLICY audit_log_read ON "AuditLog";
CREATE POLICY tenant_isolation ON "AuditLog" FOR SELECT
  USING ("tenantId" = current_setting('app.tenant_id', true));
