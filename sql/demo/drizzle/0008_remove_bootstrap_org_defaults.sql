-- Two-phase tenancy, phase 2: no more bootstrap default. From here an insert without
-- organization_id fails instead of landing in the bootstrap organization.
ALTER TABLE "students" ALTER COLUMN "organization_id" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "resources" ALTER COLUMN "organization_id" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "lessons" ALTER COLUMN "organization_id" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "app_settings" ALTER COLUMN "organization_id" DROP DEFAULT;
--> statement-breakpoint
ALTER TABLE "global_absences" ALTER COLUMN "organization_id" DROP DEFAULT;
