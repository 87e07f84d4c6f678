ALTER TABLE "lessons" ADD COLUMN "notes" text;
