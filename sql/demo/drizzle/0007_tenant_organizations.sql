-- Two-phase tenancy, phase 1: every domain table gets organization_id, backfilled through a
-- bootstrap organization that the column defaults to. 0008 removes the defaults.
INSERT INTO "organization" ("id", "name", "slug", "created_at") VALUES ('org_bootstrap', 'Acme Learning', 'acme-learning', now()) ON CONFLICT ("id") DO NOTHING;
--> statement-breakpoint
ALTER TABLE "students" ADD COLUMN "organization_id" text DEFAULT 'org_bootstrap';
--> statement-breakpoint
ALTER TABLE "resources" ADD COLUMN "organization_id" text DEFAULT 'org_bootstrap';
--> statement-breakpoint
ALTER TABLE "lessons" ADD COLUMN "organization_id" text DEFAULT 'org_bootstrap';
--> statement-breakpoint
ALTER TABLE "app_settings" ADD COLUMN "organization_id" text DEFAULT 'org_bootstrap';
--> statement-breakpoint
ALTER TABLE "global_absences" ADD COLUMN "organization_id" text DEFAULT 'org_bootstrap';
--> statement-breakpoint
ALTER TABLE "students" ADD CONSTRAINT "students_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "resources" ADD CONSTRAINT "resources_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "lessons" ADD CONSTRAINT "lessons_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "app_settings" ADD CONSTRAINT "app_settings_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE "global_absences" ADD CONSTRAINT "global_absences_organization_id_organization_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organization"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "students_organization_id_idx" ON "students" USING btree ("organization_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "resources_organization_id_idx" ON "resources" USING btree ("organization_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "lessons_organization_id_idx" ON "lessons" USING btree ("organization_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "app_settings_organization_id_idx" ON "app_settings" USING btree ("organization_id");
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "global_absences_organization_id_idx" ON "global_absences" USING btree ("organization_id");
