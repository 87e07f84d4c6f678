ALTER TABLE "session" ADD COLUMN "active_organization_id" text;
